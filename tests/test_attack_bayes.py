"""Issue 20: the bayes strategy (Thompson sampling over an additive model of the edits' effects)."""

from __future__ import annotations

import random

import numpy as np

from metacompress.attack.search import Search
from metacompress.attack.space import Candidate, SpaceSettings, build_spaces
from metacompress.attack.strategies import get_strategy, strategy_names
from metacompress.attack.strategies.bayes import AdditiveModel, _fresh
from metacompress.attack.objectives.flip import flip_goal
from metacompress.tasks.base import Example
from test_attack_beam_alert import SNIPPET, search_with
from test_attack_search import HELPFUL, VARIABLES, ScriptedOracle, _logistic


def additive(renamed: frozenset) -> float:
    # alpha, beta and gamma each lower the log-odds of staying by 1.5 from 3, any other rename raises them by 3
    return _logistic(3.0 - 1.5 * len(renamed & HELPFUL) + 3.0 * len(renamed - HELPFUL))


def test_bayes_is_a_strategy_of_attack():
    assert "bayes" in strategy_names()


def test_bayes_learns_which_edits_help_and_combines_them():
    # random edit sets rename many variables and never flip; only alpha, beta and gamma together do
    oracle = ScriptedOracle(additive)
    search = search_with(oracle, additive(frozenset()), budget=400)
    get_strategy("bayes").run(search, random.Random(0), 0)
    assert search.success is not None
    assert {search.space.slots[i].name for i, _ in search.success.candidate.renames} == HELPFUL
    assert search.queries_to_success <= 100


def test_the_model_rates_the_edits_by_their_effect_once_it_has_seen_them():
    oracle = ScriptedOracle(additive)
    search = search_with(oracle, additive(frozenset()), budget=400)
    space = search.space
    # every variable renamed alone to its first name, then pairs: enough to tell the effects apart
    singles = [Candidate(((k, slot.names[0]),)) for k, slot in enumerate(space.slots)]
    pairs = [Candidate(((a, space.slots[a].names[0]), (b, space.slots[b].names[0])))
             for a in range(len(space.slots)) for b in range(a + 1, len(space.slots))]
    search.evaluate(singles + pairs)
    model = AdditiveModel(space, 0)
    model.observe(search)
    sampler = np.random.default_rng(0)
    best = [model.best_edit_set(effects, random.Random(k)) for k, effects in enumerate(model.samples(sampler, 20))]
    chosen = [{space.slots[i].name for i, _ in c.renames} for c in best]
    # every draw renames the helpful variables; few rename an unhelpful one (to a name not yet tried)
    assert sum(HELPFUL <= c for c in chosen) >= 18
    assert np.mean([len(c - HELPFUL) for c in chosen]) < 1.5  # of 5 unhelpful variables


def test_bayes_is_deterministic_under_a_seed():
    runs = []
    for _ in range(2):
        oracle = ScriptedOracle(lambda r: 0.9)  # nothing flips: the whole budget is spent
        search = search_with(oracle, 0.9, budget=120)
        get_strategy("bayes").run(search, random.Random(7), 0)
        runs.append(list(search.seen))
    assert runs[0] == runs[1] and len(runs[0]) >= 120


def test_bayes_keeps_max_renames():
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 8, 0, 0, max_renames=2)
    space = build_spaces([Example("f", (SNIPPET,), 0)], settings)[0]
    search = Search(space, flip_goal("student", 0), ScriptedOracle(additive), 200, 1.0 - additive(frozenset()))
    get_strategy("bayes").run(search, random.Random(0), 0)
    queried = [r for r in search.seen.values() if r is not None]
    assert queried and max(len(r.candidate.renames) for r in queried) <= 2
    assert search.success is None  # three helpful renames are needed, and two are allowed
    assert len(VARIABLES) == len(space.slots)


def test_once_the_best_edit_set_was_queried_a_step_tries_the_next_untried_names_beside_it():
    # the sampled best edit set has been queried: each retry changes one variable of it to that
    # variable's first name (in the candidates' order) that nothing queried or taken gives it
    oracle = ScriptedOracle(lambda r: 0.9)
    search = search_with(oracle, 0.9, budget=400)
    space = search.space
    best = Candidate(((0, space.slots[0].names[0]), (1, space.slots[1].names[0])))
    search.evaluate([best, best.with_rename(0, space.slots[0].names[1])])
    model = AdditiveModel(space, 0)
    model.observe(search)
    taken: list[Candidate] = []
    for k in range(30):
        fresh = _fresh(search, model, best, taken, random.Random(k), 0)
        assert fresh is not None and search.is_new(fresh) and fresh not in taken
        changed = [i for i in range(len(space.slots)) if dict(fresh.renames).get(i) != dict(best.renames).get(i)]
        assert len(changed) == 1  # one edit away from the best set, not a walk away from it
        index = changed[0]
        tried = {name for c in list(search.seen) + taken for i, name in c.renames if i == index}
        expected = next(name for name in space.slots[index].every_name if name not in tried)
        assert dict(fresh.renames)[index] == expected
        taken.append(fresh)
