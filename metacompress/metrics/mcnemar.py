"""McNemar's test of the discordant flips: does the student flip alone more often than the teacher?

Each input is a matched pair of outcomes (did the teacher flip, did the student flip). Inputs
where both or neither flip say nothing about which model is less stable; under the null
hypothesis of equal flip rates a discordant input is a student-only flip with probability 1/2.
The exact test (McNemar 1947, in its exact binomial form) is then a two-sided binomial test of
``student_only`` successes in ``student_only + teacher_only`` trials at p = 1/2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

POOLED_NOTE = ("rows of the same original under several relations are not independent; "
               "this p-value treats them as if they were and is too small when flips cluster "
               "by original: read the per-relation tests and the interval of flip_asymmetry")


@dataclass(frozen=True)
class McNemar:
    """Discordant counts and the exact two-sided p-value (None when no input is discordant)."""

    student_only_flips: int
    teacher_only_flips: int
    p_value: float | None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "McNemar":
        return cls(data["student_only_flips"], data["teacher_only_flips"], data["p_value"], data.get("note"))


def mcnemar_exact(*, student_only_flips: int, teacher_only_flips: int, note: str | None = None) -> McNemar:
    """Two-sided exact p-value: twice the smaller binomial tail at p = 1/2, at most 1."""
    from scipy.stats import binom

    discordant = student_only_flips + teacher_only_flips
    if discordant == 0:
        return McNemar(student_only_flips, teacher_only_flips, None, note)
    tail = float(binom.cdf(min(student_only_flips, teacher_only_flips), discordant, 0.5))
    return McNemar(student_only_flips, teacher_only_flips, min(1.0, 2.0 * tail), note)
