"""Escaping and bounding every string a report shows that came from a user.

Ids, file names, label names, relation options and skip reasons end up in report.md (posted as a
pull-request comment by CI), report.html and samples.csv (opened in a spreadsheet). Rendered
raw, an id can carry HTML (``<img src=x onerror=...>``), Markdown links, a newline that forges a
heading, or a spreadsheet formula. The renderers take every such value through this module:

- ``md_text`` for inline Markdown text: HTML neutralised, structure-forming Markdown escaped,
  newlines and control characters gone, cut to ``MAX_TEXT`` characters;
- ``md_code`` for a fenced code block whose fence outruns any backtick run inside, bounded in
  lines and characters;
- ``clip`` for the length bound alone (report.html escapes with ``html.escape`` on top);
- ``csv_cell`` / ``csv_value`` for formula neutralisation in CSV cells, and its inverse;
- ``cap_sections`` for the final bound on a whole document.

report.json, rewrites.jsonl and adversarial.jsonl are data files: they keep every string whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200  # characters of one id, name, path or reason in report.md and report.html
MAX_CODE_LINES = 30  # lines of one code block in report.md
MAX_CODE_LINE_CHARS = 160  # characters of one line of such a block
MAX_CODE_CHARS = 4000  # characters of one such block in all
MARKDOWN_LIMIT = 65_536  # GitHub's limit on a comment: report.md never exceeds it
HTML_LIMIT = 2_000_000  # report.html never exceeds this many characters

_LINE_BREAKS = "\n\r\t\v\f\x85\u2028\u2029"
# Backslash-escaped wherever they occur: they open code, emphasis, links and images (``!`` and
# ``(`` do nothing without a ``[``), table cells and strikethrough.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*\[\]|~])")
# A run of underscores between two letters or digits cannot open or close emphasis; others can.
_UNDERSCORES = re.compile(r"_+")
# What can open an HTML tag, comment or autolink ("a < b" and "<= 0" cannot).
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
# Entity-like text (``&lt;``) would render as the character it names.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a line these open a heading, quote, list or setext underline.
_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+[.)])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def clip(value: Any, limit: int = MAX_TEXT, *, keep_tabs: bool = False) -> str:
    """``value`` as one line of at most ``limit`` characters (plus a note of the full length)."""
    text = str(value)
    if len(text) <= limit:
        return _one_line(text, keep_tabs)
    return f"{_one_line(text[:limit], keep_tabs)}… ({len(text):,} characters)"  # _one_line keeps the length


def _one_line(text: str, keep_tabs: bool = False) -> str:
    """Line breaks become spaces; other control and format characters (bidi overrides, zero
    widths, escape sequences) become U+FFFD, so nothing invisible reaches a reader."""
    if text.isprintable():
        return text
    return "".join(c if c == "\t" and keep_tabs else " " if c in _LINE_BREAKS
                   else "\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def md_text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` as inline Markdown text that renders as the characters it holds, on one line,
    within ``limit`` characters: no HTML, link, image, emphasis, table cell or heading from it."""
    text = clip(value, limit)
    text = _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", text))
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    text = _UNDERSCORES.sub(_underscores, text)
    return _LINE_START.sub(_line_start, text)


def _underscores(run: re.Match) -> str:
    text, start, end = run.string, run.start(), run.end()
    inside_word = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return run.group() if inside_word else run.group().replace("_", "\\_")


def _line_start(match: re.Match) -> str:
    space, mark = match.groups()
    return f"{space}{mark[:-1]}\\{mark[-1]}"  # "\\-", "\\#", "1\\."


def md_code(code: str, language: str = "", *, max_lines: int = MAX_CODE_LINES,
            max_line_chars: int = MAX_CODE_LINE_CHARS, max_chars: int = MAX_CODE_CHARS) -> str:
    """A fenced code block of ``code`` cut to the bounds, its fence longer than any backtick run
    inside so that nothing in the code can close it."""
    lines, cut_lines = [], 0
    for line in code.splitlines():
        if len(lines) == max_lines:
            cut_lines += 1
            continue
        lines.append(clip(line, max_line_chars, keep_tabs=True))
    text = "\n".join(lines)
    if len(text) > max_chars:
        text = text[:max_chars] + "…"
    if cut_lines:
        text += f"\n... ({cut_lines} more lines)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+-]", "", language)[:20]
    return f"{fence}{info}\n{text}\n{fence}"


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs (OWASP's CSV injection rule): a string that
    starts with ``= + - @``, a tab or a carriage return gets a leading ``'``, and so does one that
    already starts with ``'``, so that ``csv_value`` restores every string exactly. Numbers, and
    strings that are plain numbers such as ``-0.5``, stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_value(cell: Any) -> Any:
    """The value ``csv_cell`` was given."""
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


@dataclass(frozen=True)
class Section:
    """A part of a document; when the document is over its limit, the parts with the lowest
    ``keep`` give way first, each replaced by ``note``."""

    text: str
    keep: int = 100  # 100: never dropped (the headline)
    note: str = ""


def cap_sections(sections: list[Section], separator: str, limit: int, closing: str = "") -> str:
    """The sections joined, within ``limit`` characters: the least important give way to their
    notes until it fits; if even the rest is too long, it is cut at a line with a note."""
    texts = [s.text for s in sections]
    order = sorted((i for i, s in enumerate(sections) if s.keep < 100), key=lambda i: sections[i].keep)
    for index in order:
        if len(_joined(texts, separator, closing)) <= limit:
            break
        texts[index] = sections[index].note
    document = _joined(texts, separator, closing)
    if len(document) <= limit:
        return document
    note = f"\n\n(cut at {limit:,} characters; report.json holds everything)\n"
    head = document[: limit - len(note) - len(closing)]
    return head[: head.rfind("\n") + 1].rstrip("\n") + note + closing


def _joined(texts: list[str], separator: str, closing: str) -> str:
    return separator.join(t for t in texts if t) + closing
