"""The strategies on scripted models: what each one does with the scores it sees.

The oracle here is a stand-in for a model whose probability of the reference class depends only
on how many of the snippet's variables an edit set renamed, so each test fixes the shape of the
landscape (a cliff, a slope) and checks the strategy's answer to it.
"""

from __future__ import annotations

import random
import re

import numpy as np

from metacompress.attack.search import Search, flip_objective, greedy_search
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
    """P(reference class) = staying(number of the original variables renamed); every call recorded."""

    def __init__(self, staying):
        self.staying = staying
        self.calls: list[list[int]] = []  # variables renamed, per candidate, per call

    def probs(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        renamed = [sum(1 for v in VARIABLES if not re.search(rf"\b{v}\b", code[0])) for code in codes]
        self.calls.append(renamed)
        stay = np.array([self.staying(n) for n in renamed])
        return np.stack([stay, 1.0 - stay], axis=1)


def _search(staying, budget: int = 100) -> tuple[Search, ScriptedOracle]:
    example = Example("f", (SNIPPET,), 0)
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 8, 0, 0)
    space = build_spaces([example], settings)[0]
    assert sorted(slot.name for slot in space.slots) == sorted(VARIABLES)
    oracle = ScriptedOracle(staying)
    start = 1.0 - staying(0)
    search = Search(space, flip_objective("student", 0), oracle, budget, start)
    greedy_search(search, random.Random(0), 0)
    return search, oracle


def test_greedy_climbs_site_by_site_where_single_edits_add_up():
    # each rename lowers the log-odds of staying by 1.5, from 3: three renames flip it
    search, oracle = _search(lambda n: 1.0 / (1.0 + np.exp(-(3.0 - 1.5 * n))))
    assert search.success is not None
    assert len(search.success.candidate.renames) == 3  # the smallest flipping edit set
    assert oracle.calls[0] == [1] * len(VARIABLES)  # the probes: one rename each
    assert [max(call) for call in oracle.calls[1:]] == [1, 2, 3]  # then one more site per step


def test_greedy_hands_a_saturated_model_to_large_random_edit_sets_at_once():
    # a cliff: 0.9999 until six of the eight variables are renamed; no single edit shows a gain
    search, oracle = _search(lambda n: 0.9999 - 1e-6 * n if n < 6 else 0.2)
    assert oracle.calls[0] == [1] * len(VARIABLES)
    assert max(oracle.calls[1]) > 1  # the step after the probes already tries large edit sets
    assert search.success is not None
    assert search.queries_to_success <= len(VARIABLES) + 20
