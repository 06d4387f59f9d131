"""One input's search: the goal it climbs, the state it keeps, and ``evaluate``, its one model step.

One search attacks one input under one attack. Each step of a strategy
(``metacompress.attack.strategies``) hands a list of candidates to ``Search.evaluate``, which
builds and validates their code, drops invalid ones and ones already queried, cuts the list to
the budget left, and sends what remains to each model the goal reads as ONE ``predict_proba``
call. ``--budget`` counts the distinct candidates sent per model; the original's own query, made
once for the whole sample, is not counted.

A flip attack stops at its first success. A hunt (the ``disagree`` objective) does not: it
spends its budget and counts every distinct candidate that meets the goal, since each one is a
semantics-preserving input on which the two models disagree; the first success still gives the
queries to success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .space import Candidate, EditSpace


@dataclass
class Goal:
    """What a search maximises (``score``) and when it stops (``success``), from the models' probabilities."""

    roles: tuple[str, ...]
    score: Callable[[dict[str, np.ndarray]], np.ndarray]
    success: Callable[[dict[str, np.ndarray]], np.ndarray]
    #: how far a score is from success, in units that roughly add up over independent edits
    #: (None: no such scale, and greedy never judges its reach)
    distance: Callable[[float], float] | None = None


@dataclass
class Evaluated:
    candidate: Candidate
    code: tuple[str, ...]
    score: float
    success: bool
    probs: dict[str, np.ndarray]  # role -> [labels]


@dataclass
class Search:
    """The state of one input's search: queries spent, the best candidate, success."""

    space: EditSpace
    objective: Goal
    oracle: Any  # attack.oracle.Oracle, or anything answering probs(role, codes)
    budget: int
    start_score: float
    hunt: bool = False  # keep searching after a success, counting each one
    queries: int = 0
    best: Evaluated | None = None
    success: Evaluated | None = None
    successes: int = 0  # distinct candidates that met the objective
    queries_to_success: int | None = None  # queries spent when the first one was found
    exhausted: bool = False  # no untried edit set was left (strategies.common.sweep)
    seen_codes: set[tuple[str, ...]] = field(default_factory=set)
    seen: dict[Candidate, Evaluated | None] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.queries >= self.budget or (self.success is not None and not self.hunt)

    def is_new(self, candidate: Candidate) -> bool:
        if candidate in self.seen:
            return False
        code = self.space.build(candidate)
        return code is not None and code not in self.seen_codes

    def evaluate(self, candidates: list[Candidate]) -> list[Evaluated | None]:
        """Score the candidates (one model call per role); None for invalid ones and those over budget."""
        fresh: list[tuple[Candidate, tuple[str, ...]]] = []
        codes_now: set[tuple[str, ...]] = set()
        for candidate in dict.fromkeys(candidates):
            if candidate in self.seen or len(fresh) >= self.budget - self.queries:
                continue
            code = self.space.build(candidate)
            if code is None or code in self.seen_codes or code in codes_now:
                self.seen[candidate] = None
                continue
            codes_now.add(code)
            fresh.append((candidate, code))
        if fresh:
            self._query(fresh)
        return [self.seen.get(candidate) for candidate in candidates]

    def _query(self, fresh: list[tuple[Candidate, tuple[str, ...]]]) -> None:
        codes = [code for _, code in fresh]
        probs = {role: self.oracle.probs(role, codes) for role in self.objective.roles}
        usable = np.all([np.isfinite(p).all(axis=1) for p in probs.values()], axis=0)
        scores = self.objective.score(probs)
        wins = self.objective.success(probs)
        self.queries += len(fresh)
        self.seen_codes.update(codes)
        for k, (candidate, code) in enumerate(fresh):
            if not usable[k]:
                self.seen[candidate] = None
                continue
            result = Evaluated(candidate, code, float(scores[k]), bool(wins[k]),
                               {role: p[k] for role, p in probs.items()})
            self.seen[candidate] = result
            if self.best is None or _better(result, self.best):
                self.best = result
            if result.success:
                self.successes += 1
                if self.queries_to_success is None:
                    self.queries_to_success = self.queries
                if self.success is None or result.score > self.success.score:
                    self.success = result


def _better(a: Evaluated, b: Evaluated) -> bool:
    return (a.success, a.score) > (b.success, b.score)
