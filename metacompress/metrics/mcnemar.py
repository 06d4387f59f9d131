"""McNemar's test of the discordant flips: does the student flip alone more often than the teacher?

Each input is a matched pair of outcomes (did the teacher flip, did the student flip). Inputs
where both or neither flip say nothing about which model is less stable; under the null
hypothesis of equal flip rates a discordant input is a student-only flip with probability 1/2.
The exact test (McNemar 1947, in its exact binomial form) is then a two-sided binomial test of
``student_only`` successes in ``student_only + teacher_only`` trials at p = 1/2.

Where an original contributes several rows (the pooled row, or a pair task's shared functions)
the rows are not independent, and the clustered McNemar test of Durkalski et al. (2003) replaces
it: with b_k and c_k the student-only and teacher-only flips of cluster k,
X² = (Σ (b_k - c_k))² / Σ (b_k - c_k)², referred to chi-square with one degree of freedom
(Obuchowski 1998 gives the same statistic with another variance estimate).

Beside every test, effect sizes: the paired risk difference (b - c) / n (the metric
``flip_asymmetry``, with its cluster interval) and the conditional odds ratio b / c, whose exact
interval comes from the Clopper-Pearson interval of b / (b + c) (on the effective sample size
when rows cluster).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .intervals import design_effect, exact_rate_interval

POOLED_NOTE = ("rows of the same original under several relations are not independent; "
               "this p-value is the clustered McNemar test (Durkalski et al. 2003), resampling nothing "
               "but counting each original's discordant flips together")
EXACT = "exact"
CLUSTERED = "clustered"
P_ADJUSTMENTS = ("holm", "bh")


@dataclass(frozen=True)
class McNemar:
    """Discordant counts and the two-sided p-value (None when no input is discordant).

    method: "exact" (independent rows) or "clustered" (Durkalski's test);
    p_adjusted: the p-value adjusted over the per-relation tests (``adjustment``: holm or bh);
    risk_difference (with ``risk_difference_ci95``): (b - c) / n;
    odds_ratio (with ``odds_ratio_ci95``): b / c, None when c is 0 (its interval's upper end
    None too: unbounded).
    """

    student_only_flips: int
    teacher_only_flips: int
    p_value: float | None
    note: str | None = None
    method: str = EXACT
    p_adjusted: float | None = None
    adjustment: str | None = None
    risk_difference: float | None = None
    risk_difference_ci95: tuple[float, float] | None = None
    odds_ratio: float | None = None
    odds_ratio_ci95: tuple[float, float | None] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("risk_difference_ci95", "odds_ratio_ci95"):
            out[key] = list(out[key]) if out[key] is not None else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "McNemar":
        extra = {key: data[key] for key in ("method", "p_adjusted", "adjustment", "risk_difference",
                                            "odds_ratio") if key in data}
        for key in ("risk_difference_ci95", "odds_ratio_ci95"):
            if data.get(key) is not None:
                extra[key] = tuple(data[key])
        return cls(data["student_only_flips"], data["teacher_only_flips"], data["p_value"], data.get("note"), **extra)


def mcnemar_exact(*, student_only_flips: int, teacher_only_flips: int, note: str | None = None) -> McNemar:
    """Two-sided exact p-value: twice the smaller binomial tail at p = 1/2, at most 1."""
    from scipy.special import bdtr  # the binomial CDF, without importing scipy.stats

    discordant = student_only_flips + teacher_only_flips
    if discordant == 0:
        return McNemar(student_only_flips, teacher_only_flips, None, note)
    tail = float(bdtr(min(student_only_flips, teacher_only_flips), discordant, 0.5))
    return McNemar(student_only_flips, teacher_only_flips, min(1.0, 2.0 * tail), note)


def mcnemar_clustered(student_only: np.ndarray, teacher_only: np.ndarray, note: str | None = None) -> McNemar:
    """Durkalski's clustered McNemar test from each cluster's discordant counts."""
    from scipy.special import chdtrc  # the chi-square survival function

    b_k, c_k = np.asarray(student_only, dtype=np.float64), np.asarray(teacher_only, dtype=np.float64)
    b, c = int(round(b_k.sum())), int(round(c_k.sum()))
    spread = float(np.sum((b_k - c_k) ** 2))
    if b + c == 0 or spread == 0:
        return McNemar(b, c, None, note, CLUSTERED)
    statistic = (b - c) ** 2 / spread
    return McNemar(b, c, float(chdtrc(1, statistic)), note, CLUSTERED)


def with_effect_sizes(test: McNemar, n: int, risk_difference: tuple[float | None, tuple[float, float] | None],
                      student_only: np.ndarray, teacher_only: np.ndarray) -> McNemar:
    """``test`` with the risk difference (the ``flip_asymmetry`` metric) and the conditional
    odds ratio b / c with its exact interval, on the clusters' discordant counts."""
    from dataclasses import replace

    b, c = test.student_only_flips, test.teacher_only_flips
    value, ci = risk_difference
    odds, odds_ci = None, None
    if b + c:
        deff = design_effect(np.asarray(student_only, float), np.asarray(student_only, float) + np.asarray(teacher_only, float))
        low, high = exact_rate_interval(b, b + c, deff)
        odds = b / c if c else None
        odds_ci = (_odds(low), _odds(high))
    return replace(test, risk_difference=value if n else None, risk_difference_ci95=ci,
                   odds_ratio=odds, odds_ratio_ci95=odds_ci)


def _odds(share: float) -> float | None:
    return None if share >= 1 else share / (1 - share)


def adjust_p_values(p_values: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Holm's step-down (family-wise error) or Benjamini-Hochberg's step-up (false discovery
    rate) adjustment of the defined p-values; None stays None."""
    if method not in P_ADJUSTMENTS:
        raise ValueError(f"p-value adjustment {method!r} is not one of {', '.join(P_ADJUSTMENTS)}")
    defined = [i for i, p in enumerate(p_values) if p is not None]
    m = len(defined)
    out: list[float | None] = [None] * len(p_values)
    order = sorted(defined, key=lambda i: p_values[i])
    if method == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (m - rank) * p_values[i]))
            out[i] = running
    else:
        running = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            running = min(running, m * p_values[i] / (rank + 1))
            out[i] = min(1.0, running)
    return out
