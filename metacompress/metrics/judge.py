"""Judging a samples table, in one call: ``judge(samples, ...) -> Judgement``.

Everything an audit decides lives here: per-relation and pooled summaries with their intervals
and McNemar's tests, the baseline on the originals, and the ``--fail-on`` gates. The report
package only renders a ``Judgement`` (with the run's provenance beside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from .core import Thresholds
from .gates import Gate, GateResult, evaluate_gates
from .summary import Baseline, RelationSummary, metrics_from_samples
from .threshold_curves import Curve

CI_METHOD = ("95% BCa bootstrap (bias-corrected and accelerated, acceleration from the "
             "leave-one-cluster-out jackknife), resampling clusters (original inputs, or for pair "
             "tasks components of shared functions) with every row of a drawn cluster, pooled row "
             "included; a rate with fewer than 15 effective events or non-events gets the exact "
             "Clopper-Pearson interval instead")


@dataclass(frozen=True)
class JudgingSettings:
    """How the intervals were drawn: report.json's ``judging`` section."""

    seed: int = 0
    n_bootstrap: int = 1000
    ci: str = CI_METHOD
    ci_method: str = "bca"
    resampling_unit: str = "example_id"
    positive_label: int = 1
    p_adjust: str = "holm"

    def as_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "n_bootstrap": self.n_bootstrap, "ci": self.ci, "ci_method": self.ci_method,
                "resampling_unit": self.resampling_unit, "positive_label": self.positive_label,
                "p_adjust": self.p_adjust}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "JudgingSettings":
        return cls(**{key: data[key] for key in cls().as_dict() if key in data})


@dataclass
class Judgement:
    """The verdict on one samples table.

    relations: each relation's row, in the order the relations first appear in the table;
    all_relations: every applied (input, relation) row pooled;
    baseline: both models on the distinct originals, before any rewrite;
    gates: one result per condition and row it was checked on.
    """

    thresholds: Thresholds
    settings: JudgingSettings
    relations: dict[str, RelationSummary]
    all_relations: RelationSummary
    baseline: Baseline
    gates: list[GateResult]
    # every original weighing 1 (its relations but compose averaged); None without such rows
    per_original: RelationSummary | None = None
    # the threshold metrics over a grid of thresholds, pooled (threshold_curves)
    threshold_curves: list[Curve] | None = None

    @property
    def gate_breached(self) -> bool:
        return any(g.holds for g in self.gates)


def judge(samples: pd.DataFrame, *, thresholds: Thresholds = Thresholds(), gates: Iterable[str | Gate] = (),
          seed: int = 0, n_bootstrap: int = 1000, positive_label: int = 1,
          cluster_by: str = "example_id", p_adjust: str = "holm") -> Judgement:
    """Judge the samples table: summaries with intervals and McNemar's tests, the baseline, the gates.

    A gate naming a relation that is not in the table is a ``UsageError``.
    """
    summary = metrics_from_samples(samples, thresholds=thresholds, seed=seed, n_bootstrap=n_bootstrap,
                                   positive_label=positive_label, cluster_by=cluster_by, p_adjust=p_adjust)
    unit = "connected components of functions shared across pairs" if cluster_by == "function" else cluster_by
    return Judgement(thresholds=thresholds,
                     settings=JudgingSettings(seed=seed, n_bootstrap=n_bootstrap, positive_label=positive_label,
                                              resampling_unit=unit, p_adjust=p_adjust),
                     relations=summary.relations, all_relations=summary.all_relations, baseline=summary.baseline,
                     gates=evaluate_gates(gates, summary), per_original=summary.per_original,
                     threshold_curves=summary.threshold_curves)
