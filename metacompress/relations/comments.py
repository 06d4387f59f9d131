"""insert-comment: a comment at a statement boundary, often one that reads like code.

The comment goes before an existing statement of a statement list (the slots of statements.py),
on a line of its own at the statement's indentation (``// x = 0;``, ``/* TODO */``,
``# return None``), or inline as ``/* ... */`` where the statement does not start its line.
A comment changes no behaviour; the traps are where a comment is not a comment, or where it
swallows code:

- never inside a string, a character literal or a preprocessor directive: slots lie before
  statements, which start outside all of them (a C ``#define`` body is one ``preproc_arg`` token,
  never a statement list);
- a C or Java line whose predecessor ends with a backslash continues that line: there only an
  inline ``/* */`` comment goes, never ``//`` (which would swallow the continued text);
  Python refuses such slots altogether (statements.py: ``line_indent``);
- Python comments go only on their own line, never after a backslash continuation or inside a
  bracketed expression, and never say ``coding`` (a comment on line 1 or 2 matching
  ``coding[:=]`` would change how the file is decoded) or ``type:`` (a type comment);
- the text holds no backslash (a Java ``\\u000a`` escape ends a ``//`` comment early) and no
  ``*/``;
- nothing goes inside or beside an error region (ErrorGuard).
"""

from __future__ import annotations

import random
import re

from tree_sitter import Node

from ..code.names import RESERVED
from ..code.parsing import ParsedCode
from ..code.sites import ErrorGuard
from ..code.statements import StatementList, choose_insertion, newline_of, slot_at
from ..errors import NotApplicable
from .base import Edit, Relation

#: comment bodies; ``{v}`` is an identifier of the statement that follows (or a stock word)
CODE_LIKE = {
    "java": ("{v} = 0;", "return {v};", "{v}++;", "if ({v} == null) return;", "System.out.println({v});", "{v} = null;"),
    "c": ("{v} = 0;", "return {v};", "{v}++;", "if (!{v}) return -1;", "free({v});", "printf(\"%d\", {v});"),
    "python": ("{v} = None", "return {v}", "{v} += 1", "if {v} is None: return", "print({v})", "del {v}"),
}
PROSE = (
    "TODO: check {v}",
    "FIXME: {v} may be stale here",
    "update {v}",
    "fast path",
    "keep this order",
    "see above",
    "NOTE: {v} is never negative here",
)
STOCK_NAMES = ("result", "value", "count", "tmp")
WORD = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
#: at most this many bytes of the next statement are looked at for a name to quote
NAME_SEARCH_BYTES = 120


class InsertComment(Relation):
    name = "insert-comment"
    summary = "insert a comment (often one that reads like code) at a statement boundary"
    example = ("int f(int a) {\n    return a;\n}", "int f(int a) {\n    // a = 0;\n    return a;\n}")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        language = parsed.language
        newline = newline_of(parsed.source)
        guard = ErrorGuard(parsed)

        def attempt(point: tuple[StatementList, int]) -> Edit | None:
            slot = slot_at(parsed, point)
            if slot is None:
                return None
            body = comment_body(parsed, slot.before, rng)
            if slot.indent is None:
                text = f"/* {body} */ "  # Python slots always start their line
            elif language == "python":
                text = f"{slot.indent}# {body}{newline}"
            else:
                text = f"{slot.indent}// {body}{newline}" if rng.random() < 0.7 else f"{slot.indent}/* {body} */{newline}"
            edit = Edit(slot.offset, slot.offset, text, f"inserted comment `{text.strip()}`")
            return edit if guard.keeps_errors([edit]) else None

        edit = choose_insertion(parsed, rng, attempt)
        if edit is None:
            raise NotApplicable(guard.reason("no statement position outside error regions"))
        return [edit]


def comment_body(parsed: ParsedCode, statement: Node, rng: random.Random) -> str:
    """A comment text: code-like or prose, quoting a name of ``statement`` where it has one."""
    templates = CODE_LIKE[parsed.language] if rng.random() < 0.6 else PROSE
    template = rng.choice(templates)
    if "{v}" not in template:
        return _safe(template)
    names = _names_in(parsed, statement)
    name = rng.choice(names) if names else rng.choice(STOCK_NAMES)
    return _safe(template.replace("{v}", name))


def _names_in(parsed: ParsedCode, statement: Node) -> list[str]:
    """Distinct words of the statement's first bytes that are not keywords, in order of appearance.

    A text scan, not a tree walk (it runs once per rewrite and must stay cheap); a word from a
    string literal may come along, which is harmless in a comment.
    """
    head = parsed.source[statement.start_byte : min(statement.end_byte, statement.start_byte + NAME_SEARCH_BYTES)]
    reserved = RESERVED[parsed.language]
    found: list[str] = []
    for match in WORD.finditer(head.decode("utf-8", "ignore")):
        word = match.group()
        if word not in found and word not in reserved:
            found.append(word)
    return found


def _safe(text: str) -> str:
    """No backslash, no comment terminator, no coding or type declaration in a comment."""
    text = text.replace("\\", "").replace("*/", "* /")
    lowered = text.lower()
    if "coding" in lowered or "type:" in lowered:
        return "note"
    return text
