"""split-declarations: one declaration of several variables becomes one declaration per variable.

Java and C: ``int a = 1, *b;`` -> ``int a = 1; int *b;``. Everything before the first declarator
(modifiers, annotations, qualifiers, storage class, the type) is repeated in front of each
later declarator, and each declarator keeps its own text: C's ``*``, arrays and function
pointers belong to the declarator, Java's ``int a, b[]`` too. Initialisers still run in the same
order, each after the previous variable exists. Left alone:

- declarations in a ``for`` header (one clause holds one declaration) and K&R parameter lists;
- C declarations whose type is defined in place (``struct S { ... } a, b;`` would define it
  twice; an anonymous struct would become two types) or uses ``typeof`` (it may evaluate), and
  ones with a preprocessor line or a comment before the first declarator;
- anything overlapping an error region.

Python: ``a, b = 1, x`` -> ``a = 1`` / ``b = x``, only when both sides are plain lists of the
same length, the targets are distinct names and every value is a literal or a name that is not
one of the targets (so assigning the first target cannot change what a later value reads), and
the statement starts its own line.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.parsing import ParsedCode, get_language, walk
from ..code.sites import ErrorGuard, by_span, pick
from ..code.statements import line_indent, newline_of
from ..errors import NotApplicable
from .base import Edit, Relation, register_relation

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)
COMMENT_TYPES = frozenset({"comment", "line_comment", "block_comment"})
QUERIES = {
    "java": "[(local_variable_declaration) (field_declaration) (constant_declaration)] @decl",
    "c": "(declaration) @decl",
    "python": "(expression_statement (assignment left: (pattern_list) right: (expression_list))) @decl",
}
#: where a C or Java declaration may be split (for headers and K&R parameter lists are not)
PARENTS = {
    "java": frozenset({"block", "constructor_body", "switch_block_statement_group", "class_body", "interface_body",
                       "enum_body_declarations"}),
    "c": frozenset({"compound_statement", "translation_unit"}),
    "python": frozenset({"block", "module"}),
}
IN_PLACE_TYPES = frozenset({"field_declaration_list", "enumerator_list"})
PYTHON_LITERALS = frozenset({"integer", "float", "true", "false", "none", "string"})


@register_relation
class SplitDeclarations(Relation):
    name = "split-declarations"
    summary = "split a declaration of several variables into one per variable (int a = 1, *b; -> int a = 1; int *b;)"
    example = ("int lo = 0, *hi = p;", "int lo = 0; int *hi = p;")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("decl", []), key=by_span)
        split = _split_python if parsed.language == "python" else _split_declaration
        guard = ErrorGuard(parsed)

        def attempt(node: Node) -> list[Edit] | None:
            if parsed.in_error(node) or node.parent is None or node.parent.type not in PARENTS[parsed.language]:
                return None
            edits = split(parsed, node)
            return edits if edits and guard.keeps_errors(edits) else None

        edits = pick(found, rng, attempt)
        if edits is None:
            what = "assignment of several names to as many literals or other names" if parsed.language == "python" else "declaration of several variables"
            raise NotApplicable(guard.reason(f"no {what} that can be split, outside error regions"))
        return edits


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def _split_declaration(parsed: ParsedCode, node: Node) -> list[Edit] | None:
    declarators = node.children_by_field_name("declarator")
    if len(declarators) < 2:
        return None
    source = parsed.source
    first = declarators[0]
    if parsed.language == "c":
        if PREPROCESSOR_LINE.search(source, node.start_byte, node.end_byte):
            return None
        for child in node.children:
            if child.start_byte >= first.start_byte:
                break
            if any(part.type in IN_PLACE_TYPES or part.type == "ERROR" for part in walk(child)):
                return None
    if any(child.type in COMMENT_TYPES and child.start_byte < first.start_byte for child in node.children):
        return None
    prefix = source[node.start_byte : first.start_byte].decode("utf-8").rstrip()
    if not prefix or (parsed.language == "c" and "typeof" in prefix):
        return None
    # between two declarators: exactly one comma (comments may sit around it)
    edits: list[Edit] = []
    for previous, current in zip(declarators, declarators[1:]):
        commas = [child for child in node.children
                  if previous.end_byte <= child.start_byte and child.end_byte <= current.start_byte and child.type == ","]
        others = [child for child in node.children
                  if previous.end_byte <= child.start_byte and child.end_byte <= current.start_byte
                  and child.type != "," and child.type not in COMMENT_TYPES]
        if len(commas) != 1 or others:
            return None
        edits.append(Edit(commas[0].start_byte, commas[0].end_byte, ";"))
        edits.append(Edit(current.start_byte, current.start_byte, prefix + " "))
    names = ", ".join(_declared_name(parsed, d) for d in declarators)
    edits[0] = Edit(edits[0].start, edits[0].end, edits[0].text, f"split the declaration of {names}")
    return edits


def _declared_name(parsed: ParsedCode, declarator: Node) -> str:
    for node in walk(declarator):
        if node.type == "identifier":
            return parsed.node_text(node)
    return "?"


def _split_python(parsed: ParsedCode, node: Node) -> list[Edit] | None:
    assignment = node.named_children[0] if node.named_child_count == 1 else None
    if assignment is None or assignment.type != "assignment":
        return None
    left = assignment.child_by_field_name("left")
    right = assignment.child_by_field_name("right")
    if left is None or right is None:
        return None
    targets = [child for child in left.named_children]
    values = [child for child in right.named_children]
    if len(targets) < 2 or len(targets) != len(values) or any(t.type != "identifier" for t in targets):
        return None
    names = [parsed.node_text(t) for t in targets]
    if len(set(names)) != len(names):
        return None
    for value in values:
        if not _python_plain_value(parsed, value, names):
            return None
    indent = line_indent(parsed.source, node.start_byte)
    text = parsed.node_text(node)
    if indent is None or "\\" in text or "\n" in text:
        return None
    newline = newline_of(parsed.source)
    lines = [f"{name} = {parsed.node_text(value)}" for name, value in zip(names, values)]
    return [Edit(node.start_byte, node.end_byte, (newline + indent).join(lines), f"split the assignment of {', '.join(names)}")]


def _python_plain_value(parsed: ParsedCode, value: Node, targets: list[str]) -> bool:
    """A literal (no f-string field), a negated number, or a name that is not a target."""
    if value.type == "identifier":
        return parsed.node_text(value) not in targets
    if value.type == "unary_operator":
        operand = value.child_by_field_name("argument")
        return operand is not None and operand.type in ("integer", "float")
    if value.type == "string":
        return not any(child.type == "interpolation" for child in walk(value))
    return value.type in PYTHON_LITERALS
