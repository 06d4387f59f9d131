"""insert-dead-code: an unreachable block at a statement position.

The block is ``if (false) {...}`` (Java), ``if (0) {...}`` (C), ``if False:`` (Python), or a loop
that never runs (``for (int k = 0; k < 0; k++)`` in Java, ``while (0)`` in C, ``while False:``
in Python). Its body declares a fresh local and does arithmetic on it, so it touches no name of
the program and compiles wherever the original did. It goes before an existing statement (see
statements.py for why that keeps Java's reachability rules), never inside an error region.

Java rejects ``while (false)`` as an unreachable body, hence the counting loop there; its
condition is not a constant expression, so javac accepts it.
"""

from __future__ import annotations

import random

from ..code.names import TextNames, fresh_name
from ..code.parsing import ParsedCode
from ..code.sites import ErrorGuard
from ..code.statements import StatementList, choose_insertion, indent_unit, newline_of, render_lines, slot_at
from ..errors import NotApplicable
from .base import Edit, Relation

#: body templates: ``{v}`` is a fresh local, declared by the first line
BODIES = {
    "java": (("int {v} = 0;", "{v}++;"), ("int {v} = 1;", "{v} = {v} * 2;"), ("int {v} = 0;", "{v} += 1;")),
    "c": (("int {v} = 0;", "{v}++;"), ("int {v} = 1;", "{v} = {v} * 2;"), ("int {v} = 0;", "{v} += 1;")),
    "python": (("{v} = 0", "{v} += 1"), ("{v} = 1", "{v} = {v} * 2")),
}

#: block headers per form; ``{k}`` is a fresh loop counter
HEADERS = {
    ("java", "if"): ("if (false) {", "}"),
    ("java", "loop"): ("for (int {k} = 0; {k} < 0; {k}++) {", "}"),
    ("c", "if"): ("if (0) {", "}"),
    ("c", "loop"): ("while (0) {", "}"),
    ("python", "if"): ("if False:", None),
    ("python", "loop"): ("while False:", None),
}


class InsertDeadCode(Relation):
    name = "insert-dead-code"
    summary = "insert an unreachable block (if (false) / if (0) / if False, or a loop that never runs)"
    options = {"form": ("any", "if", "loop")}
    example = (
        "int f(int a) {\n    return a;\n}",
        "int f(int a) {\n    if (0) {\n        int tmp3 = 0;\n        tmp3++;\n    }\n    return a;\n}",
    )

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        form = options["form"] if options["form"] != "any" else rng.choice(("if", "loop"))
        lines = dead_block(parsed.language, form, TextNames(parsed.text), rng)
        description = f"inserted dead block `{lines[0][1].rstrip(' {:')}`"
        newline = newline_of(parsed.source)
        guard = ErrorGuard(parsed)

        def attempt(point: tuple[StatementList, int]) -> Edit | None:
            slot = slot_at(parsed, point)
            if slot is None:
                return None
            text = render_lines(slot, lines, indent_unit(parsed.source, slot.indent or ""), newline)
            edit = Edit(slot.offset, slot.offset, text, description)
            return edit if guard.keeps_errors([edit]) else None

        edit = choose_insertion(parsed, rng, attempt)
        if edit is None:
            raise NotApplicable(guard.reason("no statement position outside error regions"))
        return [edit]


def dead_block(language: str, form: str, taken: TextNames, rng: random.Random) -> list[tuple[int, str]]:
    """The block as (depth, text) lines, its names fresh with respect to ``taken``."""
    opener, closer = HEADERS[(language, form)]
    variable = fresh_name(language, taken, rng)
    if "{k}" in opener:
        opener = opener.replace("{k}", fresh_name(language, taken, rng, stems=("k", "idx", "n")))
    body = rng.choice(BODIES[language])
    lines = [(0, opener)] + [(1, line.replace("{v}", variable)) for line in body]
    if closer is not None:
        lines.append((0, closer))
    return lines
