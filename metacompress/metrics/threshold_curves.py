"""Threshold sensitivity: the threshold metrics as curves over their threshold.

``js_over_threshold_rate`` and ``high_confidence_preservation`` (and through them
``discrepancy_rate``) depend on a cut-off chosen by convention (JS distance 0.1, confidence
0.9). A curve over a grid of cut-offs, on the pooled judged rows, shows whether the chosen one
sits on a plateau or a knife edge: the same figures recomputed with the other cut-off held at
its setting. Rows weigh as in the pooled row (each original's rewrites averaged under
``--rewrites``). The curves carry no intervals: each point is the pooled figure at that cut-off,
and its interval at the chosen cut-off is the pooled row's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .core import Thresholds, js_distance

JS_GRID = tuple(round(0.025 * k, 3) for k in range(21))  # 0 .. 0.5
CONFIDENCE_GRID = tuple(round(0.5 + 0.05 * k, 2) for k in range(10)) + (0.975, 0.99)  # 0.5 .. 0.99


@dataclass(frozen=True)
class Curve:
    """One threshold's curve: the grid (with the run's own threshold in it) and, per metric,
    its value at every grid point (None where undefined)."""

    threshold: str
    chosen: float
    grid: list[float]
    values: dict[str, list[float | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "chosen": self.chosen, "grid": self.grid, "values": self.values}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Curve":
        return cls(data["threshold"], data["chosen"], list(data["grid"]), dict(data["values"]))


def threshold_curves(T_xp: np.ndarray, S_xp: np.ndarray, thresholds: Thresholds,
                     weights: np.ndarray | None = None) -> list[Curve]:
    """The JS-distance and the confidence curves of the pooled judged rows (x' probabilities)."""
    weights = np.ones(len(T_xp)) if weights is None else np.asarray(weights, dtype=np.float64)
    teacher_label = T_xp.argmax(axis=1)
    disagree = teacher_label != S_xp.argmax(axis=1)
    distance = js_distance(T_xp, S_xp)
    teacher_top = T_xp.max(axis=1)
    student_on_teacher = S_xp[np.arange(len(S_xp)), teacher_label]

    def confidence_violation(cut: float) -> np.ndarray:
        return (teacher_top >= cut) & (student_on_teacher < cut)

    js_grid = _with(JS_GRID, thresholds.js_distance)
    js_curve = Curve("js_distance", thresholds.js_distance, js_grid, {
        "js_over_threshold_rate": [_share(distance > t, weights) for t in js_grid],
        "discrepancy_rate": [_share(disagree | (distance > t) | confidence_violation(thresholds.confidence), weights)
                             for t in js_grid],
    })
    confidence_grid = _with(CONFIDENCE_GRID, thresholds.confidence)
    confidence_curve = Curve("confidence", thresholds.confidence, confidence_grid, {
        "high_confidence_preservation": [_share(~confidence_violation(c), weights, among=teacher_top >= c)
                                         for c in confidence_grid],
        "teacher_confident_share": [_share(teacher_top >= c, weights) for c in confidence_grid],
        "discrepancy_rate": [_share(disagree | (distance > thresholds.js_distance) | confidence_violation(c), weights)
                             for c in confidence_grid],
    })
    return [js_curve, confidence_curve]


def _with(grid: tuple[float, ...], chosen: float) -> list[float]:
    return sorted(set(grid) | {float(chosen)})


def _share(flag: np.ndarray, weights: np.ndarray, among: np.ndarray | None = None) -> float | None:
    among = np.ones(len(flag), dtype=bool) if among is None else among
    total = float(np.sum(weights[among]))
    if total <= 0:
        return None
    return round(float(np.sum(weights[among & flag])) / total, 6)
