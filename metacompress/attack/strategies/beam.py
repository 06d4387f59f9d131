"""beam: the beam search of BeamAttack (FSE 2023), over both channels (renames and relations).

Every site (a renamable variable, a relation that applies) is probed with one edit and ranked by
how far that edit moved the objective; the sites are then visited in that order, each one
extending the BEAM_WIDTH best edit sets so far with its options (names for a variable, seeds for
a relation while under --max-relations), the beam kept as the best of old and new. The budget
left is shared evenly among the sites left, so a pass reaches every site; a pass that ends with
budget left starts again from the beam, and the sweep (strategies.common) spends the rest.
"""

from __future__ import annotations

import random

from ..search import Evaluated, Search
from ..space import Candidate
from . import BUILTIN, Strategy, register_strategy
from .common import sweep

BEAM_WIDTH = 3
MIN_OPTIONS = 3  # options per site per beam member, however little budget is left
RELATION_SEEDS = 5
PASSES = 3


@register_strategy
class BeamStrategy(Strategy):
    name = "beam"
    summary = BUILTIN["beam"][1]

    def run(self, search: Search, rng: random.Random, max_relations: int) -> None:
        beam_search(search, max_relations)
        sweep(search, max_relations)


Site = tuple[str, object]  # ("slot", index) or ("relation", name)


def beam_search(search: Search, max_relations: int) -> None:
    sites = _ranked_sites(search, max_relations)
    beam: list[Evaluated | None] = [None]  # None: the original
    for _ in range(PASSES):
        if search.done or not sites:
            return
        before = search.queries
        for position, site in enumerate(sites):
            if search.done:
                return
            share = max(MIN_OPTIONS, (search.budget - search.queries) // ((len(sites) - position) * len(beam)))
            children = [c for member in beam for c in _options(search, _candidate(member), site, share, max_relations)]
            scored = [r for r in search.evaluate(children) if r is not None]
            beam = _best(beam, scored)
        if search.queries == before:
            return  # a whole pass proposed nothing new


def _ranked_sites(search: Search, max_relations: int) -> list[Site]:
    """Every site, most important first: one edit each, as one step (BeamAttack's importance scores)."""
    space = search.space
    sites: list[Site] = [("slot", k) for k in range(len(space.slots))]
    if max_relations:
        sites += [("relation", name) for name in space.relations]
    probes = [_options(search, Candidate(), site, 1, max_relations, fresh_only=False)[0] for site in sites]
    results = search.evaluate(probes)
    importance = {site: (r.score if r is not None else float("-inf")) for site, r in zip(sites, results)}
    return sorted(sites, key=lambda site: -importance[site])


def _options(search: Search, base: Candidate, site: Site, count: int, max_relations: int,
             fresh_only: bool = True) -> list[Candidate]:
    """Up to ``count`` edit sets: ``base`` with this site's next options (untried ones, unless not fresh_only)."""
    space = search.space
    kind, key = site
    if kind == "slot":
        options = [base.with_rename(key, name) for name in space.slots[key].names]
    elif len(base.relations) < max_relations:
        options = [Candidate(base.renames, base.relations + ((key, seed, side),))
                   for seed in range(RELATION_SEEDS) for side in space.relation_sides[key]]
    else:
        options = []
    if fresh_only:
        options = [c for c in options if search.is_new(c)]
    return options[:count]


def _candidate(member: Evaluated | None) -> Candidate:
    return Candidate() if member is None else member.candidate


def _best(beam: list[Evaluated | None], scored: list[Evaluated]) -> list[Evaluated | None]:
    """The BEAM_WIDTH best of the old beam and the new edit sets (the original scores lowest)."""
    pool = {r.candidate: r for r in [*(m for m in beam if m is not None), *scored]}
    ranked = sorted(pool.values(), key=lambda r: (-r.score, r.candidate.renames, r.candidate.relations))
    return list(ranked[:BEAM_WIDTH]) or beam
