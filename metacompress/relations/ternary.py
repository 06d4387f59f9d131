"""ternary-to-if: ``x = c ? a : b;`` becomes ``if (c) { x = a; } else { x = b; }``.

Also declarations, ``int x = c ? a : b;`` -> ``int x;`` and the same ``if`` (Java's definite
assignment accepts it: each branch assigns once, and ``x`` stays effectively final), and Python's
``x = a if c else b`` -> ``if c:`` / ``x = a`` / ``else:`` / ``x = b``. Only whole statements whose
target is a plain name (Python: any single target: the value is computed before the target in
both forms), so the order of evaluation stays: condition, one branch, store.

The conditional expression converts both branches to one type before the store; the ``if``
converts each branch straight to ``x``'s type. Where that could differ the statement is left:

- Java: ``x``'s type (declared in the snippet) must be a primitive or ``String``; a primitive
  target refuses a ``null`` branch (``int x = c ? 1 : null`` compiles, ``x = null`` does not) and a
  ``double`` one refuses a float branch beside an integral one (``c ? someLong : 1f`` rounds the
  long to float first). ``final`` declarations and ``var`` are left alone.
- C: the usual arithmetic conversions could pass a branch through another type (``long x = c ?
  -1 : 1u`` is 4294967295; ``int x = c ? 16777217 : f`` rounds through float), so for an
  arithmetic ``x`` the branches must be two int constants, a constant in [0, 2**24) beside
  anything (every common type holds both exactly), two names of one declared type, or an int
  constant beside a name of exactly ``x``'s type (arith.DeclaredTypes). Pointer conversions keep
  the address, so a pointer ``x`` takes any branches. ``static`` declarations and ``const``
  objects are left alone (``const char *p`` is fine: its pointee is const), as are ternaries
  with a preprocessor line inside.
- Python: the statement must be one line, start it, and be the last thing on it (before a
  comment), so the new block holds nothing else; annotated assignments are left alone.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.arith import DeclaredTypes, java_primitive, java_type
from ..code.context import Context
from ..code.effects import looks_like_macro
from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from ..code.statements import indent_unit, line_indent, newline_of
from .base import Edit, Relation, register_relation

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)
QUERIES = {
    "java": "[(expression_statement (assignment_expression)) (local_variable_declaration)] @site",
    "c": "[(expression_statement (assignment_expression)) (declaration)] @site",
    "python": "(expression_statement (assignment)) @site",
}
LISTS = {
    "java": frozenset({"block", "constructor_body", "switch_block_statement_group"}),
    "c": frozenset({"compound_statement", "case_statement"}),
    "python": frozenset({"block", "module"}),
}
TERNARY = {"java": "ternary_expression", "c": "conditional_expression", "python": "conditional_expression"}
JAVA_TARGETS = frozenset({"int", "long", "short", "byte", "char", "float", "double", "boolean", "String"})
JAVA_INTEGRAL = frozenset({"byte", "short", "char", "int", "long"})
C_INTEGER = re.compile(r"^-?(0[xX][0-9a-fA-F]+|[0-9]+)$")


@register_relation
class TernaryToIf(Relation):
    name = "ternary-to-if"
    summary = "turn an assignment of a conditional expression into an if/else of two assignments"
    example = ("m = a > b ? a : b;", "if (a > b) {\n    m = a;\n} else {\n    m = b;\n}")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("site", []), key=by_span)
        facts = Context(parsed)
        return one_guarded_edit(found, rng, lambda node: _rewrite(facts, node), ErrorGuard(parsed),
                                "no assignment of a conditional expression whose branches keep their values")


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression":
        inner = [child for child in node.named_children if "comment" not in child.type]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def _parts(parsed: ParsedCode, ternary: Node) -> tuple[Node, Node, Node] | None:
    """(condition, consequence, alternative) of a conditional expression."""
    if parsed.language == "python":
        operands = [child for child in ternary.named_children if child.type != "comment"]
        if len(operands) != 3:
            return None
        return operands[1], operands[0], operands[2]
    condition = ternary.child_by_field_name("condition")
    consequence = ternary.child_by_field_name("consequence")
    alternative = ternary.child_by_field_name("alternative")
    if condition is None or consequence is None or alternative is None:
        return None  # GNU ``c ?: b``
    return condition, consequence, alternative


def _rewrite(facts: Context, node: Node) -> Edit | None:
    parsed = facts.parsed
    language = parsed.language
    marker = b"if" if language == "python" else b"?"
    if marker not in parsed.source[node.start_byte : node.end_byte]:
        return None  # cheap: most candidates hold no conditional expression at all
    if parsed.in_error(node) or node.parent is None:
        return None
    in_list = node.parent.type in LISTS[language]
    if language == "python":
        return _rewrite_python(parsed, node) if in_list else None
    if language == "c" and PREPROCESSOR_LINE.search(parsed.source, node.start_byte, node.end_byte):
        return None
    if node.type == "expression_statement":
        assignment = node.named_children[0]
        if assignment.type != "assignment_expression":
            return None
        operator = assignment.child_by_field_name("operator")
        target = assignment.child_by_field_name("left")
        ternary = _unwrap(assignment.child_by_field_name("right"))
        if operator is None or operator.type != "=" or target is None or target.type != "identifier" or ternary is None:
            return None
        name = parsed.node_text(target)
        declared = facts.types.of(target) if ternary.type == TERNARY[language] else None
        declaration = None
    else:
        if not in_list:
            return None
        found = _declaration(facts, node)
        if found is None:
            return None
        name, declared, ternary, declaration = found
    if ternary.type != TERNARY[language] or not declared:
        return None
    parts = _parts(parsed, ternary)
    if parts is None:
        return None
    condition, consequence, alternative = parts
    if language == "java" and not _java_branches_keep(parsed, facts.types, declared, consequence, alternative):
        return None
    if language == "c":
        if looks_like_macro(name) or name in facts.volatile:
            return None
        if not _c_branches_keep(parsed, facts.types, declared, consequence, alternative):
            return None
    return _render_braced(parsed, node, name, condition, consequence, alternative, declaration, in_list)


def _declaration(facts: Context, node: Node) -> tuple[str, str, Node, str] | None:
    """(name, type, ternary, declaration without initialiser) of a one-variable declaration."""
    parsed = facts.parsed
    declarators = node.children_by_field_name("declarator")
    if len(declarators) != 1:
        return None
    declarator = declarators[0]
    first = declarator
    if parsed.language == "java":
        kind = node.child_by_field_name("type")
        if kind is None or declarator.child_by_field_name("dimensions") is not None:
            return None
        for child in node.children:
            if child.type == "modifiers" and ("final" in parsed.node_text(child) or "@" in parsed.node_text(child)):
                return None
        declared = "".join(parsed.node_text(kind).split())
        name_node = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        if name_node is None or value is None or declared not in JAVA_TARGETS:
            return None
        head = parsed.source[node.start_byte : name_node.end_byte].decode("utf-8")
        return parsed.node_text(name_node), declared, _unwrap(value), head + ";"
    # C: ``T x = ...`` or ``T *x = ...``, no storage class or qualifier
    if declarator.type != "init_declarator":
        return None
    qualified = False
    for child in node.children:
        if child.start_byte >= first.start_byte:
            break
        if child.type in ("storage_class_specifier", "attribute_specifier", "comment"):
            return None
        qualified = qualified or child.type == "type_qualifier"
    kind = node.child_by_field_name("type")
    inner = declarator.child_by_field_name("declarator")
    value = declarator.child_by_field_name("value")
    if kind is None or inner is None or value is None:
        return None
    stars = ""
    current = inner
    while current.type == "pointer_declarator":
        if any(child.type == "type_qualifier" for child in current.children):
            return None
        stars += "*"
        current = current.child_by_field_name("declarator")
        if current is None:
            return None
    if current.type != "identifier" or (qualified and not stars):
        return None  # ``const int x`` cannot be assigned later; ``const char *p`` can (its pointee is const)
    base = " ".join(parsed.node_text(kind).split())
    head = parsed.source[node.start_byte : inner.end_byte].decode("utf-8")
    return parsed.node_text(current), base + stars, _unwrap(value), head + ";"


def _java_branches_keep(parsed: ParsedCode, types: DeclaredTypes, declared: str, *branches: Node) -> bool:
    if declared not in JAVA_TARGETS:
        return False
    if declared == "String":
        return True
    if any(_unwrap(branch).type == "null_literal" for branch in branches):
        return False
    if declared != "double":
        return True
    kinds = [java_primitive(java_type(parsed, branch, types)) for branch in branches]
    if None in kinds:
        return False
    return not ("float" in kinds and any(kind in JAVA_INTEGRAL for kind in kinds))


def _c_kind(parsed: ParsedCode, types: DeclaredTypes, branch: Node) -> tuple[str, str | None]:
    """How a C branch converts: ("small", None) for an integer or plain character constant in
    [0, 2**24) (exact in every arithmetic type), ("int", None) for another int constant,
    ("null", None), ("string", None), ("typed", its declared type) for a declared name, else
    ("other", None)."""
    branch = _unwrap(branch)
    if branch is None:
        return "other", None
    kind = branch.type
    if kind == "number_literal":
        text = parsed.node_text(branch)
        if not C_INTEGER.match(text) or len(text) > 9:
            return "other", None
        value = int(text, 0) if not text.lstrip("-").startswith("0") or text.lstrip("-") in ("0",) or "x" in text.lower() else None
        if value is None:
            return "int", None  # an octal constant: an int all the same
        return ("small", None) if 0 <= value < 2**24 else ("int", None)
    if kind == "char_literal":
        text = parsed.node_text(branch)
        plain = len(text) == 3 and text[0] == text[2] == "'" and text[1].isascii() and text[1] != "\\"
        return ("small", None) if plain else ("other", None)
    if kind == "null" or (kind == "identifier" and parsed.node_text(branch) == "NULL"):
        return "null", None
    if kind in ("string_literal", "concatenated_string"):
        return "string", None
    if kind == "identifier":
        found = types.of(branch)
        return ("typed", found) if found else ("other", None)
    return "other", None


def _c_branches_keep(parsed: ParsedCode, types: DeclaredTypes, declared: str, *branches: Node) -> bool:
    """True when converting each branch straight to ``declared`` equals converting it through the
    conditional's common type (C's usual arithmetic conversions).

    Pointers: every conversion between pointer types keeps the address, so any branches do.
    Arithmetic: the common type of a branch and a constant in [0, 2**24) holds both exactly; two
    branches of one declared type have that type in common; an int constant beside a branch of
    exactly ``declared``'s type converts as it would directly (the common type is ``declared``,
    or ``int`` when that is narrower). Anything else (``long x = c ? -1 : 1u``) is refused.
    """
    if declared.endswith("*"):
        return True
    kinds = [_c_kind(parsed, types, branch) for branch in branches]
    names = [name for name, _ in kinds]
    if "null" in names or "string" in names:
        return False
    if "small" in names:
        return True
    if all(name == "int" for name in names):
        return True
    typed = [found for name, found in kinds if name == "typed"]
    if len(typed) == 2 and typed[0] == typed[1]:
        return True
    return all(name == "int" or (name == "typed" and found == declared) for name, found in kinds)


def _branch_text(parsed: ParsedCode, branch: Node) -> str:
    text = parsed.node_text(branch)
    return f"({text})" if branch.type == "comma_expression" else text


def _render_braced(parsed: ParsedCode, node: Node, name: str, condition: Node, consequence: Node, alternative: Node,
                   declaration: str | None, in_list: bool) -> Edit:
    source = parsed.source
    condition_text = parsed.node_text(condition)
    if condition.type != "parenthesized_expression":
        condition_text = f"({condition_text})"
    first = f"{name} = {_branch_text(parsed, consequence)};"
    second = f"{name} = {_branch_text(parsed, alternative)};"
    indent = line_indent(source, node.start_byte)
    if in_list and indent is not None:
        newline = newline_of(source)
        inner = indent + indent_unit(source, indent)
        lines = [f"if {condition_text} {{", f"{inner}{first}", f"{indent}}} else {{", f"{inner}{second}", f"{indent}}}"]
        text = newline.join(lines)
        if declaration is not None:
            text = declaration + newline + indent + text
    else:
        text = f"if {condition_text} {{ {first} }} else {{ {second} }}"
        if declaration is not None:
            text = f"{declaration} {text}"
        elif not in_list:
            text = f"{{ {text} }}"
    return Edit(node.start_byte, node.end_byte, text, f"turned the conditional assignment of {name} into an if/else")


def _rewrite_python(parsed: ParsedCode, node: Node) -> Edit | None:
    assignment = node.named_children[0] if node.named_child_count == 1 else None
    if assignment is None or assignment.type != "assignment" or assignment.child_by_field_name("type") is not None:
        return None
    target = assignment.child_by_field_name("left")
    ternary = _unwrap(assignment.child_by_field_name("right"))
    if target is None or ternary is None or ternary.type != "conditional_expression":
        return None
    if target.type not in ("identifier", "attribute", "subscript"):
        return None
    parts = _parts(parsed, ternary)
    if parts is None:
        return None
    condition, consequence, alternative = parts
    source = parsed.source
    indent = line_indent(source, node.start_byte)
    text = parsed.node_text(node)
    if indent is None or "\n" in text or "\\" in text:
        return None
    line_end = source.find(b"\n", node.end_byte)
    rest = source[node.end_byte : line_end if line_end >= 0 else len(source)].strip()
    if rest and not rest.startswith(b"#"):
        return None
    newline = newline_of(source)
    inner = indent + indent_unit(source, indent)
    target_text = parsed.node_text(target)
    lines = [
        f"if {parsed.node_text(condition)}:",
        f"{inner}{target_text} = {parsed.node_text(consequence)}",
        f"{indent}else:",
        f"{inner}{target_text} = {parsed.node_text(alternative)}",
    ]
    return Edit(node.start_byte, node.end_byte, newline.join(lines), f"turned the conditional assignment of {target_text} into an if/else")
