"""swap-operands: mirror a comparison, ``a < b`` -> ``b > a``.

``<`` and ``>`` trade places, as do ``<=`` and ``>=``; ``==`` and ``!=`` are symmetric. The two
operands then evaluate in the other order, so both must be free of side effects and at most one
may fail or run user code (effects.py). Also holds for floating NaN: ``a < b`` and ``b > a`` are
both false.

Skipped on purpose:
- Python chained comparisons (``a < b < c``), ``is``/``in`` and their negations;
- comparisons inside C macro arguments (``assert(a < b)`` prints its argument's text) and inside
  Python f-string fields (``f"{a < b=}"`` prints its text too);
- anything overlapping an error region.

Precedence: the right operand binds tighter than the operator, so it can move left as it is; the
left one may sit at the operator's own level (``a < b < c`` in C is ``(a < b) < c``), so it gets
parentheses when it moves right.
"""

from __future__ import annotations

import functools
import random

from tree_sitter import Node, Query

from ..code.effects import can_swap_evaluation, text_visible, volatile_names
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, one_guarded_edit
from .base import Edit, Relation, register_relation

MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
RELATIONAL = frozenset({"<", ">", "<=", ">="})
EQUALITY = frozenset({"==", "!="})

#: where the ancestor search may stop: nothing above a statement can quote its text
STOP_TYPES = frozenset({"compound_statement", "block", "module", "translation_unit", "program", "function_definition"})


@register_relation
class SwapOperands(Relation):
    name = "swap-operands"
    summary = "mirror a comparison (a < b -> b > a) whose operands have no side effects"
    example = ("if (i < n) {", "if (n > i) {")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        language = parsed.language
        query = _comparison_query(language)
        candidates = parsed.captures(query).get("cmp", [])
        volatile = volatile_names(parsed)
        return one_guarded_edit(candidates, rng, lambda node: _mirror(parsed, node, volatile), ErrorGuard(parsed),
                                "no comparison with side-effect-free operands outside error regions")


@functools.cache
def _comparison_query(language: str) -> Query:
    kind = "comparison_operator" if language == "python" else "binary_expression"
    return Query(get_language(language), f"({kind}) @cmp")


def _parts(node: Node, language: str) -> tuple[Node, Node, Node] | None:
    """(left, operator, right) of a two-operand comparison we know how to mirror."""
    if language == "python":
        operands = [child for child in node.named_children if child.type != "comment"]
        operators = node.children_by_field_name("operators")
        if len(operands) != 2 or len(operators) != 1:
            return None
        left, right, operator = operands[0], operands[1], operators[0]
    else:
        left = node.child_by_field_name("left")
        operator = node.child_by_field_name("operator")
        right = node.child_by_field_name("right")
        if left is None or operator is None or right is None:
            return None
    if operator.type not in MIRROR:
        return None
    return left, operator, right


def _mirror(parsed: ParsedCode, node: Node, volatile: frozenset[str]) -> Edit | None:
    language = parsed.language
    parts = _parts(node, language)
    if parts is None or parsed.in_error(node) or text_visible(node, language, STOP_TYPES):
        return None
    left, operator, right = parts
    if operator.type in EQUALITY and parsed.node_text(left) == parsed.node_text(right):
        return None  # x == x reads the same mirrored
    if not can_swap_evaluation(left, right, language, volatile):
        return None
    source = parsed.source
    moved_left = parsed.node_text(left)
    if _same_level(left, operator.type, language):
        moved_left = f"({moved_left})"
    text = "".join(
        (
            parsed.node_text(right),
            source[left.end_byte : operator.start_byte].decode("utf-8"),
            MIRROR[operator.type],
            source[operator.end_byte : right.start_byte].decode("utf-8"),
            moved_left,
        )
    )
    description = f"{parsed.node_text(node)} -> {text}" if len(text) <= 60 else f"mirrored a {operator.type} comparison"
    return Edit(left.start_byte, right.end_byte, text, description)


def _same_level(operand: Node, operator: str, language: str) -> bool:
    """True when ``operand`` binds exactly as loosely as ``operator`` (it needs parentheses on the right)."""
    if language == "python":
        return False
    if language == "java" and operand.type == "instanceof_expression":
        return operator in RELATIONAL
    if operand.type != "binary_expression":
        return False
    inner = operand.child_by_field_name("operator")
    symbol = inner.type if inner is not None else ""
    return (symbol in RELATIONAL and operator in RELATIONAL) or (symbol in EQUALITY and operator in EQUALITY)

