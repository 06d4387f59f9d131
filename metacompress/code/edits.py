"""Byte-range edits of a source text: what every rewrite is made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the source with ``text``.

    An edit with no description is part of a site that another edit of the rewrite describes
    (renaming a variable edits every occurrence but is one site).
    """

    start: int
    end: int
    text: str
    description: str = ""


def splice(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits; insertions at the same offset keep their given order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    pieces: list[bytes] = []
    cursor = 0
    for _, edit in ordered:
        if edit.start < cursor or edit.end < edit.start:
            raise ValueError(f"overlapping or inverted edit at byte {edit.start}")
        pieces.append(source[cursor : edit.start])
        pieces.append(edit.text.encode("utf-8"))
        cursor = edit.end
    pieces.append(source[cursor:])
    return b"".join(pieces)


class SameTreeEdits(list):
    """Edits proven to leave the parse tree as it was (code.same_tokens): the relation's own check
    skips the re-parse that would show it, and compile() too where ``compiles`` (Python: proven
    to compile wherever the original does)."""

    def __init__(self, edits: list[Edit], compiles: bool = False):
        super().__init__(edits)
        self.compiles = compiles
