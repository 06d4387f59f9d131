"""double-negation: a condition ``c`` becomes ``!(!(c))`` (Java, C) or ``not (not (c))`` (Python).

Conditions of ``if``, ``while``, ``do ... while``, ``for`` (Java, C), ``elif`` and comprehension
``if`` clauses (Python), and the condition of a ternary / conditional expression. Why the value
cannot change:

- Java: a condition is ``boolean`` (or ``Boolean``, unboxed by ``!`` exactly as by the ``if``,
  null included), and ``!`` is exact boolean negation;
- C: ``!!c`` is 1 exactly when ``c`` compares unequal to 0, which is what a condition tests
  (pointers, floating NaN included);
- Python: ``not`` calls ``bool()`` once, like the ``if`` does; the outer ``not`` then acts on a
  ``bool``.

The condition keeps its text, wrapped in parentheses, so precedence cannot change. Skipped: a
ternary inside a C macro argument (``assert(c ? a : b)`` may print its argument's text), a Python
condition inside an f-string field (``f"{a if c else b=}"`` prints its text), a C condition with a
preprocessor line inside, and anything overlapping an error region.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.effects import text_visible
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, one_guarded_edit
from .base import Edit, Relation, register_relation

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)
STOP_TYPES = frozenset({"compound_statement", "block", "module", "translation_unit", "program", "function_definition",
                        "expression_statement"})

QUERIES = {
    "java": """
        (if_statement condition: (_) @paren)
        (while_statement condition: (_) @paren)
        (do_statement condition: (_) @paren)
        (for_statement condition: (_) @bare)
        (ternary_expression condition: (_) @bare)
    """,
    "c": """
        (if_statement condition: (_) @paren)
        (while_statement condition: (_) @paren)
        (do_statement condition: (_) @paren)
        (for_statement condition: (_) @bare)
        (conditional_expression condition: (_) @bare)
    """,
    "python": """
        (if_statement condition: (_) @bare)
        (elif_clause condition: (_) @bare)
        (while_statement condition: (_) @bare)
        (conditional_expression) @ternary
        (if_clause) @clause
    """,
}


@register_relation
class DoubleNegation(Relation):
    name = "double-negation"
    summary = "negate a condition twice: if (c) -> if (!(!(c))), Python: if not (not (c))"
    example = ("while (i < n) {", "while (!(!(i < n))) {")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        captures = parsed.captures(_query(parsed.language))
        candidates = [(node, kind) for kind, nodes in captures.items() for node in nodes]
        candidates.sort(key=lambda pair: (pair[0].start_byte, pair[0].end_byte, pair[1]))
        return one_guarded_edit(candidates, rng, lambda candidate: _negate_twice(parsed, *candidate),
                                ErrorGuard(parsed), "no condition outside error regions")


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def _condition(node: Node, kind: str) -> Node | None:
    """The condition expression of a capture (Python ternaries and clauses hold it unnamed)."""
    if kind == "ternary":
        operands = [child for child in node.named_children if child.type != "comment"]
        return operands[1] if len(operands) == 3 else None
    if kind == "clause":
        operands = [child for child in node.named_children if child.type != "comment"]
        return operands[0] if len(operands) == 1 else None
    return node


def _negate_twice(parsed: ParsedCode, node: Node, kind: str) -> Edit | None:
    condition = _condition(node, kind)
    if condition is None or parsed.in_error(condition) or text_visible(condition, parsed.language, STOP_TYPES):
        return None
    source = parsed.source
    language = parsed.language
    if language == "c" and PREPROCESSOR_LINE.search(source, condition.start_byte, condition.end_byte):
        return None
    if kind == "paren":
        if condition.type != "parenthesized_expression" or condition.child_count < 3:
            return None
        start, end = condition.children[0].end_byte, condition.children[-1].start_byte
        inner = source[start:end].decode("utf-8")
        if not inner.strip():
            return None
        return Edit(start, end, f"!(!({inner}))", f"({inner.strip()}) -> (!(!(...)))" if len(inner) < 40 else "negated a condition twice")
    text = parsed.node_text(condition)
    if language == "python":
        new = f"not (not ({text}))"
        if condition.start_byte and (chr(source[condition.start_byte - 1]).isalnum() or source[condition.start_byte - 1] in b"_"):
            new = " " + new
    else:
        new = f"!(!({text}))"
    return Edit(condition.start_byte, condition.end_byte, new, f"{text} -> {new.strip()}" if len(text) < 40 else "negated a condition twice")

