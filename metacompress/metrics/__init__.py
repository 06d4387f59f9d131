"""Judging model outputs: per-sample flags, per-relation metrics, the samples table.

Public surface (see ``core`` for the conventions every metric follows):
- ``Thresholds``, ``Metric``, ``sample_flags``, ``relation_metrics``, ``baseline_metrics``;
- the registry: ``METRICS`` (a ``Registry`` in registration order), ``MetricSpec``,
  ``register_metric``, ``rate_metric``, ``mean_metric``, ``metric_definitions``; an attack's
  figures are metrics of the scopes ``ATTACK`` and ``ATTACK_HEADLINE`` (``attack_figure``); installed
  packages add metrics through the ``metacompress.metrics`` entry point group, loaded on the
  registry's first use (``load_metric_plugins``; ``METRICS.plugin_problems`` says which failed);
- the samples table: ``relation_samples``, ``skipped_samples``, ``concat_samples``,
  ``encode_probs``, ``decode_probs``, and ``metrics_from_samples`` to re-judge it;
- judging, in one call: ``judge`` -> ``Judgement`` (summaries, intervals, McNemar's tests,
  baseline and ``--fail-on`` gates: ``Gate``, ``GateResult``, ``parse_gates``, ``evaluate_gates``).

Every function that takes the four probability arrays takes them by keyword
(``T_x=, T_xp=, S_x=, S_xp=``: teacher and student on the original x and the rewritten x').
"""

from . import builtin as _builtin  # noqa: F401  (registers the built-in metrics)
from .core import (
    ATTACK,
    ATTACK_HEADLINE,
    AUDIT,
    BASELINE_METRICS,
    FLAG_NAMES,
    METRICS,
    Judged,
    Metric,
    MetricSpec,
    Thresholds,
    attack_figure,
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
from .gates import Gate, GateResult, evaluate_gates, parse_gate, parse_gates
from .judge import CI_METHOD, Judgement, JudgingSettings, judge
from .summary import Baseline, RelationSummary, Summary, Visibility, metrics_from_samples

__all__ = [
    "ATTACK", "ATTACK_HEADLINE", "AUDIT", "attack_figure",
    "BASELINE_METRICS", "CI_METHOD", "CODE_COLUMNS", "FLAG_NAMES", "METRICS", "PROB_COLUMNS", "SAMPLE_COLUMNS",
    "Baseline", "Gate", "GateResult", "Judged", "Judgement", "JudgingSettings", "Metric", "MetricSpec",
    "RelationSummary", "Summary", "Thresholds", "Visibility",
    "baseline_metrics", "concat_samples", "decode_probs", "encode_probs", "evaluate_gates", "js_distance", "judge", "load_metric_plugins",
    "mean_metric", "metric_definitions", "metric_spec", "metrics_from_samples", "parse_gate", "parse_gates",
    "rate_metric",
    "ratio", "register_metric", "relation_metrics", "relation_samples", "sample_flags",
    "skipped_samples",
]
