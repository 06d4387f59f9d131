"""return-temporary: ``return e;`` -> ``T tmp = e; return tmp;`` (Python: ``tmp = e`` / ``return tmp``).

The temporary gets a fresh name (none of the snippet's text) and, in Java and C, the function's
declared return type, so ``e`` goes through exactly the conversion the ``return`` applied
(Java: assignment context both times, target typing of lambdas and generic calls included; C:
initialisation converts as ``return`` does). Where the type cannot be written down, the return
is left alone:

- Java: returns inside a lambda (its return type is inferred), in a method declared with the
  old array syntax (``int f()[]``) or with an annotated return type, and ``void`` ones;
- C: functions whose return type is not a plain type with qualifiers and ``*`` (one returning a
  function pointer, ``int (*f(void))(int)``, a type defined in place, or a header the parser
  could not read, as with macros), and ``void`` ones;
- Python: functions that call ``locals()``, ``vars()``, ``dir()``, ``exec`` or ``eval`` (they
  would see the new local), returns in a ``class`` or lambda.

Placement: in a statement list, the declaration and the new ``return`` take the return's place
(two lines when it starts its line). Elsewhere (an unbraced ``if`` body, after a label, after a C
``case``) Java and C wrap both in braces; Python joins them with ``;`` on the one-line body.
Returns with a comment between their tokens are skipped (the comment would be lost).
"""

from __future__ import annotations

import functools
import random

from tree_sitter import Node, Query

from ..code.context import crosses_preprocessor
from ..code.names import TextNames, fresh_name
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from ..code.statements import line_indent, newline_of
from .base import Edit, Relation, register_relation

COMMENT_TYPES = frozenset({"comment", "line_comment", "block_comment"})
STEMS = ("result", "ret", "res", "out", "value")
#: statement lists where a declaration may stand without braces
LISTS = {"java": frozenset({"block", "constructor_body", "switch_block_statement_group"}),
         "c": frozenset({"compound_statement"}), "python": frozenset({"block"})}
FRAMES = {
    "java": frozenset({"method_declaration", "lambda_expression", "constructor_declaration", "class_body",
                       "compact_constructor_declaration", "static_initializer", "enum_body", "interface_body"}),
    "c": frozenset({"function_definition"}),
    "python": frozenset({"function_definition", "lambda", "class_definition"}),
}
PYTHON_INTROSPECTION = ("locals(", "vars(", "dir(", "exec(", "eval(")
C_TYPE_NODES = frozenset({"primitive_type", "sized_type_specifier", "type_identifier", "struct_specifier",
                          "union_specifier", "enum_specifier"})
C_DROPPED = frozenset({"storage_class_specifier", "attribute_specifier", "attribute_declaration", "ms_declspec_modifier",
                       "ms_call_modifier"})


@register_relation
class ReturnTemporary(Relation):
    name = "return-temporary"
    summary = "return a value through a fresh temporary of the function's return type (return e -> T tmp = e; return tmp)"
    example = ("int f(int a) {\n    return a * 2;\n}", "int f(int a) {\n    int result3 = a * 2;\n    return result3;\n}")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        returns = sorted(parsed.captures(_query(parsed.language)).get("ret", []), key=by_span)
        name = fresh_name(parsed.language, TextNames(parsed.text), rng, stems=STEMS)
        types: dict[int, str | None] = {}  # function start byte -> its return type text (None: unknown)
        return one_guarded_edit(returns, rng, lambda node: _rewrite(parsed, node, name, types), ErrorGuard(parsed),
                                "no return of a value whose type can be written down, outside error regions")


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), "(return_statement) @ret")


def _rewrite(parsed: ParsedCode, node: Node, name: str, types: dict[int, str | None]) -> Edit | None:
    language = parsed.language
    if parsed.in_error(node) or crosses_preprocessor(parsed, node) or any(child.type in COMMENT_TYPES for child in node.children):
        return None
    values = [child for child in node.named_children if child.type not in COMMENT_TYPES]
    if len(values) != 1:
        return None
    frame = node.parent
    while frame is not None and frame.type not in FRAMES[language]:
        frame = frame.parent
    if frame is None or frame.type != ("method_declaration" if language == "java" else "function_definition"):
        return None
    if frame.start_byte not in types:
        types[frame.start_byte] = _return_type(parsed, frame)
    kind = types[frame.start_byte]
    if kind is None:
        return None
    value = parsed.node_text(values[0])
    declaration = f"{name} = {value}" if language == "python" else f"{kind} {name} = {value};"
    final = f"return {name}" if language == "python" else f"return {name};"
    parent = node.parent
    in_list = parent is not None and parent.type in LISTS[language]
    indent = line_indent(parsed.source, node.start_byte)
    if in_list and indent is not None:
        text = f"{declaration}{newline_of(parsed.source)}{indent}{final}"
    elif language == "python":
        text = f"{declaration}; {final}"
    elif in_list:
        text = f"{declaration} {final}"
    else:
        text = f"{{ {declaration} {final} }}"
    return Edit(node.start_byte, node.end_byte, text, f"returned through a temporary `{name}`")


def _return_type(parsed: ParsedCode, function: Node) -> str | None:
    """The text of the function's return type ("" in Python), or None when it cannot be written."""
    if parsed.language == "python":
        body = function.child_by_field_name("body")
        text = parsed.node_text(body) if body is not None else ""
        return None if any(call in text for call in PYTHON_INTROSPECTION) else ""
    if parsed.language == "java":
        kind = function.child_by_field_name("type")
        if kind is None or kind.type == "void_type" or parsed.in_error(kind) or "@" in parsed.node_text(kind):
            return None
        if function.child_by_field_name("dimensions") is not None:
            return None
        return parsed.node_text(kind)
    return _c_return_type(parsed, function)


def _c_return_type(parsed: ParsedCode, function: Node) -> str | None:
    declarator = function.child_by_field_name("declarator")
    kind = function.child_by_field_name("type")
    if declarator is None or kind is None or kind.type not in C_TYPE_NODES:
        return None
    if kind.type in ("struct_specifier", "union_specifier", "enum_specifier") and kind.child_by_field_name("body") is not None:
        return None
    parts = []
    for child in function.children:
        if child.start_byte >= declarator.start_byte:
            break
        if child.type in C_DROPPED or child.type in COMMENT_TYPES:
            continue
        if child.type == "type_qualifier" or (child.start_byte, child.end_byte) == (kind.start_byte, kind.end_byte):
            parts.append(parsed.node_text(child))
            continue
        return None  # a macro or anything else we cannot place
    stars = ""
    current = declarator
    while current.type == "pointer_declarator":
        inner = current.child_by_field_name("declarator")
        if inner is None:
            return None
        stars += parsed.source[current.start_byte : inner.start_byte].decode("utf-8").replace("\n", " ")
        current = inner
    if current.type != "function_declarator":
        return None
    inner = current.child_by_field_name("declarator")
    if inner is None or inner.type != "identifier":
        return None
    if parsed.in_error(kind) or parsed.in_error(declarator):
        return None
    text = " ".join(parts)
    if not stars and text.split()[-1:] == ["void"]:
        return None
    return f"{text} {stars.strip()}" if stars else text
