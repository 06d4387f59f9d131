"""bayes: Thompson sampling over an additive model of the edits' effects (after ITGen, ICSE 2025,
which searches code variants as bit vectors by Bayesian optimisation).

Every edit sets bits: a variable renamed (at all), the variable given one particular name, a
relation applied on one side. The gain of an edit set (for a flip, how far it lowers the log-odds
of the class to leave) is modelled as the sum of its bits' effects, each with a Gaussian prior
(wider for a variable than for one of its names: which variable is renamed matters more than to
what, as ALERT's ranking of variables by importance assumes), fitted to every edit set queried so
far. Each step draws one sample of the effects from the posterior per candidate and proposes the
edit set that sample rates best (per variable its best name, kept where its effect is positive):
edits that helped get combined, and edits not yet tried get drawn while their effect is uncertain.
A draw whose best edit set was already queried proposes that set with one variable given its next
untried name, so a settled posterior still walks each variable's names around its best guess.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Hashable

import numpy as np

from ..search import Search
from ..space import Candidate, EditSpace
from . import BUILTIN, Strategy, register_strategy
from .common import POPULATION, STALE_ROUNDS, change_relation, first_generation, rename_one, sweep

PRIOR = 1.0  # prior variance of a variable's (or a relation's) effect, in units of the observed scores' spread
PRIOR_NAME = 0.25  # prior variance of what one name adds to its variable's effect
# variance of what the additive model cannot explain, in the same units: small, so each step
# exploits what the queries showed (on ALERT's setting, 49 hard Compressor functions: 0.5, 0.2,
# 0.05, 0.01, 0.002 and 0.0005 flipped 18, 19, 20, 21, 22 and 20; docs/attack.md)
NOISE = 0.002
RETRIES = 20  # perturbations tried when a sample's best edit set was already queried


@register_strategy
class BayesStrategy(Strategy):
    name = "bayes"
    summary = BUILTIN["bayes"][1]

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        bayes_search(search, rng, max_relations)
        sweep(search, max_relations)


def bayes_search(search: Search, rng: random.Random, max_relations: int) -> None:
    """A step of random edit sets, then POPULATION Thompson samples per step until the budget is spent."""
    first_generation(search, rng, max_relations)
    model = AdditiveModel(search.space, max_relations)
    sampler = np.random.default_rng(rng.randrange(2**32))
    stale = 0
    while not search.done and stale < STALE_ROUNDS:
        model.observe(search)
        batch: list[Candidate] = []
        for effects in model.samples(sampler, min(POPULATION, search.budget - search.queries)):
            candidate = _fresh(search, model, model.best_edit_set(effects, rng), batch, rng, max_relations)
            if candidate is not None:
                batch.append(candidate)
        stale = stale + 1 if not batch else 0
        if batch:
            search.evaluate(batch)


@dataclass
class AdditiveModel:
    """Bayesian linear regression of each queried edit set's gain (``_gain``) on its bits."""

    space: EditSpace
    max_relations: int
    bits: dict[Hashable, int] = field(default_factory=dict)
    prior: np.ndarray = field(default_factory=lambda: np.zeros(0))  # each bit's prior variance
    design: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # one row of bits per edit set queried
    scores: list[float] = field(default_factory=list)
    covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # the prior's, between rows' scores
    tried: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # bits some queried edit set has
    _read: int = 0  # how many of search.seen's entries were read

    def __post_init__(self) -> None:
        variances = []
        def bit(key: Hashable, variance: float) -> None:
            self.bits[key] = len(self.bits)
            variances.append(variance)
        for index, slot in enumerate(self.space.slots):
            bit(("slot", index), PRIOR)
            for name in slot.every_name:
                bit(("name", index, name), PRIOR_NAME)
        if self.max_relations:
            for relation in self.space.relations:
                for side in self.space.relation_sides[relation]:
                    bit(("relation", relation, side), PRIOR)
        self.prior = np.array(variances)
        self.design = np.zeros((0, len(variances)))
        self.tried = np.zeros(len(variances), dtype=bool)

    def _row(self, candidate: Candidate) -> np.ndarray:
        row = np.zeros(len(self.bits))
        for index, name in candidate.renames:
            row[[self.bits[("slot", index)], self.bits[("name", index, name)]]] = 1.0
        for relation, _, side in candidate.relations:
            row[self.bits[("relation", relation, side)]] = 1.0
        return row

    def effect(self, effects: np.ndarray, index: int, name: str) -> float:
        """What renaming variable ``index`` to ``name`` does to the score, under ``effects``."""
        return float(effects[self.bits[("slot", index)]] + effects[self.bits[("name", index, name)]])

    def observe(self, search: Search) -> None:
        """Add the edit sets queried since the last call (search.seen keeps its order)."""
        entries = list(search.seen.items())[self._read:]
        self._read += len(entries)
        queried = [(c, _gain(search, r.score)) for c, r in entries if r is not None]
        if not queried:
            return
        new = np.array([self._row(c) for c, _ in queried])
        self.design = np.vstack([self.design, new])
        self.scores += [score for _, score in queried]
        self.tried |= new.any(axis=0)
        old = len(self.covariance)
        across = (new * self.prior) @ self.design.T  # the new rows against every row, themselves included
        covariance = np.zeros((len(self.design), len(self.design)))
        covariance[:old, :old] = self.covariance
        covariance[old:, :] = across
        covariance[:, old:] = across.T
        self.covariance = covariance

    def samples(self, sampler: np.random.Generator, count: int) -> np.ndarray:
        """``count`` draws of every bit's effect from the posterior, one per row (Matheron's rule:
        prior draws corrected by the data, so only an n-by-n system is solved however many bits)."""
        draws = sampler.standard_normal((count, len(self.prior))) * np.sqrt(self.prior)
        if not self.scores:
            return draws
        y = np.asarray(self.scores)
        spread = float(np.std(y)) or float(np.max(np.abs(y))) or 1.0
        noisy = y[:, None] / spread + sampler.normal(0.0, np.sqrt(NOISE), (len(y), count))
        weights = np.linalg.solve(self.covariance + NOISE * np.eye(len(y)), noisy - self.design @ draws.T)
        return draws + (self.design.T @ weights).T * self.prior

    def next_untried(self, index: int, taken: list[Candidate]) -> str | None:
        """Variable ``index``'s first name (in the data's order) that no queried edit set and no
        edit set of ``taken`` gives it."""
        pending = {name for candidate in taken for slot, name in candidate.renames if slot == index}
        return next((name for name in self.space.slots[index].every_name
                     if not self.tried[self.bits[("name", index, name)]] and name not in pending), None)

    def _options(self, index: int) -> list[str]:
        """The names of a variable tried so far and the next untried one: a maximum over many
        untried names, each drawn from the prior, would nearly always find one that looks good."""
        tried = [name for name in self.space.slots[index].every_name if self.tried[self.bits[("name", index, name)]]]
        untried = self.next_untried(index, [])
        return tried + ([untried] if untried is not None else [])

    def best_edit_set(self, effects: np.ndarray, rng: random.Random) -> Candidate:
        """The edit set ``effects`` rates best: each variable's best name where its effect is
        positive (no name given twice), the best relations under max_relations, --max-renames kept."""
        space = self.space
        choices = []
        for index in range(len(space.slots)):
            name = max(self._options(index), key=lambda n: self.effect(effects, index, n))
            gain = self.effect(effects, index, name)
            if gain > 0:
                choices.append((gain, index, name))
        renames: dict[int, str] = {}
        for gain, index, name in sorted(choices, reverse=True):
            if name not in renames.values() and len(renames) < (space.max_renames or len(space.slots)):
                renames[index] = name
        relations = []
        if self.max_relations:
            ranked = sorted(((effects[self.bits[("relation", r, s)]], r, s) for r in space.relations
                             for s in space.relation_sides[r]), reverse=True)
            relations = [(r, rng.randrange(1_000_000), s) for gain, r, s in ranked[: self.max_relations] if gain > 0]
        return Candidate(tuple(sorted(renames.items())), tuple(relations))


def _gain(search: Search, score: float) -> float:
    """How far an edit set moved the objective: in the goal's additive units (a flip's log-odds)
    where it has them, else in score."""
    distance = search.objective.distance
    if distance is None:
        return score - search.start_score
    return distance(search.start_score) - distance(score)


def _fresh(search: Search, model: AdditiveModel, candidate: Candidate, taken: list[Candidate],
           rng: random.Random, max_relations: int) -> Candidate | None:
    """``candidate`` if never queried, else the first of RETRIES one-edit changes of it that is."""
    for attempt in range(RETRIES + 1):
        changed = _perturb(candidate, model, taken, rng, max_relations) if attempt else candidate
        if changed not in taken and search.is_new(changed):
            return changed
    return None


def _perturb(candidate: Candidate, model: AdditiveModel, taken: list[Candidate], rng: random.Random,
             max_relations: int) -> Candidate:
    """One variable given its next untried name (or, sometimes, one relation redrawn).

    Once the posterior has settled, the sample's best edit set has mostly been queried and these
    changes are what the step tries: each variable's names in the data's order, as ALERT's
    greedy climb tries them, around the edit sets the model rates best. (A random name for a
    random variable left the one name that flips to chance: on ALERT's setting AVATAR's
    student gave 115 of 150 that way, 117 this way.)"""
    space = model.space
    if space.relations and max_relations and (not space.slots or rng.random() < 0.2):
        return change_relation(candidate, space, rng, replace=len(candidate.relations) >= max_relations)
    if not space.slots:
        return candidate
    index = rng.randrange(len(space.slots))
    name = model.next_untried(index, taken)
    return candidate.with_rename(index, name) if name is not None else rename_one(candidate, space, rng, every_name=True)
