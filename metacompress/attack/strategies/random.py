"""random: sample edit sets, RANDOM_STEP per step."""

from __future__ import annotations

import random

from ..search import Search
from . import Strategy, register_strategy
from .common import STALE_ROUNDS, new_candidates, sweep

RANDOM_STEP = 10  # candidates per step


@register_strategy
class RandomStrategy(Strategy):
    name = "random"
    summary = "sample edit sets"

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        random_search(search, rng, max_relations)
        sweep(search, max_relations)


def random_search(search: Search, rng: random.Random, max_relations: int) -> None:
    """Random edit sets, RANDOM_STEP per step, until success or the budget is spent."""
    stale = 0
    while not search.done and stale < STALE_ROUNDS:
        want = min(RANDOM_STEP, search.budget - search.queries)
        batch = new_candidates(search, lambda: search.space.random_candidate(rng, max_relations), want, [])
        stale = stale + 1 if not batch else 0
        if batch:
            search.evaluate(batch)
