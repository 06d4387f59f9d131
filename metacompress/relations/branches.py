"""swap-if-else: negate an if's condition and swap its two branches.

``if (c) A else B`` becomes ``if (!(c)) B else A`` (Java, C) and ``if c: A else: B`` becomes
``if not (c): B else: A`` (Python). A condition that is already a negation loses it instead
(``if (!x)`` -> ``if (x)``, ``if not x`` -> ``if x``): ``!`` and ``not`` are exact boolean
negations, truthiness included.

Each branch keeps its own text and comments. Traps handled:
- dangling else: when the new then-branch is an unbraced ``if`` (or a loop whose body ends in
  an ``if`` without ``else``), it gets braces, otherwise the moved ``else`` would bind to it;
- Python: ``if c: A else: B`` and the last ``elif c: A else: B`` of a chain are swapped block
  for block (both headers share one indentation, so the blocks move as they are); an earlier
  ``elif`` would have to become a nested, re-indented ``if``, so it is left alone;
- C: an if with a preprocessor line anywhere inside (``#ifdef`` around the ``else``) is
  skipped, moving text across it could change what gets compiled.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, one_guarded_edit
from .base import Edit, Relation, register_relation

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)
BLOCK_TYPES = frozenset({"block", "compound_statement"})
#: statements whose body is the last thing in them (an unbraced if there may take an else)
TRAILING_BODY = frozenset({"for_statement", "while_statement", "enhanced_for_statement", "labeled_statement"})


@register_relation
class SwapIfElse(Relation):
    name = "swap-if-else"
    summary = "negate an if's condition and swap its then and else branches"
    example = (
        "if (n > 0) {\n    pos();\n} else {\n    neg();\n}",
        "if (!(n > 0)) {\n    neg();\n} else {\n    pos();\n}",
    )

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        candidates = parsed.captures(_if_query(parsed.language)).get("if", [])
        swap = _swap_python if parsed.language == "python" else _swap_braced
        return one_guarded_edit(candidates, rng, lambda node: None if parsed.in_error(node) else swap(parsed, node),
                                ErrorGuard(parsed), "no if statement with an else branch outside error regions")


@functools.cache
def _if_query(language: str) -> Query:
    return Query(get_language(language), "(if_statement) @if")


def _else_statement(node: Node) -> Node | None:
    """The statement after ``else`` (Java holds it directly, C wraps it in an else_clause)."""
    alternative = node.child_by_field_name("alternative")
    if alternative is not None and alternative.type == "else_clause":
        named = [child for child in alternative.named_children if "comment" not in child.type]
        return named[-1] if named else None
    return alternative


def _swap_braced(parsed: ParsedCode, node: Node) -> Edit | None:
    condition = node.child_by_field_name("condition")
    then = node.child_by_field_name("consequence")
    other = _else_statement(node)
    if condition is None or then is None or other is None or condition.type != "parenthesized_expression":
        return None
    source = parsed.source
    if parsed.language == "c" and PREPROCESSOR_LINE.search(source, condition.start_byte, other.end_byte):
        return None
    new_then = parsed.node_text(other)
    if other.type not in BLOCK_TYPES and _takes_dangling_else(other):
        new_then = "{ " + new_then + " }"
    pieces = [_negate_braced(parsed, condition), _between(source, condition, then), new_then]
    pieces += [_between(source, then, other), parsed.node_text(then)]
    return Edit(condition.start_byte, other.end_byte, "".join(pieces), "negated the condition, swapped the branches")


def _between(source: bytes, first: Node, second: Node) -> str:
    return source[first.end_byte : second.start_byte].decode("utf-8")


def _negate_braced(parsed: ParsedCode, condition: Node) -> str:
    """``(c)`` -> ``(!(c))``; ``(!x)`` -> ``(x)`` and ``(!(x))`` -> ``(x)``."""
    inner = condition.named_children
    if len(inner) == 1 and inner[0].type == "unary_expression":
        operator = inner[0].child_by_field_name("operator")
        operand = inner[0].child_by_field_name("operand") or inner[0].child_by_field_name("argument")
        if operator is not None and operator.type == "!" and operand is not None:
            text = parsed.node_text(operand)
            return text if operand.type == "parenthesized_expression" else f"({text})"
    return f"(!{parsed.node_text(condition)})"


def _takes_dangling_else(statement: Node) -> bool:
    """True when an ``else`` written after this statement would bind inside it.

    Any ``if`` counts (braces then keep an else-if chain readable), as does a loop or label whose
    body, followed down, ends in an ``if`` without ``else``.
    """
    if statement.type == "if_statement":
        return True
    current: Node | None = statement
    while current is not None and current.type in TRAILING_BODY:
        current = current.child_by_field_name("body") or current.named_children[-1]
        if current.type == "if_statement":
            return True
    return False


def _swap_python(parsed: ParsedCode, node: Node) -> Edit | None:
    """Swap ``if c: A else: B``, or the last ``elif c: A`` of a chain with its ``else: B``."""
    alternatives = node.children_by_field_name("alternative")
    if not alternatives or alternatives[-1].type != "else_clause":
        return None
    head = node if len(alternatives) == 1 else alternatives[-2]
    if head.type not in ("if_statement", "elif_clause"):
        return None
    condition = head.child_by_field_name("condition")
    then = head.child_by_field_name("consequence")
    other = alternatives[-1].child_by_field_name("body")
    then_colon = _colon_before(head, then)
    else_colon = _colon_before(alternatives[-1], other)
    if None in (condition, then, other, then_colon, else_colon):
        return None
    source = parsed.source
    then_text = source[then_colon.end_byte : then.end_byte].decode("utf-8")
    else_text = source[else_colon.end_byte : other.end_byte].decode("utf-8")
    negated = _negate_python(parsed, condition)
    if not source[condition.start_byte - 1 : condition.start_byte].isspace():
        negated = " " + negated
    pieces = [negated, _between(source, condition, then_colon), ":", else_text]
    pieces += [_between(source, then, else_colon), ":", then_text]
    return Edit(condition.start_byte, other.end_byte, "".join(pieces), "negated the condition, swapped the blocks")


def _colon_before(parent: Node, block: Node | None) -> Node | None:
    """The ``:`` that opens ``block`` in its header."""
    if block is None:
        return None
    colon = None
    for child in parent.children:
        if child.start_byte >= block.start_byte:
            break
        if child.type == ":":
            colon = child
    return colon


def _negate_python(parsed: ParsedCode, condition: Node) -> str:
    """``c`` -> ``not (c)``; ``not x`` -> ``x`` (``not`` negates truthiness exactly)."""
    if condition.type == "not_operator":
        argument = condition.child_by_field_name("argument")
        if argument is not None:
            return parsed.node_text(argument)
    text = parsed.node_text(condition)
    return f"not {text}" if condition.type == "parenthesized_expression" else f"not ({text})"
