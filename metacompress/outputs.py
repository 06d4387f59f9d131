"""What the models said, between the audit's inference and its comparison.

One ``ModelOutputs`` per model role, both in ``Outputs``. An original's outputs sit at its
example's index; an applied rewrite's at its ``RewrittenExample.row``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

ROLES = ("teacher", "student")


@dataclass
class ModelOutputs:
    """One model over the originals and every applied rewrite.

    original / rewritten: probabilities [n, labels] in the task's label order;
    truncated_*: [n] bool, some part of the input was cut to the model's max length;
    digest_*: [n] fingerprints of the token ids the model received (equal: the same input to it);
    failed: input index (originals first, then rewrites by row) -> why the model could not take it;
    from_store / computed: distinct inputs taken from the prediction store / run through the model.
    """

    original: np.ndarray
    rewritten: np.ndarray
    truncated_original: np.ndarray
    truncated_rewritten: np.ndarray
    digest_original: np.ndarray
    digest_rewritten: np.ndarray
    distinct_sequences: int
    seconds: float
    device: str
    failed: dict[int, str] = field(default_factory=dict)
    from_store: int = 0  # distinct inputs whose outputs came from the prediction store
    computed: int = 0  # distinct inputs the model was run on

    def select(self, originals: Sequence[int], rows: Sequence[int]) -> "ModelOutputs":
        """The outputs of the originals and rewrite rows kept, in the order given."""
        originals, rows = list(originals), list(rows)
        return ModelOutputs(
            original=self.original[originals], rewritten=self.rewritten[rows],
            truncated_original=self.truncated_original[originals], truncated_rewritten=self.truncated_rewritten[rows],
            digest_original=self.digest_original[originals], digest_rewritten=self.digest_rewritten[rows],
            distinct_sequences=self.distinct_sequences, seconds=self.seconds, device=self.device, failed={},
            from_store=self.from_store, computed=self.computed,
        )

    def sees(self, example_index: int, row: int) -> bool:
        """Did the rewrite change what this model reads (its token ids after truncation)?"""
        return bool(self.digest_original[example_index] != self.digest_rewritten[row])


@dataclass
class Outputs:
    """Both models' outputs over the same inputs."""

    teacher: ModelOutputs
    student: ModelOutputs

    def by_role(self) -> Iterator[tuple[str, ModelOutputs]]:
        yield "teacher", self.teacher
        yield "student", self.student

    def failures(self) -> dict[int, str]:
        """Input index -> "role: why", the teacher's reason first where both failed."""
        failed: dict[int, str] = {}
        for role, outputs in self.by_role():
            for index, why in outputs.failed.items():
                failed.setdefault(index, f"{role}: {why}")
        return failed

    def select(self, originals: Sequence[int], rows: Sequence[int]) -> "Outputs":
        return Outputs(self.teacher.select(originals, rows), self.student.select(originals, rows))
