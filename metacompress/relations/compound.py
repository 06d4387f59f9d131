"""expand-compound-assignment: ``x += e`` -> ``x = x + (e)`` (and every other ``op=``).

Only in statement position (an expression statement, a ``for`` update clause, or an operand of a
C comma expression there), where the value of the assignment is not used, and only where ``x`` is
a plain name, so writing it twice evaluates nothing twice. ``e`` keeps its text, in parentheses
unless it is atomic (``x = x * (a + b)``). Per language, when the two forms agree:

- Java: ``x op= e`` is ``x = (T) (x op e)``: the implicit cast is a no-op only when ``x op e``
  already has x's type. So x's declared type must be visible in the snippet and agree across its
  declarations: ``double``, ``String`` (for ``+=``), ``boolean`` (for ``&= |= ^=``), the boxes
  ``Integer``/``Long``/``Float``/``Double``, any int or long for shifts; for ``int``, ``long``
  and ``float`` the type of ``e`` must be known and no wider (``int x; x += 1L`` compiles,
  ``x = x + 1L`` does not). ``byte``, ``short`` and ``char`` never (their sums are ints).
- C: the two forms are the same operation for every type; ``e`` must have no side effects (``x``
  read and ``e``'s effects would be unsequenced), ``x`` must not look like a macro (ALL_CAPS)
  nor be ``volatile``.
- Python: only for names that hold an int, float, bool, str or None throughout the scope
  (arith.immutable_names): for those ``+=`` falls back to ``+``; a list's ``+=`` would mutate in
  place where ``x = x + e`` rebinds.
"""

from __future__ import annotations

import functools
import random

from tree_sitter import Node, Query

from ..code.arith import DeclaredTypes, java_fits, java_type, python_scope
from ..code.context import Context, crosses_preprocessor, in_statement_position, plain_target
from ..code.effects import analyse
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from .base import Edit, Relation, register_relation

QUERIES = {
    "java": "(assignment_expression) @assign",
    "c": "(assignment_expression) @assign",
    "python": "(expression_statement (augmented_assignment) @assign)",
}
ATOMIC = frozenset(
    {
        "identifier", "decimal_integer_literal", "hex_integer_literal", "octal_integer_literal", "binary_integer_literal",
        "decimal_floating_point_literal", "character_literal", "string_literal", "number_literal", "char_literal",
        "integer", "float", "string", "true", "false", "none", "null_literal", "parenthesized_expression",
        "method_invocation", "call_expression", "call", "field_access", "field_expression", "attribute",
        "array_access", "subscript_expression", "subscript",
    }
)  # fmt: skip
SHIFTS = frozenset({"<<=", ">>=", ">>>="})
BITWISE = frozenset({"&=", "|=", "^="})
JAVA_BOXES_OK = frozenset({"Integer", "Long", "Float", "Double"})


@register_relation
class ExpandCompoundAssignment(Relation):
    name = "expand-compound-assignment"
    summary = "expand a compound assignment whose target is a plain name (x += e -> x = x + (e)) where both mean the same"
    example = ("total += a * b;", "total = total + (a * b);")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("assign", []), key=by_span)
        context = Context(parsed)
        return one_guarded_edit(found, rng, lambda node: expand(context, node), ErrorGuard(parsed),
                                NO_SITE[parsed.language])


NO_SITE = {
    "java": "no compound assignment to a name whose declared type makes x = x op e mean the same",
    "c": "no compound assignment statement to a plain name with a side-effect-free right side",
    "python": "no augmented assignment to a name that only ever holds numbers or strings",
}


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def expand(context: Context, node: Node) -> Edit | None:
    parsed = context.parsed
    if parsed.in_error(node) or crosses_preprocessor(parsed, node):
        return None
    target = node.child_by_field_name("left")
    operator = node.child_by_field_name("operator")
    value = node.child_by_field_name("right")
    if target is None or operator is None or value is None or not operator.type.endswith("="):
        return None
    symbol = operator.type
    if symbol == "=" or len(symbol) < 2:
        return None
    name = plain_target(context, target)
    if name is None:
        return None
    language = parsed.language
    if language != "python" and not in_statement_position(node):
        return None
    if not _same_meaning(context, target, symbol, value):
        return None
    value_text = parsed.node_text(value)
    if value.type not in ATOMIC:
        value_text = f"({value_text})"
    text = f"{name} = {name} {symbol[:-1]} {value_text}"
    before = parsed.node_text(node)
    description = f"{before} -> {text}" if len(before) <= 40 else f"expanded {name} {symbol} ..."
    return Edit(node.start_byte, node.end_byte, text, description)


def _same_meaning(context: Context, target: Node, symbol: str, value: Node) -> bool:
    parsed = context.parsed
    name = parsed.node_text(target)
    if parsed.language == "c":
        return not analyse(value, "c", context.volatile).effectful
    if parsed.language == "python":
        scope = python_scope(value)
        return scope is not None and name in context.immutable(scope)
    return java_compound_is_plain(context.types, parsed, context.types.of(target), symbol, value)


def java_compound_is_plain(types: DeclaredTypes, parsed: ParsedCode, declared: str | None, symbol: str, value: Node) -> bool:
    """True when ``x symbol value`` equals ``x = x op (value)`` in Java, x of type ``declared``."""
    if not declared:
        return False
    if declared == "String":
        return symbol == "+="
    if declared in JAVA_BOXES_OK:
        return symbol not in BITWISE or declared in ("Integer", "Long")
    if declared == "boolean":
        return symbol in BITWISE
    if declared == "double":
        return symbol not in SHIFTS and symbol not in BITWISE
    if declared in ("int", "long"):
        if symbol in SHIFTS:
            return True
        return java_fits(java_type(parsed, value, types), declared)
    if declared == "float":
        return symbol not in SHIFTS and symbol not in BITWISE and java_fits(java_type(parsed, value, types), "float")
    return False
