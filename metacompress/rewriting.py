"""The transform stage of an audit: every selected relation applied to every sampled example.

Each (relation, snippet) gets its own seed derived from the run's seed and the snippet's text
(``Relation.apply`` derives it, exactly as for ``metacompress transform``), so the same snippet
is rewritten the same way wherever it appears (BigCloneBench reuses 911 methods across 4,000
pairs), the result does not depend on sampling order, and a row of the audit can be reproduced
with ``metacompress transform --seed RUN_SEED``.

Models read only the first few hundred tokens of an input. When the audit says a rewrite left
what both models see unchanged (its edits lie past the truncation), the example is rewritten
again with the next derived seeds, up to ``VISIBLE_ATTEMPTS`` tries, so that the relation's
sites fall inside the visible window where one exists; the first try is the one ``transform``
gives, and ``window_retry`` records what happened.

With ``--rewrites K`` each (example, relation) is rewritten K times, rewrite k with the seed
``rewrite_seed(run seed, k)``: rewrite 0 uses the run's seed (so K = 1 is the audit without the
option), the others seeds derived from it; a relation that draws nothing gives K equal rewrites.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from .batch import InternalError, apply_relation
from .errors import InputError
from .relations import get_relation
from .relations.base import Rewrite
from .tasks.base import Example


@dataclass(frozen=True)
class RewrittenExample:
    """One example under one relation: the snippets to feed the models, or why there are none."""

    example_index: int
    relation: str
    applied: bool
    code: tuple[str, ...]  # the rewritten snippets (the originals where a side was not rewritten)
    reason: str = ""  # why not applied; '' when applied
    sides: tuple[int, ...] = ()  # which snippets were actually rewritten
    sites: str = ""  # "side 0, line 3: renamed a -> var0; ..."
    # "" (not needed: the first rewrite changed what both models see, or no check was asked),
    # "found" (a later try did), "not found" (no try within VISIBLE_ATTEMPTS did; the first kept)
    window_retry: str = ""
    rewrite: int = 0  # which of the K rewrites of (example, relation) this is (--rewrites)
    # where an applied rewrite's model outputs sit (its position among the applied rewrites);
    # None when not applied. ``rewrite_all`` numbers them.
    row: int | None = None


VISIBLE_ATTEMPTS = 4
# (original snippets, rewritten snippets) -> do both models see a change?
VisibleCheck = Callable[[tuple[str, ...], tuple[str, ...]], bool]


def rewrite_seed(seed: int, rewrite: int) -> int:
    """The seed of rewrite ``rewrite`` of K: the run's own seed first, then others derived from it.
    The one place the seeds of ``--rewrites`` come from."""
    if not rewrite:
        return seed
    return _derived(seed, "rewrite", rewrite)


def _derived(seed: int, purpose: str, number: int) -> int:
    digest = hashlib.sha256(f"{seed}\x00{purpose}\x00{number}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def attempt_seed(seed: int, attempt: int) -> int:
    """The seed of try ``attempt``: the run's own seed first (what ``transform --seed`` uses),
    then others derived from it (``Relation.apply`` mixes in the relation and the snippet)."""
    if not attempt:
        return seed
    return _derived(seed, "window retry", attempt)


class Rewriter:
    """Applies relations with a cache keyed on (relation, snippet), for one run's seed and options."""

    def __init__(self, language: str, seed: int, options: dict[str, dict[str, str]] | None = None):
        self.language = language
        self.seed = seed
        self.options = options or {}
        self._cache: dict[tuple[str, str, int], Rewrite | InputError | InternalError] = {}

    def rewrite(self, relation: str, code: str, attempt: int = 0) -> Rewrite | InputError | InternalError:
        key = (relation, code, attempt)
        if key not in self._cache:
            # the step ``metacompress transform`` takes on each line of a batch
            self._cache[key] = apply_relation(get_relation(relation), code, self.language,
                                              attempt_seed(self.seed, attempt), self.options.get(relation, {}))
        return self._cache[key]

    def rewrite_visible(self, index: int, example: Example, relation: str, sides: tuple[int, ...],
                        visible: VisibleCheck | None) -> RewrittenExample:
        """The first try, or a later one when the first changed nothing the models see."""
        first = self.rewrite_example(index, example, relation, sides)
        if visible is None or not first.applied or visible(example.code, first.code):
            return first
        for attempt in range(1, VISIBLE_ATTEMPTS):
            retry = self.rewrite_example(index, example, relation, sides, attempt)
            if retry.applied and visible(example.code, retry.code):
                return replace(retry, window_retry="found")
        return replace(first, window_retry="not found")

    def rewrite_example(self, index: int, example: Example, relation: str, sides: tuple[int, ...],
                        attempt: int = 0) -> RewrittenExample:
        code = list(example.code)
        applied_sides: list[int] = []
        reasons: list[str] = []
        sites: list[str] = []
        for side in sides:
            outcome = self.rewrite(relation, example.code[side], attempt)
            label = f"side {side}" if len(example.code) > 1 else ""
            if isinstance(outcome, InternalError):
                return RewrittenExample(index, relation, False, example.code, str(outcome))
            if isinstance(outcome, InputError):
                return RewrittenExample(index, relation, False, example.code, f"bad input: {outcome}")
            if outcome.applied:
                code[side] = outcome.code
                applied_sides.append(side)
                sites += [", ".join(filter(None, [label, f"line {s.line}: {s.description}"])) for s in outcome.sites]
            else:
                reasons.append(outcome.reason)
        if not applied_sides:
            reason = "not applicable: " + "; ".join(dict.fromkeys(reasons))
            return RewrittenExample(index, relation, False, example.code, reason)
        return RewrittenExample(index, relation, True, tuple(code), "", tuple(applied_sides), "; ".join(sites))


def rewrite_all(
    examples: list[Example],
    relations: list[str],
    language: str,
    sides: tuple[int, ...],
    seed: int,
    options: dict[str, dict[str, str]] | None = None,
    progress: bool = True,
    visible: VisibleCheck | None = None,
    rewrites: int = 1,
) -> list[RewrittenExample]:
    """Every (relation, example, rewrite k < ``rewrites``), in that order, numbered by ``number_rows``."""
    from tqdm.auto import tqdm

    rewriters = [Rewriter(language, rewrite_seed(seed, k), options) for k in range(rewrites)]
    # Computed example by example: every relation reads one example's snippets while their parse
    # is among the recent ones (code.parsing), where relation by relation it was gone again
    # before the next relation came back to it. Each rewrite depends on nothing else, so the
    # order only changes the work, never a result.
    jobs: Iterable[tuple[int, int, str]] = [(i, k, r) for i in range(len(examples)) for k in range(rewrites)
                                            for r in relations]
    # disable=None: bars on a terminal only, so CI logs stay readable.
    bar = tqdm(jobs, total=len(relations) * len(examples) * rewrites, desc="transform", unit="input",
               disable=None if progress else True)
    done = {(relation, i, k): replace(rewriters[k].rewrite_visible(i, examples[i], relation, sides, visible), rewrite=k)
            for i, k, relation in bar}
    return number_rows([done[(r, i, k)] for r in relations for i in range(len(examples)) for k in range(rewrites)])


def number_rows(rewrites: list[RewrittenExample]) -> list[RewrittenExample]:
    """Each applied rewrite with its ``row``: its position among the applied ones, in order."""
    rows = iter(range(len(rewrites)))
    return [replace(r, row=next(rows) if r.applied else None) for r in rewrites]
