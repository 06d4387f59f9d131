"""The strategies on scripted models: what each one does with the scores it sees.

The oracle here is a stand-in for a model whose probability of the reference class depends only
on which of the snippet's variables an edit set renamed, so each test fixes the shape of the
landscape (a cliff, a slope) and checks the strategy's answer to it.
"""

from __future__ import annotations

import random
import re

import numpy as np

from metacompress.attack.objectives.flip import flip_goal
from metacompress.attack.search import Search
from metacompress.attack.strategies.common import POPULATION
from metacompress.attack.strategies.greedy import greedy_search
from metacompress.attack.space import SpaceSettings, build_spaces
from metacompress.tasks.base import Example

SNIPPET = """int total(int alpha, int beta, int gamma) {
    int delta = alpha + beta;
    int epsilon = delta * gamma;
    int zeta = epsilon - alpha;
    int eta = zeta + 1;
    int theta = eta * 2;
    return theta;
}
"""
VARIABLES = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


class ScriptedOracle:
    """P(reference class) = staying(the original variables renamed); every call recorded."""

    def __init__(self, staying):
        self.staying = staying
        self.calls: list[list[int]] = []  # how many variables each candidate renamed, per call

    def probs(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        renamed = [frozenset(v for v in VARIABLES if not re.search(rf"\b{v}\b", code[0])) for code in codes]
        self.calls.append([len(r) for r in renamed])
        stay = np.array([self.staying(r) for r in renamed])
        return np.stack([stay, 1.0 - stay], axis=1)


def _search(staying, budget: int = 100) -> tuple[Search, ScriptedOracle]:
    example = Example("f", (SNIPPET,), 0)
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 8, 0, 0)
    space = build_spaces([example], settings)[0]
    assert sorted(slot.name for slot in space.slots) == sorted(VARIABLES)
    oracle = ScriptedOracle(staying)
    start = 1.0 - staying(frozenset())
    search = Search(space, flip_goal("student", 0), oracle, budget, start)
    greedy_search(search, random.Random(0), 0)
    return search, oracle


def _logistic(logit: float) -> float:
    return 1.0 / (1.0 + np.exp(-logit))


HELPFUL = {"alpha", "beta", "gamma"}


def test_greedy_climbs_site_by_site_where_single_edits_add_up():
    # renaming alpha, beta or gamma lowers the log-odds of staying by 1.5 from 3, any other raises
    # them by 3: random edit sets fail, and the three helpful renames are the smallest flip
    search, oracle = _search(lambda r: _logistic(3.0 - 1.5 * len(r & HELPFUL) + 3.0 * len(r - HELPFUL)))
    assert search.success is not None
    assert {search.space.slots[i].name for i, _ in search.success.candidate.renames} == HELPFUL
    assert len(oracle.calls[0]) == POPULATION  # first a generation of random edit sets
    assert oracle.calls[1] == [1] * len(VARIABLES)  # then the probes: one rename each
    assert [max(call) for call in oracle.calls[2:]] == [1, 2, 3]  # then one more site per step


def test_greedy_flips_a_model_that_any_large_edit_flips_in_its_first_step():
    search, oracle = _search(lambda r: 0.9999 if len(r) < 6 else 0.2)
    assert search.success is not None and search.queries_to_success <= POPULATION


def test_greedy_does_not_climb_a_saturated_model_and_breeds_large_edit_sets():
    # a cliff that neither single edits nor most large ones show: 0.9999 until delta..theta are
    # all renamed and alpha is not. The probes gain nothing, so no single edit can add up to a
    # flip: greedy spends its budget as the genetic stage, not on a site-by-site climb.
    cliff = {"delta", "epsilon", "zeta", "eta", "theta"}
    search, oracle = _search(lambda r: 0.2 if cliff <= r and "alpha" not in r else 0.9999)
    assert len(oracle.calls[0]) == POPULATION
    assert oracle.calls[1] == [1] * len(VARIABLES)  # the probes: one rename each
    assert max(oracle.calls[2]) > 2  # then bred from large edit sets, not a climb from one site
    found = search.success.candidate.renames
    assert {search.space.slots[i].name for i, _ in found} >= cliff  # the cliff no climb finds
