"""rename-identifiers: give local variables and parameters new names, scope-aware.

Only names declared inside a function are renamed (code.analysis and the language modules
code.c, code.java and code.python decide which, and which are not safe), and by default only
names no caller can see. The ``targets`` option (a ``+`` or ``,`` separated set of
``locals``, ``parameters`` and ``function``) says what to rename:

- ``locals`` (the default): local variables, and the parameters no caller can name: Java and C
  parameters (except Java ones that are annotated or whose method is), Python positional-only,
  ``*args`` and ``**kwargs`` parameters, and those of nested Python functions that never escape
  and are only called positionally (interfaces.py decides).
- ``parameters``: every parameter, including Python ones a caller can pass by keyword and those
  annotated Java ones. Risk: a caller outside the snippet passing ``f(key=...)``, or a framework
  binding a Java parameter by name, breaks. Parameters passed by keyword inside the snippet
  still keep their names.
- ``function``: each function's own name and its call sites in the snippet (MORPH-style method
  renaming), when every mention of the name is a call the analysis resolves; never ``main``,
  Java methods that may override or are overloaded, or Python methods. Risk: callers outside the
  snippet calling it by name, tests found by name, and the name shown in tracebacks, by
  ``__name__`` or by ``__func__``.

A new name never occurs anywhere in the snippet's text (as written or as a compiler folds it: see
code.names), is a valid identifier of the language and no keyword, common builtin or reserved
name (``safe_new_name``), and is given to one variable only (the case style may give two same-named variables from disjoint
scopes the same new name, exactly as they shared the old one), so it can neither capture nor be
captured by any other name.

Known limit: in C, a macro from a header that is not part of the snippet, used inside an
expression, that uses a local without taking it as an argument cannot be seen (one used as a
statement is guessed at: see code.c); renaming that local would break the build.
"""

from __future__ import annotations

import random
import re
from collections.abc import Container

from ..code.analysis import local_variables, locals_in_unparsed_code
from ..code.assumptions import UNPARSED_CODE
from ..code.edits import SameTreeEdits
from ..code.interfaces import function_names, parameter_exposure
from ..code.name_styles import random_words, switch_case
from ..code.names import TextNames, safe_new_name, used_words
from ..code.parsing import ParsedCode
from ..code.same_tokens import renames_keep_compiling, renames_keep_tree
from ..code.scopes import Variable, finish
from ..errors import NotApplicable, UsageError
from .base import Edit, Relation, register_relation

MAX_REASONS = 3
PLACEHOLDER = "var"  # style=placeholder names var0, var1, ...
LONG_TEXT = 20_000
TARGETS = ("locals", "parameters", "function")
TARGET_SEPARATORS = re.compile(r"[+,\s]+")


@register_relation
class RenameIdentifiers(Relation):
    name = "rename-identifiers"
    summary = (
        "rename local variables and the parameters no caller can name, scope-aware (placeholders, words or case style); "
        "option targets adds the other parameters and function names"
    )
    #: targets takes any +/, separated list of locals, parameters and function
    options = {
        "style": ("placeholder", "words", "case"),
        "targets": ("locals", "locals+parameters", "locals+parameters+function"),
    }
    example = ("int f(int count) { int total = count + 1; return total; }", "int f(int var0) { int var1 = var0 + 1; return var1; }")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        targets = set(options["targets"].split("+"))
        variables = _restrict(local_variables(parsed), targets, parameter_exposure(parsed))
        if "function" in targets:
            variables += finish(parsed, function_names(parsed), [])
            variables.sort(key=lambda v: (v.occurrences[0][0], v.name))
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
        return checked_rename_edits(parsed, new_names)

    def _check_options(self, options: dict[str, str]) -> dict[str, str]:
        """``targets`` is free text: a ``+`` or ``,`` separated set, stored in canonical order."""
        targets = options.get("targets")
        chosen = super()._check_options({key: value for key, value in options.items() if key != "targets"})
        if targets is None:
            return chosen
        names = [name for name in TARGET_SEPARATORS.split(targets.strip().lower()) if name]
        unknown = [name for name in names if name not in TARGETS]
        if not names or unknown:
            raise UsageError(
                f"relation {self.name}: targets must be a +/, separated list of {', '.join(TARGETS)}, not {targets!r}"
            )
        chosen["targets"] = "+".join(name for name in TARGETS if name in names)
        return chosen


def _restrict(variables: list[Variable], targets: set[str], exposure: dict[int, str]) -> list[Variable]:
    """Exclude what the targets leave out; a parameter a caller can name is a ``parameters``
    target, one no caller can name is renamed with ``locals`` or ``parameters``."""
    for variable in variables:
        if variable.kind == "local":
            if "locals" not in targets:
                variable.exclude("a local variable, and targets has no locals")
            continue
        seen = next((exposure[start] for start, _ in variable.occurrences if start in exposure), "")
        if seen and "parameters" not in targets:
            variable.exclude(f"{seen} (targets=locals+parameters renames it)")
        elif not seen and not targets & {"locals", "parameters"}:
            variable.exclude("a parameter, and targets has neither locals nor parameters")
    return variables


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
    in_text: Container[str] = used_words(text) if len(text) > LONG_TEXT else TextNames(text)
    if style == "placeholder" and isinstance(in_text, TextNames) and PLACEHOLDER not in in_text:
        in_text = ()  # no var<n> is part of a text without "var": spare a search of the text per name

    def free(name: str) -> str | None:
        safe = safe_new_name(language, name, in_text)
        return None if safe is None or safe in taken else safe

    if style == "case":
        owner: dict[str, str] = {}
        for variable in variables:
            new = free(switch_case(variable.name))
            if new is not None and new != variable.name and owner.get(new, variable.name) == variable.name:
                owner[new] = variable.name
                chosen.append((variable, new))
        return chosen
    counter = 0
    for variable in variables:
        new = None
        while new is None:
            if style == "placeholder":
                new = free(f"{PLACEHOLDER}{counter}")
                counter += 1
            else:
                new = free(random_words(rng, language))
        taken.add(new)
        chosen.append((variable, new))
    return chosen


def _reasons(variables: list[Variable]) -> str:
    shown = [f"{v.name} ({v.excluded})" for v in variables[:MAX_REASONS]]
    more = len(variables) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def renamable_variables(parsed: ParsedCode, targets: str = "locals", assumptions: Container[str] = ()) -> list[Variable]:
    """The variables rename-identifiers may rename under ``targets`` (same scope and interface
    rules), in order of first occurrence; used by ``metacompress attack`` to search renamings.
    With ``assumptions`` (names in code.assumptions), also those every exclusion of which one
    of them waives (``Variable.assumptions_needed``)."""
    chosen = set(targets.split("+"))
    variables = _restrict(local_variables(parsed), chosen, parameter_exposure(parsed))
    if "function" in chosen:
        variables += finish(parsed, function_names(parsed), [])
    if UNPARSED_CODE in assumptions:
        variables += [v for v in locals_in_unparsed_code(parsed, {v.name for v in variables}) if v.occurrences]
    variables.sort(key=lambda v: (v.occurrences[0][0], v.name))
    return [v for v in variables if v.assumptions_needed(assumptions) is not None]


def rename_edits(source: bytes, new_names: list[tuple[Variable, str]]) -> list[Edit]:
    """The edits that give each variable its new name at every occurrence."""
    return _splices(source, new_names)


def checked_rename_edits(parsed: ParsedCode, new_names: list[tuple[Variable, str]]) -> list[Edit]:
    """``rename_edits``, as ``SameTreeEdits`` where code.same_tokens proves the tree kept (and,
    for Python, the module compiling), so the output checks skip what the proof stands in for."""
    edits = _splices(parsed.source, new_names)
    renames = [(v.name, v.occurrences, new) for v, new in new_names]
    if renames_keep_tree(parsed, renames):
        return SameTreeEdits(edits, compiles=renames_keep_compiling(parsed, renames))
    return edits
