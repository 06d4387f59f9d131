"""Issue 20: the switch strategy (genetic while it makes progress, then the climb, then genetic)."""

from __future__ import annotations

import random

from metacompress.attack.strategies import get_strategy, strategy_names
from metacompress.attack.strategies.common import POPULATION
from metacompress.attack.strategies.genetic import genetic_search
from test_attack_beam_alert import search_with
from test_attack_search import HELPFUL, VARIABLES, ScriptedOracle, _logistic


def test_switch_is_a_strategy_of_attack():
    assert "switch" in strategy_names()


def test_the_genetic_stage_hands_over_after_its_patience_of_flat_generations():
    oracle = ScriptedOracle(lambda r: 0.9)  # nothing moves: every generation is flat
    search = search_with(oracle, 0.9)
    genetic_search(search, random.Random(0), 0, patience=3)
    assert search.queries == POPULATION * (1 + 3)  # the first generation, then three flat ones
    assert not search.done


def test_switch_climbs_site_by_site_where_breeding_stalls():
    # alpha, beta and gamma each lower the log-odds of staying by 1.5 from 3, any other rename
    # raises them by 3: random and bred edit sets rename many variables and never flip; the climb
    # from the original, one variable at a time, does
    staying = lambda r: _logistic(3.0 - 1.5 * len(r & HELPFUL) + 3.0 * len(r - HELPFUL))  # noqa: E731
    oracle = ScriptedOracle(staying)
    search = search_with(oracle, staying(frozenset()), budget=400)
    get_strategy("switch").run(search, random.Random(0), 0)
    assert search.success is not None
    assert {search.space.slots[i].name for i, _ in search.success.candidate.renames} == HELPFUL
    probes = oracle.calls.index([1] * len(VARIABLES))  # the climb begins with one probe per variable
    assert probes >= 1 + 3  # after at least the first generation and the patience of flat ones
    assert all(len(call) == POPULATION for call in oracle.calls[:probes])  # all of them genetic steps
