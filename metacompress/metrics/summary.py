"""Every figure of a report, judged from the samples table alone (no model runs here).

The audit and ``metacompress`` users who re-judge an old ``samples.csv`` go through the same
function, so a report and its recomputation cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from .intervals import cluster_codes, cluster_sums
from .core import Metric, Thresholds, baseline_metrics, relation_metrics, sample_flags
from .clusters import cluster_keys
from .mcnemar import POOLED_NOTE, McNemar, adjust_p_values, mcnemar_clustered, mcnemar_exact, with_effect_sizes
from .rewrite_draw import RewriteDraw, rewrite_draw, several_rewrites, unit_weights, units_of
from .threshold_curves import Curve, threshold_curves
from .samples import PROB_COLUMNS, VISIBILITY_COLUMNS, decode_probs, has_probs

REQUIRED_COLUMNS = ("example_id", "relation", "applied", "skip_reason", "label") + PROB_COLUMNS
UNSPECIFIED = "unspecified"  # the skip reason of a row that gives none
# A row judged on fewer inputs is marked in every view: its rates move by 10 points per input.
MIN_JUDGED = 10


@dataclass(frozen=True)
class Visibility:
    """Of the applied rows: which rewrites changed what each model reads.

    unseen: neither model's input changed (the edits lie past both truncation windows, or the
        tokenizers fold them away); left out of every metric.
    teacher_only / student_only: one model's input changed; judged, and flagged here.
    retried / retry_found: rows whose first rewrite a truncating model could not see, so the
        audit re-drew it; and how many of those found sites that both models see.
    """

    unseen: int = 0
    teacher_only: int = 0
    student_only: int = 0
    retried: int = 0
    retry_found: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"unseen": self.unseen, "seen_by_teacher_only": self.teacher_only,
                "seen_by_student_only": self.student_only,
                "window_retried": self.retried, "window_retry_found": self.retry_found}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> "Visibility":
        """From a report.json row (the counts sit beside the row's other fields)."""
        return cls(unseen=row["unseen"], teacher_only=row["seen_by_teacher_only"],
                   student_only=row["seen_by_student_only"], retried=row["window_retried"],
                   retry_found=row["window_retry_found"])

    def __add__(self, other: "Visibility") -> "Visibility":
        return Visibility(*(a + b for a, b in zip(astuple(self), astuple(other))))


@dataclass
class RelationSummary:
    """One relation (or all pooled): how often it applied, why not, its metrics, the number
    of distinct originals among the judged rows (the bootstrap's clusters) and McNemar's test
    of the flips.

    ``applied`` counts every row the relation rewrote; the metrics are judged on the
    ``applied - visibility.unseen`` rows that changed what at least one model reads.
    """

    applied: int
    not_applicable: int
    skip_reasons: dict[str, int]
    metrics: dict[str, Metric]
    visibility: Visibility = field(default_factory=Visibility)
    clusters: int = 0
    mcnemar: McNemar | None = None
    # --rewrites K > 1: per rate, how much of its variance comes from the rewrite draw
    rewrite_draw: dict[str, RewriteDraw] | None = None

    @property
    def inputs(self) -> int:
        return self.applied + self.not_applicable

    @property
    def judged(self) -> int:
        return self.applied - self.visibility.unseen

    @property
    def too_few(self) -> bool:
        """Too few judged inputs to rank this row beside the others (its figures stay, marked);
        under --rewrites (a rewrite split) the judged originals count, not their K rewrites."""
        return (self.judged if self.rewrite_draw is None else self.clusters) < MIN_JUDGED

    def as_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "applied": self.applied,
                "judged": self.judged, **self.visibility.as_dict(),
                "not_applicable": self.not_applicable,
                "skip_reasons": dict(self.skip_reasons), "clusters": self.clusters,
                "metrics": {name: m.as_dict() for name, m in self.metrics.items()},
                "mcnemar": self.mcnemar.as_dict() if self.mcnemar else None,
                "rewrite_draw": ({name: d.as_dict() for name, d in self.rewrite_draw.items()}
                                 if self.rewrite_draw is not None else None)}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> "RelationSummary":
        """The inverse of ``as_dict`` (``inputs`` and ``judged`` are derived, so not read)."""
        test, draw = row["mcnemar"], row.get("rewrite_draw")
        return cls(applied=row["applied"], not_applicable=row["not_applicable"],
                   skip_reasons=dict(row["skip_reasons"]), metrics=_metrics_from_dict(row["metrics"]),
                   visibility=Visibility.from_dict(row), clusters=row["clusters"],
                   mcnemar=McNemar.from_dict(test) if test is not None else None,
                   rewrite_draw={k: RewriteDraw.from_dict(v) for k, v in draw.items()} if draw is not None else None)


@dataclass
class Baseline:
    """Both models on the distinct original inputs, before any rewrite."""

    n: int
    metrics: dict[str, Metric]

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "metrics": {name: m.as_dict() for name, m in self.metrics.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Baseline":
        return cls(data["n"], _metrics_from_dict(data["metrics"]))


def _metrics_from_dict(metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, Metric]:
    return {name: Metric.from_dict(entry) for name, entry in metrics.items()}


@dataclass
class Summary:
    relations: dict[str, RelationSummary]
    all_relations: RelationSummary
    baseline: Baseline
    per_original: RelationSummary | None = None
    threshold_curves: list[Curve] | None = None


# The per-original (macro) row leaves out ``compose``: its rewrites repeat other relations' edits,
# so it would count them twice for the originals it applies to.
MACRO_EXCLUDED = ("compose",)


def metrics_from_samples(samples: pd.DataFrame, *, thresholds: Thresholds = Thresholds(),
                         seed: int = 0, n_bootstrap: int = 1000,
                         positive_label: int = 1, cluster_by: str = "example_id",
                         p_adjust: str = "holm") -> Summary:
    """Per-relation metrics, the pooled "all relations" row and the baseline, from the table.

    Relations are listed in the order they first appear. Applied rows whose rewrite neither
    model could see (``teacher_sees_rewrite`` and ``student_sees_rewrite`` both false) are
    counted as unseen and judged nowhere. Every interval resamples original inputs
    (``example_id``), so the pooled row, which holds an original once per relation that
    applied to it, draws all of an original's rows together. The baseline takes each
    example's first row that holds both models' probabilities on x.

    ``cluster_by`` "function" (pair tasks) makes the clusters the connected components of
    functions shared across pairs (``clusters``). Each relation's McNemar p-value is adjusted
    over the relations (``p_adjust``: holm or bh); the pooled row's test is clustered.

    Where an (original, relation) has several judged rows (``--rewrites K``: the ``rewrite``
    column), its rows are averaged (``rewrite_draw``): each weighs 1/m, and every row gets the
    split of its rates' variance between originals and the rewrite draw.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in samples.columns]
    if missing:
        raise InputError(f"samples table lacks column(s) {', '.join(missing)}")
    options = dict(thresholds=thresholds, seed=seed, n_bootstrap=n_bootstrap,
                   positive_label=positive_label)
    applied = samples["applied"].astype(bool).to_numpy()
    teacher_sees, student_sees = _sees(samples)
    judged = judged_rows(samples)
    samples = samples.assign(_cluster=cluster_keys(samples, cluster_by), _unit=units_of(samples))
    options["rewrites"] = _drew_several(samples)
    relations, reasons_all, visible_all = {}, Counter(), Visibility()
    reasons_macro, visible_macro = Counter(), Visibility()
    for relation in dict.fromkeys(samples["relation"]):
        mine = (samples["relation"] == relation).to_numpy()
        reasons = _reasons(samples[mine & ~applied])
        reasons_all.update(reasons)
        visibility = _visibility(samples, mine & applied, teacher_sees, student_sees)
        visible_all += visibility
        if relation not in MACRO_EXCLUDED:
            reasons_macro.update(reasons)
            visible_macro += visibility
        summary = RelationSummary(int((mine & applied).sum()), int((mine & ~applied).sum()),
                                  reasons, {}, visibility)
        relations[relation] = _judge(f"relation {relation}", summary, samples[mine & judged], options)
    pooled = RelationSummary(int(applied.sum()), int((~applied).sum()), _ordered(reasons_all), {}, visible_all)
    all_relations = _judge("all relations", pooled, samples[judged], options, POOLED_NOTE)
    _adjust(list(relations.values()), p_adjust)
    macro = ~samples["relation"].isin(MACRO_EXCLUDED).to_numpy()
    per_original = None
    if (macro & judged).any():
        per_original = RelationSummary(int((macro & applied).sum()), int((macro & ~applied).sum()),
                                       _ordered(reasons_macro), {}, visible_macro)
        per_original = _judge_per_original(per_original, samples[macro & judged], options)
    curves = _curves(samples[judged], thresholds, options.pop("rewrites"))
    return Summary(relations, all_relations, _baseline(samples, options), per_original, curves)


def _curves(rows: pd.DataFrame, thresholds: Thresholds, several: bool) -> list[Curve] | None:
    """The threshold curves of the pooled judged rows, weighed as the pooled row is."""
    if not len(rows):
        return None
    T_xp, S_xp = _arrays(rows, ("teacher_probs_xp", "student_probs_xp"))
    return threshold_curves(T_xp, S_xp, thresholds, unit_weights(rows["_unit"].to_numpy()) if several else None)


def _judge_per_original(summary: RelationSummary, rows: pd.DataFrame, options: dict) -> RelationSummary:
    """The macro row: every original weighs 1, split evenly over its (relation) units and each
    unit's rewrites; no test (the pooled row's clustered test covers these rows)."""
    probs = dict(zip(("T_x", "T_xp", "S_x", "S_xp"), _arrays(rows, PROB_COLUMNS)))
    clusters = rows["_cluster"].astype(str).to_numpy()
    units = rows["_unit"].to_numpy()
    originals = rows["example_id"].astype(str).to_numpy()
    units_per_original = pd.Series(units).groupby(originals).transform("nunique").to_numpy()
    options = dict(options)
    weights = (unit_weights(units) if options.pop("rewrites") else 1.0) / units_per_original
    summary.metrics = _judged("per original", relation_metrics, **probs, labels=_labels(rows), clusters=clusters,
                              weights=weights, **options)
    summary.clusters = len(set(clusters))
    return summary


def _drew_several(samples: pd.DataFrame) -> bool:
    """Whether the table holds several rewrites of an (original, relation): its ``rewrite`` column
    (``--rewrites K``) goes past 0. A table without it, or with repeated ids, is not averaged."""
    if "rewrite" not in samples.columns:
        return False
    return bool(pd.to_numeric(samples["rewrite"], errors="coerce").fillna(0).max() > 0)


def _judge(what: str, summary: RelationSummary, rows: pd.DataFrame, options: dict,
           mcnemar_note: str | None = None) -> RelationSummary:
    """``summary`` with the metrics, clusters and McNemar's test of the judged ``rows``."""
    arrays = _arrays(rows, PROB_COLUMNS) if len(rows) else [np.zeros((0, 2))] * 4
    probs = dict(zip(("T_x", "T_xp", "S_x", "S_xp"), arrays))  # PROB_COLUMNS' order
    clusters = rows["_cluster"].astype(str).to_numpy() if len(rows) else np.zeros(0, dtype=str)
    options = dict(options)
    units = rows["_unit"].to_numpy() if len(rows) else np.zeros(0, dtype=object)
    several = options.pop("rewrites") and several_rewrites(units)
    weights = unit_weights(units) if several else None
    summary.metrics = _judged(what, relation_metrics, **probs, labels=_labels(rows), clusters=clusters,
                              weights=weights, **options)
    summary.clusters = len(set(clusters))
    if several:
        flags = sample_flags(**probs, thresholds=options["thresholds"])
        summary.rewrite_draw = rewrite_draw(flags, units)
    summary.mcnemar = _mcnemar(summary, probs, clusters, mcnemar_note)
    return summary


def _mcnemar(summary: RelationSummary, probs: dict, clusters: np.ndarray, note: str | None) -> McNemar:
    """Exact McNemar on independent rows, Durkalski's clustered test otherwise; effect sizes beside."""
    teacher_flip = probs["T_x"].argmax(axis=1) != probs["T_xp"].argmax(axis=1)
    student_flip = probs["S_x"].argmax(axis=1) != probs["S_xp"].argmax(axis=1)
    by_cluster = cluster_sums(np.stack([student_flip & ~teacher_flip, teacher_flip & ~student_flip], axis=1)
                              .astype(np.float64), cluster_codes(clusters, len(clusters)))
    # with at most one discordant row per cluster the discordant rows are independent and the
    # exact test holds; the chi-square of the clustered test would be too sure at small counts
    if len(by_cluster) and (by_cluster.sum(axis=1) > 1).any():
        test = mcnemar_clustered(by_cluster[:, 0], by_cluster[:, 1], note or CLUSTERED_NOTE)
    else:
        test = mcnemar_exact(student_only_flips=int(by_cluster[:, 0].sum()),
                             teacher_only_flips=int(by_cluster[:, 1].sum()))
    asymmetry = summary.metrics["flip_asymmetry"]
    return with_effect_sizes(test, len(clusters), (asymmetry.value, asymmetry.ci95), by_cluster[:, 0], by_cluster[:, 1])


CLUSTERED_NOTE = "rows share originals or functions: clustered McNemar test (Durkalski et al. 2003)"


def _adjust(rows: list[RelationSummary], method: str) -> None:
    """Each relation's p-value adjusted over every relation's test (the pooled test is apart)."""
    from dataclasses import replace

    tests = [row.mcnemar for row in rows]
    adjusted = adjust_p_values([t.p_value if t else None for t in tests], method)
    for row, test, p in zip(rows, tests, adjusted):
        if test is not None:
            row.mcnemar = replace(test, p_adjusted=p, adjustment=method)


def judged_rows(samples: pd.DataFrame) -> np.ndarray:
    """Which rows every metric judges: applied rewrites that changed at least one model's input.
    The report's page and ``compare`` select rows with this too, so they show what was judged."""
    teacher_sees, student_sees = _sees(samples)
    return samples["applied"].astype(bool).to_numpy() & (teacher_sees | student_sees)


def _sees(samples: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row and model: did the rewrite change the model's input? (True where not recorded.)"""
    def column(name: str) -> np.ndarray:
        if name not in samples.columns:
            return np.ones(len(samples), dtype=bool)
        return samples[name].astype("boolean").fillna(True).to_numpy(dtype=bool)

    return column(VISIBILITY_COLUMNS[0]), column(VISIBILITY_COLUMNS[1])


def _visibility(samples: pd.DataFrame, rows: np.ndarray, teacher_sees: np.ndarray,
                student_sees: np.ndarray) -> Visibility:
    retry = samples["window_retry"].fillna("").to_numpy()[rows] if "window_retry" in samples else np.array([])
    t, s = teacher_sees[rows], student_sees[rows]
    return Visibility(unseen=int((~t & ~s).sum()), teacher_only=int((t & ~s).sum()),
                      student_only=int((~t & s).sum()), retried=int((retry != "").sum()),
                      retry_found=int((retry == "found").sum()))


def _baseline(samples: pd.DataFrame, options: dict) -> Baseline:
    known = has_probs(samples["teacher_probs_x"]) & has_probs(samples["student_probs_x"])
    rows = samples[known].drop_duplicates("example_id", keep="first")
    T_x, S_x = _arrays(rows, ("teacher_probs_x", "student_probs_x"))
    return Baseline(len(rows), _judged("baseline", baseline_metrics, T_x=T_x, S_x=S_x, labels=_labels(rows),
                                       **options))


def _judged(what: str, compute, **arguments) -> dict[str, Metric]:
    try:
        return compute(**arguments)
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
