"""Judging: per-sample flags and per-relation metrics from teacher and student probabilities.

Nothing here runs a model. The inputs are four probability arrays ``[n, L]`` for the inputs a
relation applied to (teacher and student on the original x and the rewritten x'), always passed
by keyword (``T_x=, T_xp=, S_x=, S_xp=``), label order aligned between the models, plus optional
gold labels. Rows are taken as float64 so that
metrics recomputed from ``samples.csv`` equal the ones computed in the audit exactly.

Every metric is *decomposable*: it is a function of sums, over samples, of per-sample columns.
That makes the bootstrap cheap and shared: the column matrix is summed per cluster (original
input) once, each replicate draws clusters once, the draw counts multiply the cluster sums
(one matrix product for every metric), and each metric reduces its sums. The jackknife of the
BCa acceleration is as cheap: the total minus each cluster's sums. Adding a metric means
registering a ``MetricSpec`` (or the ``rate_metric`` / ``mean_metric`` shorthands) — the core
does not change::

    register_metric(mean_metric(
        "student_confidence_drop",
        "Mean drop of the student's top probability from x to x'.",
        lambda d: d.probs("student", "x").max(1) - d.probs("student", "xp").max(1),
    ))

Conventions (documented in the README from ``METRICS``):
- a model's label is the argmax of its probabilities (ties: the lowest index);
- a rate's ``count`` is its numerator and ``n`` its denominator;
- a value that is undefined (no teacher-confident input, no labels, a teacher drop that is
  not positive) is ``None``, never 0, with its ``null_reason``; label metrics are absent when
  any label is missing;
- the 95% interval is BCa over ``n_bootstrap`` seeded cluster resamples (``intervals``), or
  for a rate with fewer than 15 effective events or non-events the exact Clopper-Pearson one;
  replicates where the metric is undefined are left out and counted in ``ci_note``, and there
  is no interval when more than 5% are undefined or ``n_bootstrap`` is 0.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..registry import Registry
from .intervals import Interval, bca_interval, cluster_codes, cluster_sums, rate_interval, resample_counts

MODELS = ("teacher", "student")
SIDES = ("x", "xp")
# the metrics of the source-only baseline, computed on the originals alone
BASELINE_METRICS = ("discrepancy_rate_x", "prediction_agreement_original", "probability_similarity_x",
                    "js_over_threshold_rate_x", "high_confidence_preservation_x",
                    "teacher_accuracy_x", "student_accuracy_x", "teacher_f1_x", "student_f1_x",
                    "teacher_ece_x", "student_ece_x")


@dataclass(frozen=True)
class Thresholds:
    """Where a per-input difference counts as a violation.

    js_distance: a Jensen–Shannon distance (base 2, in [0, 1]) between T(x') and S(x') above
        this is a violation. 0.1 is about the distance between [0.5, 0.5] and [0.62, 0.38]:
        it flags a student whose distribution has visibly moved away, not rounding noise.
    confidence: the teacher counts as confident at a top probability >= this (0.9), and the
        student then preserves the confidence when it gives the teacher's label >= this too.
    ece_bins: equal-width bins on the top probability for expected calibration error (10, the
        usual choice since Guo et al. 2017).
    """

    js_distance: float = 0.1
    confidence: float = 0.9
    ece_bins: int = 10

    def __post_init__(self) -> None:
        if not 0.0 <= self.js_distance <= 1.0:
            raise UsageError(f"JS distance threshold {self.js_distance} must lie in [0, 1]")
        if not 0.0 < self.confidence <= 1.0:
            raise UsageError(f"confidence threshold {self.confidence} must lie in (0, 1]")
        if int(self.ece_bins) != self.ece_bins or self.ece_bins < 1:
            raise UsageError(f"ECE bins {self.ece_bins} must be a positive integer")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Thresholds":
        return cls(**{k: data[k] for k in ("js_distance", "confidence", "ece_bins") if k in data})


@dataclass(frozen=True)
class Metric:
    """One figure: value (None when undefined, with the reason), numerator of a rate,
    denominator, 95% CI and a note on the CI when it is unusual (fallback, left-out
    replicates, an interval that excludes the estimate)."""

    value: float | None
    count: int | float | None  # float: an expected count over --rewrites K
    n: int | float
    ci95: tuple[float, float] | None = None
    ci_note: str | None = None
    null_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "n": self.n,
                "ci95": list(self.ci95) if self.ci95 is not None else None,
                "ci_note": self.ci_note, "null_reason": self.null_reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Metric":
        ci = data.get("ci95")
        return cls(data.get("value"), data.get("count"), whole(data["n"]), tuple(ci) if ci else None,
                   data.get("ci_note"), data.get("null_reason"))


# ---------------------------------------------------------------------------------------------
# Per-sample quantities

def js_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise Jensen–Shannon distance, base 2: sqrt of the JS divergence, in [0, 1]."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum(axis=1)
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum(axis=1)
    return np.sqrt(np.clip(0.5 * (kl_p + kl_q), 0.0, 1.0))


def sample_flags(*, T_x: np.ndarray, T_xp: np.ndarray, S_x: np.ndarray, S_xp: np.ndarray,
                 thresholds: Thresholds = Thresholds()) -> dict[str, np.ndarray]:
    """Per-input outcomes of one relation; every key is also a column of ``samples.csv``.

    The four arrays are keyword-only (teacher T and student S on the original x and the
    rewritten x'): passed by position, a swapped pair would judge silently wrong.

    ``violated`` is the per-input relation on x': labels differ, or the JS distance is over
    its threshold, or the teacher is confident and the student's probability for the
    teacher's label is below the confidence threshold. The same flags on the original x carry
    the suffix ``_x``; ``induced_discrepancy`` is violated on x' but not on x,
    ``resolved_discrepancy`` the reverse.
    """
    T_x, T_xp, S_x, S_xp = _check_probs(T_x, T_xp, S_x, S_xp)
    teacher_flip = T_x.argmax(axis=1) != T_xp.argmax(axis=1)
    student_flip = S_x.argmax(axis=1) != S_xp.argmax(axis=1)
    on_xp = _agreement_flags(teacher=T_xp, student=S_xp, thresholds=thresholds)
    on_x = _agreement_flags(teacher=T_x, student=S_x, thresholds=thresholds)
    return {
        "teacher_flip": teacher_flip,
        "student_flip": student_flip,
        "student_only_flip": student_flip & ~teacher_flip,
        "teacher_only_flip": teacher_flip & ~student_flip,
        **on_xp,
        **{f"{name}_x": values for name, values in on_x.items()},
        "induced_discrepancy": on_xp["violated"] & ~on_x["violated"],
        "resolved_discrepancy": on_x["violated"] & ~on_xp["violated"],
    }


def _agreement_flags(*, teacher: np.ndarray, student: np.ndarray,
                     thresholds: Thresholds) -> dict[str, np.ndarray]:
    """How far the student departs from the teacher on one side (x or x')."""
    t = teacher.argmax(axis=1)
    label_disagree = t != student.argmax(axis=1)
    js = js_distance(teacher, student)
    js_violation = js > thresholds.js_distance
    teacher_confident = teacher.max(axis=1) >= thresholds.confidence
    confidence_violation = teacher_confident & (student[np.arange(len(student)), t] < thresholds.confidence)
    return {
        "label_disagree": label_disagree,
        "js_distance": js,
        "js_violation": js_violation,
        "teacher_confident": teacher_confident,
        "confidence_violation": confidence_violation,
        "violated": label_disagree | js_violation | confidence_violation,
    }


_SIDE_FLAGS = ("label_disagree", "js_distance", "js_violation", "teacher_confident",
               "confidence_violation", "violated")
FLAG_NAMES = ("teacher_flip", "student_flip", "student_only_flip", "teacher_only_flip",
              *_SIDE_FLAGS, *(f"{name}_x" for name in _SIDE_FLAGS),
              "induced_discrepancy", "resolved_discrepancy")
FLOAT_FLAGS = ("js_distance", "js_distance_x")  # the other flags are booleans


def _check_probs(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = out[0].shape
    if len(shape) != 2 or shape[1] < 2:
        raise ValueError(f"probabilities must be an [n, labels>=2] array, got shape {shape}")
    for a in out:
        if a.shape != shape:
            raise ValueError(f"probability arrays differ in shape: {a.shape} vs {shape}")
        # 0.01 leaves room for outputs computed or stored in half precision
        if a.size and (a.min() < 0 or np.abs(a.sum(axis=1) - 1).max() > 1e-2):
            raise ValueError("probability rows must be non-negative and sum to 1")
    return out


# ---------------------------------------------------------------------------------------------
# The metric registry

@dataclass(frozen=True)
class Judged:
    """What a metric's columns are computed from: one relation's applied inputs."""

    arrays: dict[tuple[str, str], np.ndarray]  # (model, side) -> probabilities [n, L]
    labels: np.ndarray | None
    flags: dict[str, np.ndarray]
    thresholds: Thresholds
    positive_label: int

    @property
    def n(self) -> int:
        return len(self.flags["violated"])

    @property
    def n_labels(self) -> int:
        return self.arrays["teacher", "x"].shape[1]

    def probs(self, model: str, side: str) -> np.ndarray:
        return self.arrays[model, side]

    def pred(self, model: str, side: str) -> np.ndarray:
        return self.arrays[model, side].argmax(axis=1)


Columns = Callable[[Judged], dict[str, np.ndarray]]
Sums = dict[str, np.ndarray]  # column name -> its sum in each replicate, shape [B]
Reduce = Callable[[Sums], tuple[np.ndarray, np.ndarray | None, np.ndarray]]


#: the document, and the row in it, a metric is a figure of: each scope is a namespace of its own
#: (``relative_drop`` is an audit's metric and an attack row's figure, defined apart)
AUDIT = "audit"  # a row of run's report (each relation, all, baseline): computed by judge()
ATTACK = "attack"  # an attack's row (teacher, student, disagree): computed by its objective
ATTACK_HEADLINE = "attack headline"  # an attack report's headline: gated without a scope
SCOPES = (AUDIT, ATTACK, ATTACK_HEADLINE)


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric.

    columns: per-sample additive terms (float arrays of length n) computed once;
    reduce: from their sums per replicate to (value, numerator or None, denominator), each
        an array over replicates; NaN where the value is undefined.
    kind: "rate" (a share, shown as a percentage) or "value".
    undefined: why the value can be undefined with inputs present (its ``null_reason``).
    scope: ``AUDIT`` (judge() computes it from ``columns`` and ``reduce``), ``ATTACK`` or
        ``ATTACK_HEADLINE`` (an attack objective computes it: no columns; ``attack_figure``).
    """

    name: str
    description: str
    columns: Columns | None = None
    reduce: Reduce | None = None
    needs_labels: bool = False
    kind: str = "rate"
    undefined: str = "undefined on these inputs"
    scope: str = AUDIT

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"metric {self.name!r}: scope {self.scope!r} is not one of {', '.join(SCOPES)}")
        if self.scope == AUDIT and (self.columns is None or self.reduce is None):
            raise ValueError(f"metric {self.name!r}: an audit metric needs its columns and reduce")


def attack_figure(name: str, description: str, kind: str = "rate", *, headline: bool = False,
                  needs_labels: bool = False) -> MetricSpec:
    """A figure of an attack's rows (or, ``headline``, of its headline), computed by an objective."""
    return MetricSpec(name, description, needs_labels=needs_labels, kind=kind,
                      scope=ATTACK_HEADLINE if headline else ATTACK)


class MetricRegistry(Registry[MetricSpec]):
    """The metrics by scope and name, in registration order (the order of every report's columns):
    the built-ins (``builtin.py``; an attack's figures: ``attack/figures.py`` and the objectives
    that add their own), then what installed packages offer through the ``metacompress.metrics``
    entry point group. Every audit metric is computed in every audit, so the plugins all load
    together, on the first look at the registry (not at import); a broken one is left out with a
    warning (``plugin_problems``: plugin -> why). Looked up without a scope, it holds the audit's
    metrics (``METRICS["discrepancy_rate"]``, ``list(METRICS)``)."""

    def __init__(self) -> None:
        super().__init__("metric")
        self._scopes: dict[str, dict[str, MetricSpec]] = {scope: {} for scope in SCOPES}
        self._entries = self._scopes[AUDIT]
        self._metric_plugins_read = False
        self.plugin_problems: dict[str, str] = {}

    def _read_metric_plugins(self) -> None:
        if not self._metric_plugins_read:
            self._metric_plugins_read = True
            self.plugin_problems = load_metric_plugins()

    def add(self, name: str, entry: MetricSpec) -> MetricSpec:
        self._scopes[entry.scope][name] = entry
        return entry

    def names(self, scope: str = AUDIT) -> list[str]:
        self._read_metric_plugins()
        return list(self._scopes[scope])

    def get(self, name: str, scope: str = AUDIT) -> MetricSpec:
        self._read_metric_plugins()
        entries = self._scopes[scope]
        if name not in entries:
            close = difflib.get_close_matches(name, list(entries), n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            what = "metric" if scope == AUDIT else f"{scope} figure"
            raise UsageError(f"Unknown {what} {name!r}.{hint} Known: {', '.join(entries)}.")
        return entries[name]

    def registered(self, name: str, scope: str = AUDIT) -> MetricSpec | None:
        """The metric registered under ``name`` so far, or None (reads no plugin)."""
        return self._scopes[scope].get(name)

    def remove(self, name: str, scope: str = AUDIT) -> None:
        self._scopes[scope].pop(name, None)

    def __contains__(self, name: object) -> bool:
        self._read_metric_plugins()
        return name in self._entries

    def __getitem__(self, name: str) -> MetricSpec:
        return self.get(name)

    def __delitem__(self, name: str) -> None:
        self.remove(name)

    def __len__(self) -> int:
        return len(self.names())

    def items(self, scope: str = AUDIT) -> list[tuple[str, MetricSpec]]:
        return [(name, self._scopes[scope][name]) for name in self.names(scope)]

    def values(self, scope: str = AUDIT) -> list[MetricSpec]:
        return [self._scopes[scope][name] for name in self.names(scope)]


METRICS = MetricRegistry()


def register_metric(spec: MetricSpec) -> MetricSpec:
    if METRICS.registered(spec.name, spec.scope) is not None:
        raise ValueError(f"metric {spec.name!r} is already registered" + (f" ({spec.scope})" if spec.scope != AUDIT else ""))
    return METRICS.add(spec.name, spec)


METRIC_PLUGINS = "metacompress.metrics"  # the entry point group of installed metric plugins


def load_metric_plugins() -> dict[str, str]:
    """Register the metrics installed packages offer; plugin -> why it failed, for those that did.

    An entry point names a module that calls ``register_metric`` when imported, or a
    ``MetricSpec`` (or a list of them) to register. ``METRICS`` calls it on its first use, after
    the built-ins registered, which keep their order; a broken one is left out with a warning.
    """
    import warnings
    from importlib.metadata import entry_points

    from ..errors import PluginWarning
    from ..registry import PluginError, plugin_code

    problems: dict[str, str] = {}
    for point in entry_points(group=METRIC_PLUGINS):
        plugin = point.dist.name if point.dist is not None else point.value
        try:  # a plugin's bug, even sys.exit(), must not take the built-in metrics down
            with plugin_code(f"metric plugin {point.name} from {plugin} ({point.value}) cannot be loaded"):
                loaded = point.load()
                specs = [loaded] if isinstance(loaded, MetricSpec) else loaded if isinstance(loaded, (list, tuple)) else []
                for spec in specs:
                    if METRICS.registered(spec.name, spec.scope) is not spec:
                        register_metric(spec)
        except PluginError as exc:
            problems[plugin] = str(exc)
            warnings.warn(PluginWarning(problems[plugin]), stacklevel=2)
    return problems


def metric_spec(name: str) -> MetricSpec:
    return METRICS.get(name)


def metric_definitions(scope: str = AUDIT) -> dict[str, dict[str, Any]]:
    """Name -> description, needs_labels, kind: the report's and the docs' metric glossary."""
    return {s.name: {"description": s.description, "needs_labels": s.needs_labels, "kind": s.kind}
            for s in METRICS.values(scope)}


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den per replicate, NaN (undefined) where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def rate_metric(name: str, description: str, flag: Callable[[Judged], np.ndarray], *,
                where: Callable[[Judged], np.ndarray] | None = None,
                needs_labels: bool = False, undefined: str = "no input") -> MetricSpec:
    """A share of inputs where ``flag`` holds, optionally among those where ``where`` holds."""
    def columns(d: Judged) -> dict[str, np.ndarray]:
        among = where(d) if where else np.ones(d.n, dtype=bool)
        return {"num": flag(d) & among, "den": among}

    def reduce(s: Sums):
        return ratio(s["num"], s["den"]), s["num"], s["den"]

    return MetricSpec(name, description, columns, reduce, needs_labels, "rate", undefined)


def mean_metric(name: str, description: str, values: Callable[[Judged], np.ndarray], *,
                needs_labels: bool = False) -> MetricSpec:
    """The mean of a per-input quantity."""
    def columns(d: Judged) -> dict[str, np.ndarray]:
        return {"sum": values(d), "n": np.ones(d.n)}

    def reduce(s: Sums):
        return ratio(s["sum"], s["n"]), None, s["n"]

    return MetricSpec(name, description, columns, reduce, needs_labels, "value")


# ---------------------------------------------------------------------------------------------
# Computing

def relation_metrics(*, T_x: np.ndarray, T_xp: np.ndarray, S_x: np.ndarray, S_xp: np.ndarray,
                     labels: np.ndarray | None = None, thresholds: Thresholds = Thresholds(),
                     seed: int = 0, n_bootstrap: int = 1000, positive_label: int = 1,
                     metrics: Iterable[str] | None = None,
                     clusters: Sequence[Any] | None = None,
                     weights: Sequence[float] | None = None) -> dict[str, Metric]:
    """Every registered metric (or those named) for one relation's applied inputs.

    The probability arrays are keyword-only, like ``sample_flags``'s.

    Label metrics are computed only when ``labels`` is given and holds no missing value.
    Multiclass F1 is macro F1; binary F1 counts ``positive_label`` as the positive class.
    ``clusters`` (one id per row, e.g. the example id) is the bootstrap's resampling unit:
    rows of one cluster are drawn together. Without it every row is its own cluster.
    ``weights`` (one per row; default 1) weigh every metric's columns: with ``--rewrites K`` a
    row weighs 1/K, so each original's rewrites are averaged before its cluster is resampled
    and a rate is the expected rate over the rewrite draw (its count and n expected counts).
    """
    arrays = _check_probs(T_x, T_xp, S_x, S_xp)
    n, n_labels = arrays[0].shape
    labels = _check_labels(labels, n, n_labels)
    codes = cluster_codes(clusters, n)
    if n_labels == 2 and positive_label not in (0, 1):
        raise UsageError(f"positive label {positive_label} is not 0 or 1 for a two-label task")
    T_x, T_xp, S_x, S_xp = arrays
    by_role = {("teacher", "x"): T_x, ("teacher", "xp"): T_xp, ("student", "x"): S_x, ("student", "xp"): S_xp}
    flags = sample_flags(T_x=T_x, T_xp=T_xp, S_x=S_x, S_xp=S_xp, thresholds=thresholds)
    judged = Judged(by_role, labels, flags, thresholds, positive_label)
    specs = [metric_spec(name) for name in (metrics if metrics is not None else METRICS)]
    specs = [s for s in specs if labels is not None or not s.needs_labels]
    if n == 0:
        return {s.name: Metric(None, 0 if s.kind == "rate" else None, 0, null_reason="no input")
                for s in specs}
    matrix, slices = _column_matrix(specs, judged)
    if weights is not None:
        matrix = matrix * _check_weights(weights, n)[:, None]
    total = matrix.sum(axis=0)
    point = _reduce_all(specs, slices, total[None, :])
    by_cluster = cluster_sums(matrix, codes)
    jackknife = _reduce_all(specs, slices, total[None, :] - by_cluster)
    draws = {s.name: [] for s in specs}
    # einsum, not matmul: multithreaded BLAS slows to a crawl on an oversubscribed machine
    # (a busy CI runner), while einsum's own loop takes the same time everywhere.
    for counts in resample_counts(len(by_cluster), n_bootstrap, np.random.default_rng(seed)):
        sums = np.einsum("bg,gm->bm", counts, by_cluster)
        for name, (value, _, _) in _reduce_all(specs, slices, sums).items():
            draws[name].append(value)
    return {s.name: _metric(s, point[s.name], draws[s.name], jackknife[s.name][0],
                            _rate_clusters(s, slices, by_cluster)) for s in specs}


def _rate_clusters(spec: MetricSpec, slices: dict, by_cluster: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A rate's numerator and denominator per cluster (None for other metrics)."""
    columns = slices[spec.name]
    if spec.kind != "rate" or not {"num", "den"} <= set(columns):
        return None
    return by_cluster[:, columns["num"]], by_cluster[:, columns["den"]]


def baseline_metrics(*, T_x: np.ndarray, S_x: np.ndarray, labels: np.ndarray | None = None,
                     thresholds: Thresholds = Thresholds(), seed: int = 0,
                     n_bootstrap: int = 1000, positive_label: int = 1) -> dict[str, Metric]:
    """The source-only context: each model on the originals, and their agreement there."""
    return relation_metrics(T_x=T_x, T_xp=T_x, S_x=S_x, S_xp=S_x, labels=labels, thresholds=thresholds, seed=seed,
                            n_bootstrap=n_bootstrap, positive_label=positive_label,
                            metrics=BASELINE_METRICS)


def _check_weights(weights: Sequence[float], n: int) -> np.ndarray:
    out = np.asarray(weights, dtype=np.float64)
    if out.shape != (n,) or not np.all(np.isfinite(out)) or (out < 0).any():
        raise ValueError(f"weights must be {n} non-negative numbers")
    return out


def whole(x: float) -> int | float:
    """A count as an int, or (an expected count over rewrites) a float where it is not whole."""
    rounded = round(float(x))
    return int(rounded) if abs(x - rounded) < 1e-9 else round(float(x), 6)


def _check_labels(labels: Any, n: int, n_labels: int) -> np.ndarray | None:
    if labels is None:
        return None
    values = np.asarray(labels, dtype=object)
    if len(values) != n:
        raise ValueError(f"{len(values)} labels for {n} inputs")
    if pd.isna(values).any():
        return None
    out = values.astype(np.int64)
    if n and (out.min() < 0 or out.max() >= n_labels):
        raise ValueError(f"labels must be indices in [0, {n_labels})")
    return out


def _column_matrix(specs: list[MetricSpec], judged: Judged) -> tuple[np.ndarray, dict]:
    """Stack every metric's columns into one [n, m] matrix; remember where each one went.

    Metrics share many columns (all-ones denominators, correctness, ECE bins), so identical
    columns are stored once: the bootstrap's matrix product is the bulk of the work.
    """
    blocks: list[np.ndarray] = []
    seen: dict[bytes, int] = {}
    slices: dict[str, dict[str, int]] = {}
    for spec in specs:
        slices[spec.name] = {}
        for name, values in spec.columns(judged).items():
            column = np.asarray(values, dtype=np.float64)
            key = column.tobytes()
            if key not in seen:
                seen[key] = len(blocks)
                blocks.append(column)
            slices[spec.name][name] = seen[key]
    return np.stack(blocks, axis=1), slices


def _reduce_all(specs, slices, sums: np.ndarray) -> dict[str, tuple]:
    return {s.name: s.reduce({c: sums[:, j] for c, j in slices[s.name].items()}) for s in specs}


def _metric(spec: MetricSpec, point: tuple, draws: list[np.ndarray], jackknife: np.ndarray,
            rate_clusters: tuple[np.ndarray, np.ndarray] | None = None) -> Metric:
    value, count, n = (None if a is None else a[0] for a in point)
    count = None if count is None else whole(count)
    n = whole(n)
    if value is None or not np.isfinite(value):
        return Metric(None, count, n, null_reason=spec.undefined if n else "no input")
    replicates = np.concatenate(draws) if draws else np.zeros(0)
    interval = _interval(float(value), count, n, replicates, jackknife, rate_clusters)
    return Metric(float(value), count, n, interval.ci, interval.note)


def _interval(value: float, count: int | None, n: int, replicates: np.ndarray, jackknife: np.ndarray,
              rate_clusters: tuple[np.ndarray, np.ndarray] | None) -> Interval:
    """BCa, except for a rate with few (effective) events or non-events: the exact interval there."""
    if replicates.size and rate_clusters is not None:
        return rate_interval(value, *rate_clusters, replicates, jackknife)
    return bca_interval(value, replicates, jackknife)
