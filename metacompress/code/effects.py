"""Side effects of expressions: may evaluating this change state, or fail?

A relation that changes the order of evaluation (swapping operands, reordering statements) is
safe only when the reordered parts cannot observe each other. Without types that is decided
syntactically and conservatively:

- *effectful*: calls (C macros look like calls too), assignments, ``++``/``--``, object
  creation, Python ``await``/``yield``/walrus and comprehensions (they consume iterators), reads
  Java string concatenation (it calls ``toString``);
- *order-sensitive*: evaluation writes nothing we can see but can fail or run user code
  (array/field access, division, casts, Python operators and attribute access through dunder
  methods and properties), reads a ``volatile``, or is opaque (in C an identifier that looks like
  a macro, ``MAX_SIZE``, may hide anything).

Two expressions may trade places when neither is effectful and at most one is order-sensitive:
if only one can fail, it fails in either order with the same error, and nothing else runs in
between that could be seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from .parsing import ParsedCode, walk

EFFECT_TYPES = {
    "java": frozenset(
        {
            "method_invocation",
            "object_creation_expression",
            "array_creation_expression",
            "assignment_expression",
            "update_expression",
            "switch_expression",
            "explicit_constructor_invocation",
        }
    ),
    "c": frozenset(
        {
            "call_expression",
            "assignment_expression",
            "update_expression",
            "compound_statement",
            "gnu_asm_expression",
        }
    ),
    "python": frozenset(
        {
            "call",
            "named_expression",
            "await",
            "yield",
            "list_comprehension",
            "set_comprehension",
            "dictionary_comprehension",
            "generator_expression",
            "list_splat",
            "dictionary_splat",
            "assignment",
            "augmented_assignment",
        }
    ),
}

ORDER_SENSITIVE_TYPES = {
    "java": frozenset({"array_access", "field_access", "cast_expression", "method_reference"}),
    "c": frozenset(),
    "python": frozenset(
        {
            "attribute",
            "subscript",
            "binary_operator",
            "unary_operator",
            "boolean_operator",
            "not_operator",
            "comparison_operator",
            "conditional_expression",
            "interpolation",
        }
    ),
}

#: binary operators that can fail on integers (division by zero) in Java and C
FAILING_OPERATORS = frozenset({"/", "%"})


@dataclass(frozen=True)
class Effects:
    """What evaluating an expression may do, as far as the syntax shows."""

    effectful: bool
    order_sensitive: bool


def analyse(node: Node, language: str, volatile: frozenset[str] = frozenset()) -> Effects:
    """Classify ``node``'s evaluation; one walk over its subtree."""
    effect_types = EFFECT_TYPES[language]
    sensitive_types = ORDER_SENSITIVE_TYPES[language]
    order_sensitive = False
    for current in walk(node):
        kind = current.type
        if kind in effect_types:
            return Effects(True, True)
        if kind in sensitive_types:
            order_sensitive = True
        elif kind == "binary_expression":
            operator = current.child_by_field_name("operator")
            symbol = operator.type if operator is not None else ""
            if symbol in FAILING_OPERATORS:
                order_sensitive = True
            elif language == "java" and symbol == "+" and _has_string_operand(current):
                return Effects(True, True)
        elif kind == "identifier" and (volatile or language == "c"):
            name = current.text.decode("utf-8", "replace") if current.text else ""
            if name in volatile or (language == "c" and looks_like_macro(name)):
                order_sensitive = True
    return Effects(False, order_sensitive)


def is_side_effect_free(node: Node, language: str, volatile: frozenset[str] = frozenset()) -> bool:
    """True when evaluating ``node`` writes nothing and calls nothing (as far as syntax shows)."""
    return not analyse(node, language, volatile).effectful


def can_swap_evaluation(first: Node, second: Node, language: str, volatile: frozenset[str] = frozenset()) -> bool:
    """True when evaluating ``second`` before ``first`` cannot change what the program does."""
    one = analyse(first, language, volatile)
    if one.effectful:
        return False
    two = analyse(second, language, volatile)
    return not two.effectful and not (one.order_sensitive and two.order_sensitive)


def looks_like_macro(name: str) -> bool:
    """An ALL_CAPS name (``MAX``, ``AV_LOG_ERROR``): in C most likely a macro we cannot see."""
    return len(name) > 1 and name.isupper()


def _has_string_operand(node: Node) -> bool:
    return any(child.type in ("string_literal", "text_block") for child in node.named_children)


def volatile_names(parsed: ParsedCode) -> frozenset[str]:
    """Names declared ``volatile`` in the snippet (C variables, Java fields); reads are ordered.

    Conservative: every identifier of such a declaration is taken, initialisers included.
    """
    if parsed.language not in ("c", "java") or b"volatile" not in parsed.source:
        return frozenset()
    names: set[str] = set()
    for node in walk(parsed.root):
        if node.type in VOLATILE_HOLDERS and b"volatile" in (node.text or b""):
            names.update(part.text.decode("utf-8", "replace") for part in walk(node) if part.type == "identifier")
    return frozenset(names)


VOLATILE_HOLDERS = frozenset({"declaration", "parameter_declaration", "field_declaration", "local_variable_declaration"})


# Where the text of an expression is itself output: C macro arguments (a macro may stringize
# them) and Python f-string fields (``f"{a < b=}"`` prints the expression).
TEXT_VISIBLE = {"c": frozenset({"call_expression"}), "java": frozenset(), "python": frozenset({"interpolation"})}


def text_visible(node: Node, language: str, stop_types: frozenset[str]) -> bool:
    """Does ``node`` sit where its text can be printed, looking up to the first of ``stop_types``?"""
    kinds = TEXT_VISIBLE[language]
    if not kinds:
        return False
    current = node.parent
    while current is not None and current.type not in stop_types:
        if current.type in kinds:
            return True
        current = current.parent
    return False
