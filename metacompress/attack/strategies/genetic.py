"""genetic: ALERT's second stage, crossover and mutation of edit sets."""

from __future__ import annotations

import random

from ..search import Evaluated, Search
from ..space import Candidate, EditSpace
from . import Strategy, register_strategy
from .common import POPULATION, STALE_ROUNDS, change_relation, first_generation, new_candidates, rename_one, sweep

IMMIGRANTS = 2  # random edit sets among each generation's children


@register_strategy
class GeneticStrategy(Strategy):
    name = "genetic"
    summary = "crossover and mutation of edit sets"

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        genetic_search(search, rng, max_relations)
        sweep(search, max_relations)


def genetic_search(search: Search, rng: random.Random, max_relations: int,
                   population: list[Evaluated] | None = None, patience: int | None = None) -> list[Evaluated]:
    """ALERT's second stage: a population of edit sets bred by crossover and mutation,
    POPULATION children per generation (one step each), the fittest kept. Without a starting
    ``population``, the first is POPULATION random edit sets, drawn as the random strategy draws.
    With ``patience``, it stops after that many generations without a better best score.
    Returns the last population, fittest first."""
    space = search.space
    if not population:
        population = first_generation(search, rng, max_relations)
    stale = flat = 0
    while population and not search.done and stale < STALE_ROUNDS and (patience is None or flat < patience):
        best_before = max(r.score for r in population)
        def bred() -> Candidate:
            a, b = _pick(population, rng), _pick(population, rng)
            return _mutate(_crossover(a.candidate, b.candidate, rng), space, rng, max_relations)

        children = new_candidates(search, bred, POPULATION - IMMIGRANTS, [])
        # random immigrants keep exploring, and fill the generation when breeding runs out of new children
        children = new_candidates(search, lambda: space.random_candidate(rng, max_relations), POPULATION, children)
        stale = stale + 1 if not children else 0
        born = [r for r in search.evaluate(children) if r is not None]
        population = sorted(population + born, key=lambda r: (-r.score, r.candidate.renames, r.candidate.relations))
        population = population[:POPULATION]
        flat = flat + 1 if population[0].score <= best_before else 0
    return population


def _pick(population: list[Evaluated], rng: random.Random) -> Evaluated:
    """Tournament of two."""
    a, b = rng.choice(population), rng.choice(population)
    return a if a.score >= b.score else b


def _crossover(a: Candidate, b: Candidate, rng: random.Random) -> Candidate:
    first, second = dict(a.renames), dict(b.renames)
    renames = {}
    for slot in sorted(set(first) | set(second)):
        options = [x for x in (first.get(slot), second.get(slot)) if x is not None]
        if slot in first and slot in second:
            renames[slot] = rng.choice(options)
        elif rng.random() < 0.5:
            renames[slot] = options[0]
    relations = rng.choice([a.relations, b.relations])
    return Candidate(tuple(sorted(renames.items())), relations)


def _mutate(candidate: Candidate, space: EditSpace, rng: random.Random, max_relations: int) -> Candidate:
    """One slot given a random candidate name, or (sometimes, or when nothing is renamable) one relation changed."""
    use_relation = space.relations and max_relations and (not space.slots or rng.random() < 0.2)
    if use_relation:
        relations = candidate.relations
        replace = bool(relations) and (len(relations) >= max_relations or rng.random() < 0.5)
        return change_relation(candidate, space, rng, replace)
    return rename_one(candidate, space, rng)
