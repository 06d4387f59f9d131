"""increment-form: ``i++``, ``++i``, ``i += 1`` and ``i = i + 1`` (and their ``--`` twins) interchanged.

Only in statement position (an expression statement, a ``for`` update clause, an operand of a C
comma expression there), where the value of the expression is discarded, so postfix and prefix
mean the same; never inside a larger expression. The target must be a plain name (it is written
twice in ``i = i + 1``). Which forms a site may take:

- C: all four, for every type (pointers step by one element in each form, ``_Bool`` saturates
  in each); not for names that look like macros (ALL_CAPS) or are ``volatile``.
- Java: ``i = i + 1`` does not compile for ``byte``/``short``/``char`` (the sum is an ``int``)
  and ``i++`` does not for ``String`` (where ``s += 1`` appends), so the forms depend on the
  declared type of ``i`` (arith.java_declared_types): ``int``/``long``/``float``/``double`` and
  their boxes take all four; ``byte``/``short``/``char`` take ``++``, prefix and ``+= 1``; the
  narrow boxes only ``++`` and prefix. With the type unknown, only ``i++`` <-> ``++i`` and
  ``i = i + 1`` -> ``i += 1`` (which holds for every type where the former compiles).
- Python (no ``++``): ``i += 1`` <-> ``i = i + 1``, only for names that hold an int, float, bool,
  str or None throughout the scope (arith.immutable_names).
"""

from __future__ import annotations

import functools
import random

from tree_sitter import Node, Query

from ..code.arith import python_scope
from ..code.context import Context, crosses_preprocessor, in_statement_position, plain_target
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from .base import Edit, Relation, register_relation

QUERIES = {
    "java": "[(update_expression) (assignment_expression)] @site",
    "c": "[(update_expression) (assignment_expression)] @site",
    "python": "(expression_statement [(augmented_assignment) (assignment)] @site)",
}
ONE = frozenset({"1"})
POSTFIX, PREFIX, COMPOUND, LONG = "postfix", "prefix", "compound", "long"
JAVA_WIDE = frozenset({"int", "long", "float", "double", "Integer", "Long", "Float", "Double"})
JAVA_NARROW = frozenset({"byte", "short", "char"})
JAVA_NARROW_BOXES = frozenset({"Byte", "Short", "Character"})


@register_relation
class IncrementForm(Relation):
    name = "increment-form"
    summary = "interchange i++, ++i, i += 1 and i = i + 1 (and --) in statement position; Python: i += 1 <-> i = i + 1"
    example = ("for (i = 0; i < n; i++)", "for (i = 0; i < n; i += 1)")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("site", []), key=by_span)
        context = Context(parsed)
        return one_guarded_edit(found, rng, lambda node: _rewrite(context, node, rng), ErrorGuard(parsed),
                                NO_SITE[parsed.language])


NO_SITE = {
    "java": "no increment or decrement by one of a plain name in statement position whose type allows another form",
    "c": "no increment or decrement by one of a plain name in statement position",
    "python": "no x += 1 or x = x + 1 (or -) on a name that only ever holds numbers or strings",
}


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def _form(parsed: ParsedCode, node: Node) -> tuple[str, Node, str] | None:
    """(form, target, "+" or "-") when ``node`` steps a name by one."""
    if node.type == "update_expression":
        argument = node.child_by_field_name("argument")
        operator = node.child_by_field_name("operator")
        if argument is None:  # Java's grammar has no fields here: (identifier) and the operator token
            named = [child for child in node.named_children if "comment" not in child.type]
            argument = named[0] if len(named) == 1 else None
        if operator is None:
            operator = next((child for child in node.children if child.type in ("++", "--")), None)
        if argument is None or operator is None:
            return None
        form = PREFIX if operator.start_byte < argument.start_byte else POSTFIX
        return form, argument, operator.type[0]
    target = node.child_by_field_name("left")
    operator = node.child_by_field_name("operator")
    value = node.child_by_field_name("right")
    if target is None or value is None:
        return None
    if node.type == "assignment" and operator is None:  # Python assignments have an unnamed "="
        symbol = "="
    elif operator is None:
        return None
    else:
        symbol = operator.type
    if symbol in ("+=", "-=") and parsed.node_text(value) in ONE and value.type in ("decimal_integer_literal", "number_literal", "integer"):
        return COMPOUND, target, symbol[0]
    if symbol == "=" and value.type in ("binary_expression", "binary_operator"):
        left = value.child_by_field_name("left")
        right = value.child_by_field_name("right")
        sign = value.child_by_field_name("operator")
        if (
            left is not None and right is not None and sign is not None and sign.type in ("+", "-")
            and parsed.node_text(left) == parsed.node_text(target) and parsed.node_text(right) in ONE
            and right.type in ("decimal_integer_literal", "number_literal", "integer")
        ):
            return LONG, target, sign.type
    return None


def _allowed(context: Context, form: str, target: Node, node: Node) -> list[str]:
    """The forms this site may take besides its own."""
    parsed = context.parsed
    name = parsed.node_text(target)
    if parsed.language == "c":
        forms = [POSTFIX, PREFIX, COMPOUND, LONG]
    elif parsed.language == "python":
        scope = python_scope(node)
        forms = [COMPOUND, LONG] if scope is not None and name in context.immutable(scope) else []
    else:
        declared = context.types.of(target)
        if declared in JAVA_WIDE:
            forms = [POSTFIX, PREFIX, COMPOUND, LONG]
        elif declared in JAVA_NARROW:
            forms = [POSTFIX, PREFIX, COMPOUND]
        elif declared in JAVA_NARROW_BOXES or form in (POSTFIX, PREFIX):
            forms = [POSTFIX, PREFIX]
        elif form == LONG:
            forms = [COMPOUND]
        else:
            forms = []
    return [other for other in forms if other != form]


def _rewrite(context: Context, node: Node, rng: random.Random) -> Edit | None:
    parsed = context.parsed
    if parsed.in_error(node) or crosses_preprocessor(parsed, node):
        return None
    found = _form(parsed, node)
    if found is None:
        return None
    form, target, sign = found
    name = plain_target(context, target)
    if name is None:
        return None
    if parsed.language != "python" and not in_statement_position(node):
        return None
    choices = _allowed(context, form, target, node)
    if not choices:
        return None
    chosen = rng.choice(choices)
    text = {
        POSTFIX: f"{name}{sign}{sign}",
        PREFIX: f"{sign}{sign}{name}",
        COMPOUND: f"{name} {sign}= 1",
        LONG: f"{name} = {name} {sign} 1",
    }[chosen]
    return Edit(node.start_byte, node.end_byte, text, f"{parsed.node_text(node)} -> {text}")
