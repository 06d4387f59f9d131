"""switch: genetic while it makes progress, then a site-by-site climb from the best edit set,
then genetic again, switching whenever progress stalls (HogVul, AAAI 2026, switches its search
between channels when its swarm stalls; here the switch is between two searches over the same
edits, renames and relations together).

Measured on Devign's first 150 correctly classified functions (renames only, budget 400): genetic
finds the most successes within 100 queries and ALERT's climb the most within 400; this runs the
first until it stalls and then the second, from where the first got to.
"""

from __future__ import annotations

import random

from ..search import Search
from . import BUILTIN, Strategy, register_strategy
from .common import sweep
from .genetic import genetic_search
from .greedy import _greedy_pass, _probe, breed_from_best, names_per_variable

PATIENCE = 3  # generations without a better best edit set before the genetic stage hands over


@register_strategy
class SwitchStrategy(Strategy):
    name = "switch"
    summary = BUILTIN["switch"][1]

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        genetic_search(search, rng, max_relations, patience=PATIENCE)
        if not search.done:
            probes, results = _probe(search, max_relations)
            if not search.done:
                _greedy_pass(search, max_relations, probes, results, names=names_per_variable(search, len(probes)))
        breed_from_best(search, rng, max_relations)
        sweep(search, max_relations)
