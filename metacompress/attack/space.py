"""The search space of one input: semantics-preserving edit sets and the code each one gives.

A candidate is an edit set: renamings of renamable variables (the scope and interface rules of
rename-identifiers decide which variables may be renamed, and rename-identifiers' splicing gives
every occurrence the new name) plus up to ``max_relations`` relation applications, each a
(relation, seed, side) applied after the renamings through ``Relation.apply``. Every candidate is
validated as a relation's output is: the renamed text re-parses with the same parse errors (and
compiles, for Python), or code.same_tokens proves it would, and every relation application is
validated by ``Relation.apply`` itself; an invalid candidate has no code and is never sent to a
model.

Rename candidates per variable (``--substitutes``):
- the record's substitutes field ({variable name: [candidate names]}, ALERT's precomputed
  candidates in the BigCloneBench and Devign test sets), where the record has an entry for it:
  the first ``--candidates`` safe ones are the names the searches draw from, the rest a reserve
  that the end-of-search sweep and ``--recipe alert`` (ALERT tries every substitute) also reach;
- otherwise generated: the variable's other case style (camelCase <-> snake_case), then the names
  of renamable variables harvested from the whole sample, most frequent first (shuffled within a
  seeded draw so that each variable sees a different order), then two-word names in
  rename-identifiers' ``words`` style, until ``--candidates`` names are found.
A candidate name passes code.names.safe_new_name, as rename-identifiers' own names do: a
subword vocabulary's word-start mark (``Ġx5``, `` err``) is stripped, a Python name is folded
under NFKC and kept in that form (``ｂａｒ`` *is* ``bar`` to Python), and the result must be a
valid identifier of the language, no keyword, builtin or reserved name, and no word of the
snippet's text as written or folded, so it can neither capture nor be captured.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from ..code.assumptions import ASSUMPTIONS, UNPARSED_CODE
from ..code.name_styles import random_words, switch_case
from ..code.names import safe_new_name, used_words
from ..code.edits import Edit
from ..code.parsing import ParsedCode
from ..code.python import rewrite_compiles
from ..errors import InputError
from ..relations import get_relation
from ..relations.base import output_problem, splice
from ..relations.rename import checked_rename_edits, renamable_variables
from .transformations import Transformation, register_transformation

TOKEN = re.compile(r"\w+|[^\w\s]")
HARVESTED = 200  # most frequent harvested names offered to the generator
MAX_SUBSTITUTES = 1000  # a record's substitutes read per variable (the data sets have at most ~250)


@dataclass(frozen=True)
class Candidate:
    """An edit set: (slot, new name) renamings and (relation, seed, side) applications."""

    renames: tuple[tuple[int, str], ...] = ()
    relations: tuple[tuple[str, int, int], ...] = ()

    def with_rename(self, slot: int, name: str) -> "Candidate":
        renames = dict(self.renames)
        renames[slot] = name
        return Candidate(tuple(sorted(renames.items())), self.relations)

    @property
    def size(self) -> int:
        return len(self.renames) + len(self.relations)


@dataclass
class Slot:
    """One renamable variable of one side, and its rename candidates."""

    side: int
    variable: Any  # code.scopes.Variable
    line: int
    names: list[str]  # the first --candidates names: what the searches draw from
    source: str  # "data" or "generated"
    assumptions: tuple[str, ...] = ()  # what renaming it relies on (code.assumptions); () when proven safe
    reserve: list[str] = field(default_factory=list)  # the data's further safe substitutes, beyond --candidates

    @property
    def name(self) -> str:
        return self.variable.name

    @property
    def every_name(self) -> list[str]:
        """Every safe candidate name: ``names`` then the reserve (the sweep and --recipe alert reach them)."""
        return self.names + self.reserve


@dataclass
class EditSpace:
    """Every edit that may be made to one example, and the code of any edit set."""

    code: tuple[str, ...]
    language: str
    sides: tuple[int, ...]
    slots: list[Slot]
    relations: list[str]  # relations that apply to some side of the original
    relation_sides: dict[str, list[int]]
    relation_options: dict[str, dict[str, str]]
    _parsed: dict[int, ParsedCode] = field(default_factory=dict, repr=False)
    _built: dict[Candidate, tuple[str, ...] | None] = field(default_factory=dict, repr=False)
    max_renames: int | None = None  # --max-renames: a candidate renaming more is not built
    max_token_change: int | None = None  # --max-token-change: nor one changing more tokens

    @property
    def empty(self) -> bool:
        return not self.slots and not self.relations

    def build(self, candidate: Candidate) -> tuple[str, ...] | None:
        """The code of ``candidate``, or None when it is not a valid rewrite."""
        if candidate not in self._built:
            self._built[candidate] = self._build(candidate)
        return self._built[candidate]

    def _build(self, candidate: Candidate) -> tuple[str, ...] | None:
        if self.max_renames is not None and len(candidate.renames) > self.max_renames:
            return None
        code = list(self.code)
        for side in self.sides:
            chosen = [(self.slots[i].variable, name) for i, name in candidate.renames if self.slots[i].side == side]
            # a variable renamed inside unparsed code changes the text of the parse errors it occurs in
            in_errors = {self.slots[i].name: name for i, name in candidate.renames
                         if self.slots[i].side == side and UNPARSED_CODE in self.slots[i].assumptions}
            if not chosen:
                continue
            names = [name for _, name in chosen]
            if len(set(names)) != len(names):
                return None  # one new name per variable
            parsed = self._parsed[side]
            edits = checked_rename_edits(parsed, chosen)
            new_source = splice(parsed.source, edits)
            if not _valid(parsed, edits, new_source, in_errors):
                return None
            code[side] = new_source.decode("utf-8")
        for name, seed, side in candidate.relations:
            try:
                rewrite = get_relation(name).apply(code[side], self.language, seed=seed,
                                                   **self.relation_options.get(name, {}))
            except InputError:
                return None
            if not rewrite.applied:
                return None
            code[side] = rewrite.code
        result = tuple(code)
        if result == self.code:
            return None
        if self.max_token_change is not None and tokens_changed(self.code, result) > self.max_token_change:
            return None
        return result

    def assumptions(self, candidate: Candidate) -> tuple[str, ...]:
        """The assumptions (code.assumptions) the renames of ``candidate`` rely on."""
        return tuple(sorted({name for slot, _ in candidate.renames for name in self.slots[slot].assumptions}))

    def random_candidate(self, rng: random.Random, max_relations: int) -> Candidate:
        """A random edit set: a random subset of the slots renamed, and maybe relations."""
        renames: dict[int, str] = {}
        if self.slots:
            count = rng.randint(1, min(len(self.slots), self.max_renames or len(self.slots)))
            for slot in sorted(rng.sample(range(len(self.slots)), count)):
                renames[slot] = rng.choice(self.slots[slot].names)
        relations = []
        if self.relations and max_relations and (not self.slots or rng.random() < 0.5):
            for _ in range(rng.randint(1, max_relations)):
                relations.append(self.random_relation(rng))
        return Candidate(tuple(sorted(renames.items())), tuple(relations))

    def random_relation(self, rng: random.Random) -> tuple[str, int, int]:
        name = rng.choice(self.relations)
        return name, rng.randrange(1_000_000), rng.choice(self.relation_sides[name])

    def describe(self, candidate: Candidate) -> list[dict[str, Any]]:
        """The edits of ``candidate`` for adversarial.jsonl."""
        edits: list[dict[str, Any]] = []
        for slot_index, name in candidate.renames:
            slot = self.slots[slot_index]
            edits.append({"kind": "rename", "side": slot.side, "line": slot.line, "from": slot.name, "to": name,
                          "occurrences": len(slot.variable.occurrences), "candidates_from": slot.source,
                          "assumes": list(slot.assumptions)})
        for relation, seed, side in candidate.relations:
            edits.append({"kind": "relation", "relation": relation, "seed": seed, "side": side})
        return edits


def _valid(parsed: ParsedCode, edits: list[Edit], new_source: bytes, renamed: dict[str, str]) -> bool:
    """The checks ``Relation.apply`` makes on its output (``output_problem``), except that where a
    renamed variable occurs in a parse error, the errors must match with the renames made."""
    if not renamed:
        return not output_problem(parsed, edits, new_source)
    after = ParsedCode.parse(new_source.decode("utf-8"), parsed.language)
    if after.parse_errors() != _renamed_signature(parsed.parse_errors(), renamed):
        return False
    return parsed.language != "python" or rewrite_compiles(parsed, edits, new_source)


def _renamed_signature(signature: list[tuple[str, bytes]], renamed: dict[str, str]) -> list[tuple[str, bytes]]:
    if not signature or not renamed:
        return signature
    words = re.compile(rb"\b(" + b"|".join(re.escape(old.encode()) for old in renamed) + rb")\b")
    new = {old.encode(): name.encode() for old, name in renamed.items()}
    return sorted((kind, words.sub(lambda m: new[m.group(1)], text)) for kind, text in signature)


def tokens_changed(before: tuple[str, ...], after: tuple[str, ...]) -> int:
    """Tokens (words and punctuation) that differ between two versions of an example."""
    import difflib

    changed = 0
    for old, new in zip(before, after):
        a, b = TOKEN.findall(old), TOKEN.findall(new)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                changed += max(i2 - i1, j2 - j1)
    return changed


# ---- building the spaces of a sample ------------------------------------------------------------


@dataclass
class SpaceSettings:
    language: str
    sides: tuple[int, ...]
    relations: list[str]
    relation_options: dict[str, dict[str, str]]
    substitutes: str  # auto | data | generated
    substitutes_field: str
    candidates: int
    max_relations: int
    seed: int
    assumptions: tuple[str, ...] = tuple(ASSUMPTIONS)  # what renames may rest on (code.assumptions)
    max_renames: int | None = None
    max_token_change: int | None = None


def build_spaces(examples: list[Any], settings: SpaceSettings) -> list[EditSpace]:
    """One EditSpace per example; names for the generator are harvested from the whole sample."""
    found = [_variables(example, settings) for example in examples]
    harvest = Counter(v.name for per_example in found for _, _, variables in per_example for v in variables)
    pool = [name for name, _ in sorted(harvest.items(), key=lambda item: (-item[1], item[0]))[:HARVESTED]]
    return [_space(example, per_example, pool, settings) for example, per_example in zip(examples, found)]


def _variables(example: Any, settings: SpaceSettings) -> list[tuple[int, ParsedCode, list[Any]]]:
    found = []
    for side in settings.sides:
        parsed = ParsedCode.parse(example.code[side], settings.language)
        try:
            variables = renamable_variables(parsed, assumptions=settings.assumptions)
        except (RecursionError, MemoryError):
            variables = []
        found.append((side, parsed, variables))
    return found


def _space(example: Any, per_example, pool: list[str], settings: SpaceSettings) -> EditSpace:
    substitutes = example.extra.get(settings.substitutes_field) if settings.substitutes != "generated" else None
    substitutes = substitutes if isinstance(substitutes, dict) else {}
    slots: list[Slot] = []
    parsed_sides: dict[int, ParsedCode] = {}
    for side, parsed, variables in per_example:
        parsed_sides[side] = parsed
        words = used_words(parsed.text)
        for variable in variables:
            rng = random.Random(f"{settings.seed}|{example.id}|{side}|{variable.name}|{variable.occurrences[0][0]}")
            names, source = _names(variable.name, substitutes.get(variable.name), words, pool, rng, settings)
            if names:
                kept = settings.candidates
                slots.append(Slot(side, _with_unparsed(variable), parsed.source[:variable.occurrences[0][0]].count(b"\n") + 1,
                                  names[:kept], source, variable.assumptions_needed(settings.assumptions) or (),
                                  reserve=names[kept:]))
    relations, relation_sides = _applicable(example, settings)
    return EditSpace(tuple(example.code), settings.language, settings.sides, slots, relations, relation_sides,
                     settings.relation_options, parsed_sides, max_renames=settings.max_renames,
                     max_token_change=settings.max_token_change)


def _with_unparsed(variable: Any) -> Any:
    """The variable with its occurrences in unparsed code (renamed under UNPARSED_CODE only, and
    a variable carries them only when that assumption lets it be renamed)."""
    if not variable.unparsed_occurrences:
        return variable
    return replace(variable, occurrences=sorted(set(variable.occurrences) | set(variable.unparsed_occurrences)))


def _names(name: str, offered: Any, words: set[str], pool: list[str], rng: random.Random,
           settings: SpaceSettings) -> tuple[list[str], str]:
    kept: list[str] = []

    def keep(candidate: Any) -> None:
        safe = safe_new_name(settings.language, candidate, words)
        if safe is not None and safe not in kept:
            kept.append(safe)

    if isinstance(offered, list) and offered:
        for candidate in offered[:MAX_SUBSTITUTES]:
            keep(candidate)
        if kept or settings.substitutes == "data":
            return kept, "data"
    if settings.substitutes == "data":
        return [], "data"
    generated = [switch_case(name)] + rng.sample(pool, len(pool))
    for candidate in generated:
        if len(kept) == settings.candidates:
            break
        keep(candidate)
    for _ in range(10 * settings.candidates):
        if len(kept) == settings.candidates:
            break
        keep(random_words(rng, settings.language))
    return kept, "generated"


def _applicable(example: Any, settings: SpaceSettings) -> tuple[list[str], dict[str, list[int]]]:
    """The relations that rewrite some side of the original (with the run's seed), and where."""
    if not settings.max_relations:
        return [], {}
    sides: dict[str, list[int]] = {}
    for name in settings.relations:
        for side in settings.sides:
            try:
                rewrite = get_relation(name).apply(example.code[side], settings.language, seed=settings.seed,
                                                   **settings.relation_options.get(name, {}))
            except InputError:
                continue
            if rewrite.applied:
                sides.setdefault(name, []).append(side)
    return [n for n in settings.relations if n in sides], sides


@register_transformation
class RenamesAndRelations(Transformation):
    """Renamings of renamable variables plus up to --max-relations relation applications."""

    name = "renames-and-relations"

    def spaces(self, examples: list[Any], settings: SpaceSettings) -> list[EditSpace]:
        return build_spaces(examples, settings)
