"""Judging model outputs: per-sample flags, per-relation metrics, the samples table.

Public surface (see ``core`` for the conventions every metric follows):
- ``Thresholds``, ``Metric``, ``sample_flags``, ``relation_metrics``, ``baseline_metrics``;
- the registry: ``METRICS``, ``MetricSpec``, ``register_metric``, ``rate_metric``,
  ``mean_metric``, ``metric_definitions``; installed packages add metrics through the
  ``metacompress.metrics`` entry point group (``load_metric_plugins``);
- the samples table: ``relation_samples``, ``skipped_samples``, ``concat_samples``,
  ``encode_probs``, ``decode_probs``, and ``metrics_from_samples`` to re-judge it.
"""

from . import builtin as _builtin  # noqa: F401  (registers the built-in metrics)
from .core import (
    BASELINE_METRICS,
    FLAG_NAMES,
    METRICS,
    Judged,
    Metric,
    MetricSpec,
    Thresholds,
    baseline_metrics,
    js_distance,
    load_metric_plugins,
    mean_metric,
    metric_definitions,
    metric_spec,
    rate_metric,
    ratio,
    register_metric,
    relation_metrics,
    sample_flags,
)
from .samples import (
    CODE_COLUMNS,
    PROB_COLUMNS,
    SAMPLE_COLUMNS,
    concat_samples,
    decode_probs,
    encode_probs,
    relation_samples,
    skipped_samples,
)
from .summary import Baseline, RelationSummary, Summary, metrics_from_samples

PLUGIN_PROBLEMS = load_metric_plugins()  # after the built-ins, which keep their order

__all__ = [
    "BASELINE_METRICS", "CODE_COLUMNS", "FLAG_NAMES", "METRICS", "PROB_COLUMNS", "SAMPLE_COLUMNS",
    "Baseline", "Judged", "Metric", "MetricSpec", "RelationSummary", "Summary", "Thresholds",
    "baseline_metrics", "concat_samples", "decode_probs", "encode_probs", "js_distance",
    "load_metric_plugins", "mean_metric", "metric_definitions", "metric_spec", "metrics_from_samples", "rate_metric",
    "ratio", "register_metric", "relation_metrics", "relation_samples", "sample_flags",
    "skipped_samples",
]
