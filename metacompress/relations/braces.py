"""add-braces and remove-braces (Java, C): the body of an if/else/for/while/do with or without braces.

``add-braces``: ``if (a) x();`` -> ``if (a) { x(); }``. A single statement and a block holding
just that statement behave alike, with one exception: a C macro that expands to several
statements (``#define SWAP(a, b) t = a; a = b; b = t``) is guarded only in its first statement
without braces, and entirely with them. Bodies that call a macro-looking (ALL_CAPS) name are
therefore left alone in C, as are bodies with a preprocessor line inside.

``remove-braces``: ``if (a) { x(); }`` -> ``if (a) x();``, only where the block holds exactly
one statement and that statement may stand alone:

- not a declaration (Java and C allow none as an unbraced body; a Java local class neither);
- dangling else: a statement that is an ``if`` or ends in one (through loop bodies and labels)
  is left braced whenever an ``else`` follows the block anywhere up the chain of trailing
  bodies (``if (z) for (;;) { if (y) a(); } else b();``): without braces that ``else`` would
  bind to the inner ``if``;
- C: the same macro and preprocessor exclusions as above.

Comments inside the block stay where they are; nothing overlapping an error region changes.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.effects import looks_like_macro
from ..code.parsing import ParsedCode, get_language, walk
from ..code.sites import ErrorGuard, by_span, pick
from ..errors import NotApplicable
from .base import Edit, Relation, register_relation
from .branches import _takes_dangling_else

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)
BLOCK_TYPES = frozenset({"block", "compound_statement"})
COMMENT_TYPES = frozenset({"comment", "line_comment", "block_comment"})
NOT_A_BODY = frozenset(
    {
        "local_variable_declaration", "declaration", "type_definition", "class_declaration", "interface_declaration",
        "enum_declaration", "record_declaration", "function_definition", "case_statement", "switch_label",
        "struct_specifier", "union_specifier", "enum_specifier",
    }
)  # fmt: skip
LOOPS = frozenset({"for_statement", "while_statement", "enhanced_for_statement", "labeled_statement"})
UNSUPPORTED = {"python": "Python blocks are indentation, not braces"}

QUERY = """
(if_statement consequence: (_) @body)
(if_statement alternative: (_) @body)
(else_clause (_) @body)
(for_statement body: (_) @body)
(while_statement body: (_) @body)
(do_statement body: (_) @body)
"""
JAVA_QUERY = QUERY.replace("(else_clause (_) @body)\n", "") + "(enhanced_for_statement body: (_) @body)\n"


@register_relation
class AddBraces(Relation):
    name = "add-braces"
    summary = "wrap the single-statement body of an if/else/for/while/do in braces"
    languages = ("java", "c")
    unsupported = UNSUPPORTED
    example = ("if (a < b)\n    m = b;", "if (a < b)\n    { m = b; }")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        bodies = [body for body in _bodies(parsed) if body.type not in BLOCK_TYPES]
        guard = ErrorGuard(parsed)

        def attempt(body: Node) -> list[Edit] | None:
            if body.type in NOT_A_BODY or body.type == "else_clause" or body.type.startswith("preproc"):
                return None
            if parsed.in_error(body) or not _plain_c(parsed, body, body):
                return None
            edits = [Edit(body.start_byte, body.start_byte, "{ ", f"braced the body `{_short(parsed, body)}`"),
                     Edit(body.end_byte, body.end_byte, " }")]
            return edits if guard.keeps_errors(edits) else None

        edits = pick(bodies, rng, attempt)
        if edits is None:
            raise NotApplicable(guard.reason("no unbraced if/else/loop body outside error regions"))
        return edits


@register_relation
class RemoveBraces(Relation):
    name = "remove-braces"
    summary = "drop the braces of an if/else/loop body that holds one statement (dangling-else safe)"
    languages = ("java", "c")
    unsupported = UNSUPPORTED
    example = ("if (a < b) {\n    m = b;\n}", "if (a < b)\n    m = b;")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        blocks = [body for body in _bodies(parsed) if body.type in BLOCK_TYPES]
        guard = ErrorGuard(parsed)

        def attempt(block: Node) -> list[Edit] | None:
            edits = _unbrace(parsed, block)
            return edits if edits is not None and guard.keeps_errors(edits) else None

        edits = pick(blocks, rng, attempt)
        if edits is None:
            raise NotApplicable(guard.reason("no braced if/else/loop body holding a single plain statement"))
        return edits


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), JAVA_QUERY if language == "java" else QUERY)


def _bodies(parsed: ParsedCode) -> list[Node]:
    found = parsed.captures(_query(parsed.language)).get("body", [])
    found = [node for node in found if node.type not in COMMENT_TYPES and node.type != "else_clause"]
    found.sort(key=by_span)
    unique: list[Node] = []
    for node in found:  # else_clause's child and the if's alternative may both capture in C
        if not unique or (unique[-1].start_byte, unique[-1].end_byte) != (node.start_byte, node.end_byte):
            unique.append(node)
    return unique


def _plain_c(parsed: ParsedCode, region: Node, statement: Node) -> bool:
    """C only: no preprocessor line in ``region``, no macro-looking call in ``statement``."""
    if parsed.language != "c":
        return True
    if PREPROCESSOR_LINE.search(parsed.source, region.start_byte, region.end_byte):
        return False
    for node in walk(statement):
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.type == "identifier" and looks_like_macro(parsed.node_text(function)):
                return False
        elif node.type == "identifier" and node.parent is not None and node.parent.type == "expression_statement":
            return False  # a bare name as a statement: most likely a macro
    return True


def _unbrace(parsed: ParsedCode, block: Node) -> list[Edit] | None:
    if parsed.in_error(block) or block.child_count < 2:
        return None
    inner = [child for child in block.named_children if child.type not in COMMENT_TYPES]
    if len(inner) != 1:
        return None
    statement = inner[0]
    if statement.type in NOT_A_BODY or statement.type.startswith("preproc"):
        return None
    if not _plain_c(parsed, block, statement):
        return None
    if _takes_dangling_else(statement) and _else_follows(block):
        return None
    source = parsed.source
    opening, closing = block.children[0], block.children[-1]
    if opening.type != "{" or closing.type != "}":
        return None
    left = opening.start_byte
    while left > 0 and source[left - 1 : left] in (b" ", b"\t"):
        left -= 1
    between = source[opening.end_byte : statement.start_byte].decode("utf-8")
    if between.strip():
        head = " " + between.lstrip(" \t")
    else:
        head = between if "\n" in between else " "
    tail = source[statement.end_byte : closing.start_byte].decode("utf-8")
    end = closing.end_byte
    line_end = source.find(b"\n", end)
    rest_of_line = source[end : line_end if line_end >= 0 else len(source)]
    if not tail.strip() and not ("\n" in tail and rest_of_line.strip()):
        tail = ""  # ``x(); }`` -> ``x();``; a following ``else`` keeps its own line
    elif not tail.strip():
        while source[end : end + 1] in (b" ", b"\t"):
            end += 1
    return [
        Edit(left, statement.start_byte, head, f"removed the braces around `{_short(parsed, statement)}`"),
        Edit(statement.end_byte, end, tail),
    ]


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and a.start_byte == b.start_byte and a.end_byte == b.end_byte and a.type == b.type


def _has_else(if_statement: Node) -> bool:
    return if_statement.child_by_field_name("alternative") is not None


def _else_follows(node: Node) -> bool:
    """True when an ``else`` comes right after ``node``'s text, up the chain of trailing bodies."""
    current = node
    while True:
        parent = current.parent
        if parent is None:
            return False
        if parent.type == "if_statement":
            if _same(parent.child_by_field_name("consequence"), current):
                return _has_else(parent)
            current = parent  # the alternative ends the if: what follows the if follows it
        elif parent.type == "else_clause":
            current = parent
        elif parent.type in LOOPS and _same(_body(parent), current):
            current = parent
        else:
            return False


def _body(loop: Node) -> Node | None:
    body = loop.child_by_field_name("body")
    if body is not None:
        return body
    named = [child for child in loop.named_children if child.type not in COMMENT_TYPES]
    return named[-1] if named else None


def _short(parsed: ParsedCode, node: Node) -> str:
    text = " ".join(parsed.node_text(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
