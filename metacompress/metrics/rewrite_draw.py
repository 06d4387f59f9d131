"""``--rewrites K``: each (original, relation) rewritten K times, and how much the draw matters.

A relation that draws (``rename-identifiers`` picks names, ``dead-code`` picks a statement)
defines a distribution of rewrites per original. With one rewrite, a rate is a statement about
that one draw; with K, each (original, relation) *unit* weighs 1 in total, its judged rewrites
1/m each (m <= K: some rewrites may be left unseen), so a rate estimates the expected rate over
the relation's rewrites. Intervals still resample originals (all their rewrites together).

The decomposition (one-way random effects, Searle, Casella & McCulloch 1992, ch. 3): for a
per-row flag y_uk (unit u, rewrite k), the variance of the unit mean ȳ_u across units is the
between-unit part plus the rewrite draw's part s²_u / m_u, s²_u the variance of y_uk across
u's rewrites. ``share`` = mean(s²_u / m_u) / var(ȳ_u): how much of the spread of per-original
means the draw itself contributes (0: every rewrite of an original behaves alike).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

# metric -> the per-row flag it averages (sample_flags' names); the rates a decomposition is given for
DRAW_METRICS = {
    "discrepancy_rate": "violated",
    "induced_discrepancy_rate": "induced_discrepancy",
    "student_flip_rate": "student_flip",
    "teacher_flip_rate": "teacher_flip",
    "student_only_flip_rate": "student_only_flip",
}


@dataclass(frozen=True)
class RewriteDraw:
    """One metric's variance split: units with >= 2 judged rewrites, the mean within-unit
    variance across rewrites, the variance of the unit means, and the draw's share of it
    (None when the unit means do not vary)."""

    units: int
    within: float
    of_means: float
    share: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RewriteDraw":
        return cls(data["units"], data["within"], data["of_means"], data["share"])


def units_of(samples: pd.DataFrame) -> np.ndarray:
    """Each row's (original, relation) unit, as one string."""
    return (samples["example_id"].astype(str) + "\x00" + samples["relation"].astype(str)).to_numpy()


def unit_weights(units: np.ndarray) -> np.ndarray:
    """1 / (rows of the row's unit): each unit weighs 1 in total."""
    _, inverse, counts = np.unique(units, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse.ravel()]


def several_rewrites(units: np.ndarray) -> bool:
    """Whether any unit has more than one judged rewrite (else there is no draw to average)."""
    return len(units) > 0 and np.unique(units).size < len(units)


def rewrite_draw(flags: Mapping[str, np.ndarray], units: np.ndarray) -> dict[str, RewriteDraw]:
    """The decomposition of every ``DRAW_METRICS`` rate, from the judged rows' flags."""
    return {metric: decompose(np.asarray(flags[flag], dtype=np.float64), units)
            for metric, flag in DRAW_METRICS.items()}


def decompose(values: np.ndarray, units: np.ndarray) -> RewriteDraw:
    frame = pd.DataFrame({"unit": units, "y": values})
    grouped = frame.groupby("unit", sort=False)["y"]
    stats = pd.DataFrame({"m": grouped.size(), "mean": grouped.mean(), "var": grouped.var(ddof=1)})
    stats = stats[stats["m"] >= 2]
    if len(stats) < 2:
        return RewriteDraw(len(stats), float(stats["var"].mean()) if len(stats) else 0.0, 0.0, None)
    within = float(stats["var"].mean())
    of_means = float(stats["mean"].var(ddof=1))
    draw = float((stats["var"] / stats["m"]).mean())
    share = None if of_means <= 1e-15 else round(min(1.0, draw / of_means), 6)
    return RewriteDraw(len(stats), round(within, 6), round(of_means, 6), share)
