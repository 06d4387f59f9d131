"""alert: ALERT (Yang et al., ICSE 2022) as published, assembled from greedy's and genetic's parts.

1. Rank the variables by importance: one rename each, as one step.
2. Greedy: visit the variables in that order, try every one of a variable's candidate names
   on top of the edit set so far, and keep the best if it moves the objective.
3. Genetic, on failure: crossover and mutation of the best edit sets found, for the budget left.
Renames only, as ALERT (relations are never composed, whatever --max-relations says).
"""

from __future__ import annotations

import random

from ..search import Search
from . import BUILTIN, Strategy, register_strategy
from .common import sweep
from .greedy import _greedy_pass, _probe, breed_from_best

RENAMES_ONLY = 0  # relations composed


@register_strategy
class AlertStrategy(Strategy):
    name = "alert"
    summary = BUILTIN["alert"][1]

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        probes, results = _probe(search, RENAMES_ONLY)
        if not search.done:
            _greedy_pass(search, RENAMES_ONLY, probes, results, names=None)
        breed_from_best(search, rng, RENAMES_ONLY)
        sweep(search, RENAMES_ONLY)
