"""Every figure of a report, judged from the samples table alone (no model runs here).

The audit and ``metacompress`` users who re-judge an old ``samples.csv`` go through the same
function, so a report and its recomputation cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .core import Metric, Thresholds, baseline_metrics, relation_metrics
from .mcnemar import POOLED_NOTE, McNemar, mcnemar_exact
from .samples import PROB_COLUMNS, decode_probs, has_probs

REQUIRED_COLUMNS = ("example_id", "relation", "applied", "skip_reason", "label") + PROB_COLUMNS
UNSPECIFIED = "unspecified"  # the skip reason of a row that gives none


@dataclass
class RelationSummary:
    """One relation (or all pooled): how often it applied, why not, its metrics, the number
    of distinct originals (the bootstrap's clusters) and McNemar's test of the flips."""

    applied: int
    not_applicable: int
    skip_reasons: dict[str, int]
    metrics: dict[str, Metric]
    clusters: int = 0
    mcnemar: McNemar | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"inputs": self.applied + self.not_applicable, "applied": self.applied,
                "not_applicable": self.not_applicable,
                "skip_reasons": dict(self.skip_reasons), "clusters": self.clusters,
                "metrics": {name: m.as_dict() for name, m in self.metrics.items()},
                "mcnemar": self.mcnemar.as_dict() if self.mcnemar else None}


@dataclass
class Baseline:
    """Both models on the distinct original inputs, before any rewrite."""

    n: int
    metrics: dict[str, Metric]

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "metrics": {name: m.as_dict() for name, m in self.metrics.items()}}


@dataclass
class Summary:
    relations: dict[str, RelationSummary]
    all_relations: RelationSummary
    baseline: Baseline


def metrics_from_samples(samples: pd.DataFrame, *, thresholds: Thresholds = Thresholds(),
                         seed: int = 0, n_bootstrap: int = 1000,
                         positive_label: int = 1) -> Summary:
    """Per-relation metrics, the pooled "all relations" row and the baseline, from the table.

    Relations are listed in the order they first appear. Every interval resamples original
    inputs (``example_id``), so the pooled row, which holds an original once per relation that
    applied to it, draws all of an original's rows together. The baseline takes each
    example's first row that holds both models' probabilities on x.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in samples.columns]
    if missing:
        raise InputError(f"samples table lacks column(s) {', '.join(missing)}")
    options = dict(thresholds=thresholds, seed=seed, n_bootstrap=n_bootstrap,
                   positive_label=positive_label)
    judged = _judged_rows(samples)
    relations, reasons_all = {}, Counter()
    for relation in dict.fromkeys(samples["relation"]):
        mine = (samples["relation"] == relation).to_numpy()
        reasons = _reasons(samples[mine & ~judged])
        reasons_all.update(reasons)
        relations[relation] = _row(f"relation {relation}", samples[mine & judged],
                                   int((mine & ~judged).sum()), reasons, options)
    all_relations = _row("all relations", samples[judged], int((~judged).sum()),
                         _ordered(reasons_all), options, POOLED_NOTE)
    return Summary(relations, all_relations, _baseline(samples, options))


def _judged_rows(samples: pd.DataFrame) -> np.ndarray:
    """The rows the metrics judge; the others count as not applicable, with their reason."""
    return samples["applied"].astype(bool).to_numpy()


def _row(what: str, rows: pd.DataFrame, not_applicable: int, reasons: dict[str, int],
         options: dict, mcnemar_note: str | None = None) -> RelationSummary:
    arrays = _arrays(rows, PROB_COLUMNS) if len(rows) else [np.zeros((0, 2))] * 4
    clusters = rows["example_id"].astype(str).to_numpy()
    metrics = _judged(what, relation_metrics, *arrays, _labels(rows), clusters=clusters, **options)
    clustered = len(set(clusters))
    note = mcnemar_note if clustered < len(rows) else None
    test = mcnemar_exact(student_only_flips=metrics["student_only_flip_rate"].count,
                         teacher_only_flips=metrics["teacher_only_flip_rate"].count, note=note)
    return RelationSummary(len(rows), not_applicable, reasons, metrics, clustered, test)


def _baseline(samples: pd.DataFrame, options: dict) -> Baseline:
    known = has_probs(samples["teacher_probs_x"]) & has_probs(samples["student_probs_x"])
    rows = samples[known].drop_duplicates("example_id", keep="first")
    T_x, S_x = _arrays(rows, ("teacher_probs_x", "student_probs_x"))
    return Baseline(len(rows), _judged("baseline", baseline_metrics, T_x, S_x, _labels(rows), **options))


def _judged(what: str, compute, *args, **options) -> dict[str, Metric]:
    try:
        return compute(*args, **options)
    except ValueError as error:
        raise InputError(f"samples table, {what}: {error}") from None


def _arrays(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[np.ndarray]:
    try:
        return [decode_probs(rows[c]) for c in columns]
    except (ValueError, TypeError) as error:
        raise InputError(f"samples table: unreadable probability vector ({error})") from None


def _labels(rows: pd.DataFrame) -> np.ndarray | None:
    if not len(rows):
        return None
    labels = rows["label"].to_numpy(dtype=object)
    return None if len(labels) and pd.isna(labels).all() else labels


def _reasons(rows: pd.DataFrame) -> dict[str, int]:
    reasons = rows["skip_reason"].fillna("").astype(str).str.strip().replace("", UNSPECIFIED)
    return _ordered(Counter(reasons))


def _ordered(counts: Counter) -> dict[str, int]:
    return {reason: int(n) for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
