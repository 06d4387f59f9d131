"""What one search gives: an input's status under one attack, its best rewrite and the queries spent."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import numpy as np

from .space import Candidate, tokens_changed

SUCCESS, FAILED = "success", "failed"
NOTHING_TO_EDIT, NO_BUDGET = "nothing to edit", "budget 0"
ALREADY_WRONG, ALREADY_DISAGREE = "already misclassified", "models already disagree"
ATTACKED = (SUCCESS, FAILED)


@dataclass
class Outcome:
    """One input under one attack."""

    status: str
    queries: int = 0
    queries_to_success: int | None = None  # queries spent when the first success was found
    successes: int = 0  # distinct candidates that met the objective (a hunt counts them all)
    candidate: Candidate | None = None  # the best edit set found (a success when status is success)
    code: tuple[str, ...] | None = None
    probs: dict[str, np.ndarray] = field(default_factory=dict)  # both models on ``code``
    #: the search ended with budget left because every edit set reachable one valid edit at a
    #: time had been tried (strategies.common.sweep)
    exhausted: bool = False

    @property
    def success(self) -> bool:
        return self.status == SUCCESS


def queries_to_success(outcomes: list[Outcome]) -> tuple[float | None, float | None]:
    spent = [o.queries_to_success for o in outcomes if o.success]
    if not spent:
        return None, None
    return float(np.mean(spent)), float(statistics.median(spent))


def edit_size(example_code: tuple[str, ...], outcome: Outcome) -> tuple[int, int]:
    """(identifiers renamed, tokens changed) of an outcome's best rewrite."""
    if outcome.candidate is None or outcome.code is None:
        return 0, 0
    return len(outcome.candidate.renames), tokens_changed(example_code, outcome.code)
