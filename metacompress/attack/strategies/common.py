"""What the strategies share: fresh candidates, the first generation, when to give up."""

from __future__ import annotations

import random
from typing import Callable

from ..search import Evaluated, Search
from ..space import Candidate

POPULATION = 10  # genetic population (and children per generation); greedy's first look
STALE_ROUNDS = 3  # steps that propose nothing new before a strategy gives up


def first_generation(search: Search, rng: random.Random, max_relations: int) -> list[Evaluated]:
    """POPULATION random edit sets, drawn as the random strategy draws, scored as one step."""
    first = new_candidates(search, lambda: search.space.random_candidate(rng, max_relations), POPULATION, [])
    return [r for r in search.evaluate(first) if r is not None]


def new_candidates(search: Search, make: Callable[[], Candidate], want: int, taken: list[Candidate]) -> list[Candidate]:
    """``taken`` plus candidates from ``make`` never queried before, up to ``want`` in all (20 tries each)."""
    chosen = list(taken)
    for _ in range(20 * want):
        if len(chosen) >= want:
            break
        candidate = make()
        if candidate not in chosen and search.is_new(candidate):
            chosen.append(candidate)
    return chosen
