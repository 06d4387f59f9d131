"""contract-compound-assignment: ``x = x op e`` -> ``x op= e``, the inverse of expansion.

Only where the assignment updates a plain name from its own value as the *left* operand of the
top operator (``x = x - a - b`` is ``(x - a) - b``, not a site; ``x = x + a * b`` becomes
``x += a * b``), in statement position (expression statements, ``for`` updates, operands of a C
comma expression there). Per language, when both forms agree:

- Java: ``x op= e`` is ``x = (T) (x op e)``; when ``x = x op e`` compiles and ``x``'s declared type
  is ``int``, ``long``, ``float``, ``double`` (or their boxes), ``boolean`` (``& | ^``) or
  ``String`` (``+``), the value of ``x op e`` already has that type (or boxes to it), so the cast
  changes nothing. Both forms read ``x`` before evaluating ``e``. Types are resolved by scope as
  for expansion (arith.DeclaredTypes); unknown types are left alone.
- C: C11 defines ``E1 op= E2`` as ``E1 = E1 op (E2)`` with ``E1`` evaluated once: a plain name
  (not ALL_CAPS, not ``volatile``) and a right side without side effects.
- Python: names holding an int, float, bool, str or None throughout the scope
  (arith.immutable_names): without ``__iadd__`` and kin, ``+=`` is ``+`` followed by a rebinding.
"""

from __future__ import annotations

import functools
import random

from tree_sitter import Node, Query

from ..code.arith import python_scope
from ..code.context import Context, crosses_preprocessor, in_statement_position, plain_target
from ..code.effects import analyse
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from .base import Edit, Relation, register_relation

QUERIES = {
    "java": "(assignment_expression right: (binary_expression)) @assign",
    "c": "(assignment_expression right: (binary_expression)) @assign",
    "python": "(expression_statement (assignment right: (binary_operator)) @assign)",
}
OPERATORS = {
    "java": frozenset({"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"}),
    "c": frozenset({"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"}),
    "python": frozenset({"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@"}),
}
JAVA_NUMERIC = frozenset({"int", "long", "float", "double", "Integer", "Long", "Float", "Double"})
JAVA_INTEGRAL = frozenset({"int", "long", "Integer", "Long"})
NO_SITE = {
    "java": "no assignment x = x op e to a name whose declared type makes x op= e mean the same",
    "c": "no assignment statement x = x op e to a plain name with a side-effect-free right side",
    "python": "no assignment x = x op e to a name that only ever holds numbers or strings",
}


@register_relation
class ContractCompoundAssignment(Relation):
    name = "contract-compound-assignment"
    summary = "contract an assignment updating a plain name (x = x op e -> x op= e) where both mean the same"
    example = ("total = total + a * b;", "total += a * b;")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("assign", []), key=by_span)
        context = Context(parsed)
        return one_guarded_edit(found, rng, lambda node: contract(context, node), ErrorGuard(parsed),
                                NO_SITE[parsed.language])


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def contract(context: Context, node: Node) -> Edit | None:
    parsed = context.parsed
    language = parsed.language
    if parsed.in_error(node) or crosses_preprocessor(parsed, node):
        return None
    if language == "python":
        if node.child_by_field_name("type") is not None:
            return None
    else:
        operator = node.child_by_field_name("operator")
        if operator is None or operator.type != "=" or not in_statement_position(node):
            return None
    target = node.child_by_field_name("left")
    value = node.child_by_field_name("right")
    if target is None or value is None:
        return None
    name = plain_target(context, target)
    if name is None:
        return None
    left = value.child_by_field_name("left")
    sign = value.child_by_field_name("operator")
    right = value.child_by_field_name("right")
    if left is None or sign is None or right is None or left.type != "identifier" or parsed.node_text(left) != name:
        return None
    symbol = sign.type
    if symbol not in OPERATORS[language] or not _same_meaning(context, target, symbol, right):
        return None
    text = f"{name} {symbol}= {parsed.node_text(right)}"
    before = parsed.node_text(node)
    description = f"{before} -> {text}" if len(before) <= 40 else f"contracted the update of {name}"
    return Edit(node.start_byte, node.end_byte, text, description)


def _same_meaning(context: Context, target: Node, symbol: str, right: Node) -> bool:
    parsed = context.parsed
    if parsed.language == "c":
        return not analyse(right, "c", context.volatile).effectful
    if parsed.language == "python":
        scope = python_scope(target)
        return scope is not None and parsed.node_text(target) in context.immutable(scope)
    declared = context.types.of(target)
    if declared == "String":
        return symbol == "+"
    if declared == "boolean":
        return symbol in ("&", "|", "^")
    if declared in JAVA_INTEGRAL:
        return True
    if declared in JAVA_NUMERIC:
        return symbol in ("+", "-", "*", "/", "%")
    return False
