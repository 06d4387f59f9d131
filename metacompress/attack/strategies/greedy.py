"""greedy: random edit sets, then ALERT's site-by-site climb where it can arrive, then genetic."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from ..search import Evaluated, Search
from ..space import Candidate
from . import BUILTIN, Strategy, register_strategy
from .common import POPULATION, first_generation, sweep
from .genetic import genetic_search

RELATION_SEEDS = 5  # seeds greedy tries per relation site
GREEDY_NAMES = 5  # the fewest names greedy tries per variable, so one pass reaches many variables
REACH = 0.5  # share of the distance to success single edits' summed gains must cover for greedy to climb


@register_strategy
class GreedyStrategy(Strategy):
    name = "greedy"
    summary = BUILTIN["greedy"][1]

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        greedy_search(search, rng, max_relations)
        sweep(search, max_relations)


def greedy_search(search: Search, rng: random.Random, max_relations: int) -> None:
    """ALERT's two stages, after one look at random edit sets.

    1. POPULATION random edit sets, as one step: the genetic stage's first generation, drawn
       first because on a saturated model (one that only large, varied edits flip) they are
       the likeliest candidates to succeed outright.
    2. ALERT's first stage: probe each site with one edit, rank the sites by how far that edit
       moved the objective, and improve the edit set site by site in that order, each site's
       candidates as one step. It runs only where it can arrive: where the probes' gains, all
       added up, cover REACH of the distance to success. On a 0.9997 prediction that one rename
       moves by a few thousandths, a site-by-site climb spends the budget and gets nowhere.
       (Estimating the gains from the random sets instead, to save the probes, misjudged: on
       Compressor's Devign student it refused climbs whose probes covered 84% and 226% of the
       distance.)
    3. ALERT's second stage with whatever budget is left, bred from the best edit sets found.
    """
    first_generation(search, rng, max_relations)
    if search.done:
        return
    probes, results = _probe(search, max_relations)
    if _within_reach(search, _single_gains(search, results)):
        _greedy_pass(search, max_relations, probes, results, names=names_per_variable(search, len(probes)))
    breed_from_best(search, rng, max_relations)


def breed_from_best(search: Search, rng: random.Random, max_relations: int) -> None:
    """ALERT's second stage with whatever budget is left, bred from the best edit sets found."""
    if not search.done:
        found = sorted((r for r in search.seen.values() if r is not None),
                       key=lambda r: (-r.score, r.candidate.renames, r.candidate.relations))
        genetic_search(search, rng, max_relations, found[:POPULATION])


def names_per_variable(search: Search, sites: int) -> int:
    """As many names per variable as the budget left allows on one pass over the sites (ALERT
    tries them all; on a function with few variables that costs little), at least GREEDY_NAMES."""
    return max(GREEDY_NAMES, (search.budget - search.queries) // max(1, sites))


def _probe(search: Search, max_relations: int) -> tuple[list[tuple[Any, Candidate]], list[Evaluated | None]]:
    """One edit at each site (a variable renamed to its first name, a relation applied once), as one step."""
    space = search.space
    probes: list[tuple[Any, Candidate]] = []
    for index, slot in enumerate(space.slots):
        probes.append((("slot", index), Candidate(((index, slot.names[0]),))))
    if max_relations:
        for name in space.relations:
            probes.append((("relation", name), Candidate((), ((name, 0, space.relation_sides[name][0]),))))
    return probes, search.evaluate([c for _, c in probes])


def _within_reach(search: Search, gains: float | None) -> bool:
    """Whether single edits' gains, all added up, cover REACH of the distance to success
    (None: the objective has no distance, and every climb is worth trying)."""
    return gains is None or gains >= REACH * search.objective.distance(search.start_score)


def _gain(search: Search, result: Evaluated) -> float:
    distance = search.objective.distance
    return max(0.0, distance(search.start_score) - distance(result.score))


def _single_gains(search: Search, probes: list[Evaluated | None]) -> float | None:
    """The probes' gains added up."""
    if search.objective.distance is None:
        return None
    return sum(_gain(search, r) for r in probes if r is not None)


def _greedy_pass(search: Search, max_relations: int, probes: list[tuple[Any, Candidate]],
                 results: list[Evaluated | None], names: int | None = GREEDY_NAMES,
                 start: Evaluated | None = None) -> None:
    """Improve the edit set site by site, most promising first, from ``start`` (default: the
    original); ``names`` per variable (None: every name, the reserve of the data's substitutes included)."""
    space = search.space
    ranked = sorted(range(len(probes)), key=lambda k: (-(results[k].score if results[k] else -np.inf), k))
    current, current_score = (start.candidate, start.score) if start else (Candidate(), search.start_score)
    relations_used = 0
    for k in ranked:
        if search.done:
            return
        (kind, site), _ = probes[k]
        if kind == "slot":
            slot = space.slots[site]
            options = [current.with_rename(site, name) for name in slot.every_name[:names]]
        else:
            if relations_used >= max_relations:
                continue
            options = [Candidate(current.renames, current.relations + ((site, seed, side),))
                       for side in space.relation_sides[site] for seed in range(RELATION_SEEDS)]
        scored = [r for r in search.evaluate(options) if r is not None]
        if results[k] is not None and start is None:
            scored.append(results[k])
        best = max(scored, key=lambda r: (r.success, r.score), default=None)
        if best is not None and best.score > current_score:
            current, current_score = best.candidate, best.score
            relations_used = len(current.relations)
