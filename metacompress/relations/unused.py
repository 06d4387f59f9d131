"""add-unused-variable: declare and initialise a fresh local that nothing reads.

The declaration goes before an existing statement of a block (never as the unbraced body of an
``if``/``for``, which Java and C reject; never directly after a C ``case``/label, illegal before
C23; never before a Java ``this(...)``/``super(...)`` call). In Python the assignment goes only
into function bodies: at module or class level it would add a global or a class attribute, which
a program can observe.
"""

from __future__ import annotations

import random

from ..code.names import TextNames, fresh_name
from ..code.parsing import ParsedCode
from ..code.sites import ErrorGuard
from ..code.statements import Slot, StatementList, choose_insertion, indent_unit, newline_of, python_scope, render_lines, slot_at
from ..errors import NotApplicable
from .base import Edit, Relation

#: (type, initial value) per language; Python needs no type
DECLARATIONS = {
    "java": (("int", "0"), ("boolean", "false"), ("long", "0L"), ("double", "0.0")),
    "c": (("int", "0"), ("long", "0"), ("char", "0"), ("double", "0.0")),
    "python": (("", "0"), ("", "None"), ("", "''"), ("", "[]")),
}


class AddUnusedVariable(Relation):
    name = "add-unused-variable"
    summary = "declare and initialise a fresh local variable that is never used"
    example = ("int f(int a) {\n    return a;\n}", "int f(int a) {\n    int tmp3 = 0;\n    return a;\n}")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        language = parsed.language
        name = fresh_name(language, TextNames(parsed.text), rng)
        kind, value = rng.choice(DECLARATIONS[language])
        statement = f"{name} = {value}" if language == "python" else f"{kind} {name} = {value};"
        description = f"declared unused `{statement.rstrip(';')}`"
        newline = newline_of(parsed.source)
        guard = ErrorGuard(parsed)

        def attempt(point: tuple[StatementList, int]) -> Edit | None:
            slot = _declaration_slot(parsed, point)
            if slot is None:
                return None
            text = render_lines(slot, [(0, statement)], indent_unit(parsed.source, slot.indent or ""), newline)
            edit = Edit(slot.offset, slot.offset, text, description)
            return edit if guard.keeps_errors([edit]) else None

        edit = choose_insertion(parsed, rng, attempt)
        if edit is None:
            where = "function body" if language == "python" else "block"
            raise NotApplicable(guard.reason(f"no statement position in a {where} outside error regions"))
        return [edit]


def _declaration_slot(parsed: ParsedCode, point: tuple[StatementList, int]) -> Slot | None:
    slot = slot_at(parsed, point)
    if slot is None:
        return None
    if parsed.language == "c" and slot.directly_after_label:
        return None
    if parsed.language == "python" and python_scope(slot.before) != "function":
        return None
    return slot
