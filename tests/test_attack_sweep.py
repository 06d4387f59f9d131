"""Issue 20: no search stops with budget left while an untried edit remains; where the space is
truly exhausted, the input says so (adversarial.jsonl's ``exhausted``)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from metacompress.attack.objectives.flip import flip_goal
from metacompress.attack.search import Search
from metacompress.attack.space import SpaceSettings, build_spaces
from metacompress.attack.strategies import get_strategy, strategy_names
from metacompress.tasks.base import Example

SMALL = "int f(int n) {\n    int doubled = n * 2;\n    return doubled;\n}\n"  # 2 variables
LARGE = ("int g(int a, int b, int c) {\n    int d = a + b;\n    int e = d * c;\n    int h = e - a;\n"
         "    return h;\n}\n")


class NeverFlips:
    """A model no rewrite moves: every search runs until its budget or its space ends."""

    def probs(self, role, codes):
        return np.tile([0.9, 0.1], (len(codes), 1))


def run(strategy: str, code: str, budget: int, names: int) -> Search:
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", names, 0, 0)
    space = build_spaces([Example("x", (code,), 0)], settings)[0]
    search = Search(space, flip_goal("student", 0), NeverFlips(), budget, 0.1)
    get_strategy(strategy).run(search, random.Random(0), 0)
    return search


@pytest.mark.parametrize("strategy", strategy_names())
def test_every_strategy_spends_the_whole_budget_while_edits_remain(strategy):
    search = run(strategy, LARGE, budget=150, names=8)  # 6 variables x 8 names: far more than 150 sets
    assert search.queries == 150
    assert not search.exhausted


@pytest.mark.parametrize("strategy", strategy_names())
def test_a_small_space_is_tried_in_full_and_said_to_be_exhausted(strategy):
    search = run(strategy, SMALL, budget=400, names=3)
    # every edit set of 2 variables with 3 names each: (3 + 1) ** 2 - 1 = 15
    assert search.queries == 15
    assert search.exhausted


def run_on_substitutes(strategy: str, substitutes: dict[str, list[str]], budget: int, names: int) -> Search:
    settings = SpaceSettings("c", (0,), [], {}, "data", "substitutes", names, 0, 0)
    example = Example("x", (SMALL,), 0, extra={"substitutes": substitutes})
    space = build_spaces([example], settings)[0]
    search = Search(space, flip_goal("student", 0), NeverFlips(), budget, 0.1)
    get_strategy(strategy).run(search, random.Random(0), 0)
    return search


@pytest.mark.parametrize("strategy", strategy_names())
def test_the_data_s_substitutes_beyond_candidates_are_tried_before_the_space_is_called_exhausted(strategy):
    # --candidates 2 keeps two names per variable for the searches; the other four are a reserve
    substitutes = {"n": [" k1", "k2", "k3", "k4", "k5", "k6"], "doubled": ["t1", "t2", "t3", "t4", "t5", "t6"]}
    search = run_on_substitutes(strategy, substitutes, budget=400, names=2)
    assert [len(slot.names) for slot in search.space.slots] == [2, 2]
    assert [len(slot.every_name) for slot in search.space.slots] == [6, 6]
    tried = {name for candidate in search.seen for _, name in candidate.renames}
    assert tried == {"k1", "k2", "k3", "k4", "k5", "k6", "t1", "t2", "t3", "t4", "t5", "t6"}
    assert search.queries == 7 * 7 - 1  # every edit set: (6 names + unrenamed) ** 2 variables, less the original
    assert search.exhausted
