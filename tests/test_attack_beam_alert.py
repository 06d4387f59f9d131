"""Issue 20: the beam search, ALERT as a recipe, and the budget curve, on scripted models."""

from __future__ import annotations

import random

import numpy as np
import pytest

from metacompress.attack import AttackConfig
from metacompress.attack.figures import budget_curve, curve_budgets
from metacompress.attack.objectives.flip import flip_goal
from metacompress.attack.outcome import FAILED, NOTHING_TO_EDIT, SUCCESS, Outcome
from metacompress.attack.search import Search
from metacompress.attack.space import SpaceSettings, build_spaces
from metacompress.attack.strategies import get_strategy
from metacompress.errors import UsageError
from metacompress.tasks.base import Example
from test_attack_search import HELPFUL, SNIPPET, VARIABLES, ScriptedOracle, _logistic


def search_with(oracle, staying_start: float, budget: int = 400) -> Search:
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 8, 0, 0)
    space = build_spaces([Example("f", (SNIPPET,), 0)], settings)[0]
    return Search(space, flip_goal("student", 0), oracle, budget, 1.0 - staying_start)


def test_beam_probes_every_variable_then_builds_the_flip_out_of_the_helpful_ones():
    staying = lambda r: _logistic(3.0 - 1.5 * len(r & HELPFUL) + 3.0 * len(r - HELPFUL))  # noqa: E731
    oracle = ScriptedOracle(staying)
    search = search_with(oracle, staying(frozenset()))
    get_strategy("beam").run(search, random.Random(0), 0)
    assert oracle.calls[0] == [1] * len(VARIABLES)  # importance: one rename per variable, one step
    assert search.success is not None
    assert {search.space.slots[i].name for i, _ in search.success.candidate.renames} == HELPFUL


class OneNameFlips:
    """Flips only when gamma gets its seventh candidate name (greedy's first five never reach it)."""

    def __init__(self, name: str):
        self.name = name

    def probs(self, role, codes):
        flipped = np.array([self.name in code[0] for code in codes])
        return np.stack([np.where(flipped, 0.2, 0.9), np.where(flipped, 0.8, 0.1)], axis=1)


def test_alert_tries_every_candidate_name_of_a_variable_in_its_greedy_stage():
    search = search_with(None, 0.9)
    gamma = next(k for k, slot in enumerate(search.space.slots) if slot.name == "gamma")
    search.oracle = OneNameFlips(search.space.slots[gamma].names[6])
    get_strategy("alert").run(search, random.Random(0), 0)
    assert search.success is not None
    # the probes, then every name of each variable in order (all tie), gamma being the third
    assert search.queries_to_success <= len(VARIABLES) + 3 * 8


def test_recipe_alert_fixes_its_search():
    base = dict(teacher="t", student="s", task="clone-detection", data="d.jsonl")
    assert AttackConfig(**base, recipe="alert").search_strategy == "alert"
    with pytest.raises(UsageError, match="recipe alert always searches with alert"):
        AttackConfig(**base, recipe="alert", strategy="beam")._check_attack_settings()


def test_the_budget_curve_counts_a_success_from_the_query_it_came_at():
    outcomes = [Outcome(SUCCESS, 3, 3), Outcome(SUCCESS, 30, 30), Outcome(FAILED, 100), Outcome(NOTHING_TO_EDIT)]
    curve = budget_curve(outcomes, 100, seed=0, n_bootstrap=0)
    assert [point["queries"] for point in curve] == curve_budgets(100) == [1, 2, 5, 10, 20, 50, 100]
    rates = {point["queries"]: point["success_rate"]["value"] for point in curve}
    assert rates[2] == 0 and rates[5] == pytest.approx(1 / 3) and rates[50] == rates[100] == pytest.approx(2 / 3)
    assert all(point["success_rate"]["n"] == 3 for point in curve)  # nothing to edit is not attacked


@pytest.mark.parametrize("bound", [{"max_renames": 2}, {"max_token_change": 4}])
def test_edit_size_bounds_hold_for_every_candidate_queried(bound):
    from metacompress.attack.space import tokens_changed

    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 8, 0, 0, **bound)
    space = build_spaces([Example("f", (SNIPPET,), 0)], settings)[0]
    oracle = ScriptedOracle(lambda r: 0.9)  # never flips: the search spends its whole budget
    search = Search(space, flip_goal("student", 0), oracle, 200, 0.1)
    get_strategy("greedy").run(search, random.Random(0), 0)
    queried = [r for r in search.seen.values() if r is not None]
    assert len(queried) == 200
    assert max(len(r.candidate.renames) for r in queried) <= bound.get("max_renames", 99)
    assert max(tokens_changed((SNIPPET,), r.code) for r in queried) <= bound.get("max_token_change", 999)
