"""rename-identifiers: give local variables and parameters new names, scope-aware.

Only names declared inside a function are renamed (scope.py decides which, and which are not
safe). A new name never occurs anywhere in the snippet's text, is no keyword or common builtin,
and is given to one variable only (the case style may give two same-named variables from
disjoint scopes the same new name, exactly as they shared the old one), so it can neither
capture nor be captured by any other name.

Known limit: in C, a macro from a header that is not part of the snippet, used inside an
expression, that uses a local without taking it as an argument cannot be seen (one used as a
statement is guessed at: see scope_c.py); renaming that local would break the build.
"""

from __future__ import annotations

import random
import re

from ..errors import NotApplicable
from .base import Edit, Relation
from .name_styles import random_words, switch_case
from .names import is_usable
from .parsing import ParsedCode
from .scope import Variable, local_variables

MAX_REASONS = 3
LONG_TEXT = 20_000
WORD = re.compile(r"\w+")


class RenameIdentifiers(Relation):
    name = "rename-identifiers"
    summary = "rename local variables and parameters, scope-aware (placeholders, words or case style)"
    options = {"style": ("placeholder", "words", "case")}
    example = ("int f(int count) { int total = count + 1; return total; }", "int f(int var0) { int var1 = var0 + 1; return var1; }")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        variables = local_variables(parsed)
        if not variables:
            if parsed.error_ranges:
                raise NotApplicable("no local variable or parameter outside the regions the parser could not read")
            raise NotApplicable("no local variable or parameter to rename")
        renamable = [v for v in variables if not v.excluded]
        if not renamable:
            raise NotApplicable(f"no local variable can be renamed safely: {_reasons(variables)}")
        new_names = _choose_names(renamable, options["style"], parsed.language, parsed.text, rng)
        if not new_names:
            raise NotApplicable("no local variable name has a camelCase/snake_case counterpart that is free")
        return _splices(parsed.source, new_names)


def _splices(source: bytes, new_names: list[tuple[Variable, str]]) -> list[Edit]:
    """One described edit per variable, at its first occurrence (the report's site); the other
    occurrences between two such sites are spliced as one undescribed edit of that stretch:
    the same output as an edit per occurrence, with far fewer objects on large functions."""
    sites = {variable.occurrences[0][0]: f"renamed {variable.name} -> {new}" for variable, new in new_names}
    marks = sorted((start, end, new.encode("utf-8")) for variable, new in new_names for start, end in variable.occurrences)
    edits: list[Edit] = []
    pieces: list[bytes] = []
    stretch_start = cursor = 0
    for start, end, new in marks:
        description = sites.get(start)
        if description is not None:
            if pieces:
                edits.append(Edit(stretch_start, cursor, b"".join(pieces).decode("utf-8")))
                pieces = []
            edits.append(Edit(start, end, new.decode("utf-8"), description))
        elif pieces:
            pieces += (source[cursor:start], new)
        else:
            stretch_start, pieces = start, [new]
        cursor = end
    if pieces:
        edits.append(Edit(stretch_start, cursor, b"".join(pieces).decode("utf-8")))
    return edits


def _choose_names(variables: list[Variable], style: str, language: str, text: str, rng: random.Random) -> list[tuple[Variable, str]]:
    """(variable, new name) in order of first occurrence; names are drawn in that order.

    A new name must not occur anywhere in the text, even in a string or a comment (for short
    texts even inside a longer word): stricter than needed, and cheaper than a tree walk.
    """
    chosen: list[tuple[Variable, str]] = []
    taken: set[str] = set()
    # a word set for long texts, where a substring test per candidate would be quadratic
    in_text = set(WORD.findall(text)).__contains__ if len(text) > LONG_TEXT else text.__contains__

    def free(name: str) -> bool:
        return is_usable(name, language, taken) and not in_text(name)

    if style == "case":
        owner: dict[str, str] = {}
        for variable in variables:
            new = switch_case(variable.name)
            if new != variable.name and free(new) and owner.get(new, variable.name) == variable.name:
                owner[new] = variable.name
                chosen.append((variable, new))
        return chosen
    counter = 0
    for variable in variables:
        while True:
            if style == "placeholder":
                new = f"var{counter}"
                counter += 1
            else:
                new = random_words(rng, language)
            if new not in taken and not in_text(new) and is_usable(new, language, taken):
                break
        taken.add(new)
        chosen.append((variable, new))
    return chosen


def _reasons(variables: list[Variable]) -> str:
    shown = [f"{v.name} ({v.excluded})" for v in variables[:MAX_REASONS]]
    more = len(variables) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
