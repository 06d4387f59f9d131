"""Judging an attack: per-attack figures with 95% intervals (inputs resampled), gates, and files.

Rows (the scopes of ``--fail-on``): ``teacher`` and ``student`` (each model attacked on its own:
flip-teacher, flip-student, flip-both) and ``disagree`` (the fidelity search); ``all`` holds the
headline figures. Accuracy after attack is robust accuracy: the share of inputs a model gets
right on the original and the attack could not flip.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics.core import Metric, Thresholds, ratio, relation_metrics
from ..metrics.intervals import bca_interval, resample_counts

SCHEMA = "metacompress-attack"
SCHEMA_VERSION = "1.0"
#: the teacher-student relations measured on adversarial inputs and on random rewrites
RELATION_METRICS = ("prediction_agreement", "probability_similarity", "high_confidence_preservation",
                    "calibration_alignment", "discrepancy_rate", "induced_discrepancy_rate")
FLIP_METRICS = ("success_rate", "accuracy_before", "accuracy_after", "accuracy_drop", "relative_drop",
                "mean_queries_to_success", "median_queries_to_success", "transfer_rate",
                "identifiers_renamed", "tokens_changed")
DISAGREE_METRICS = ("success_rate", "disagreement_rate_x", "disagreement_rate_after", "violations_per_query",
                    "random_rewrite_violations_per_query", "mean_queries_to_success", "median_queries_to_success",
                    "identifiers_renamed", "tokens_changed")
HEADLINE_METRICS = ("teacher_success_rate", "student_success_rate", "teacher_accuracy_drop",
                    "student_accuracy_drop", "student_extra_drop", "disagreement_found_rate")
ATTACK_METRICS = tuple(dict.fromkeys(FLIP_METRICS + DISAGREE_METRICS + HEADLINE_METRICS
                                     + tuple(f"adversarial_{m}" for m in RELATION_METRICS)))
#: the figures a search does not make (the originals', and run's random rewrites'): the only ones
#: with a value under --budget 0
NO_SEARCH_METRICS = ("accuracy_before", "disagreement_rate_x", "random_rewrite_violations_per_query")
NO_SEARCH = "no search (--budget 0)"


def attack_rows(objective: str) -> tuple[str, ...]:
    from .run import ATTACKS

    return ATTACKS[objective]


def attack_figures(objective: str) -> dict[str, tuple[str, ...]]:
    """The figures the objective's report can hold: per attack (its row) and, under ``all``, the
    headline figures."""
    rows = attack_rows(objective)
    adversarial = tuple(f"adversarial_{m}" for m in RELATION_METRICS)
    flip = tuple(m for m in FLIP_METRICS if m != "transfer_rate" or {"teacher", "student"} <= set(rows))
    figures = {row: (DISAGREE_METRICS if row == "disagree" else flip) + adversarial for row in rows}
    headline = [f"{role}_{m}" for role in ("teacher", "student") if role in rows for m in ("success_rate", "accuracy_drop")]
    if {"teacher", "student"} <= set(rows):
        headline.append("student_extra_drop")
    if "disagree" in rows:
        headline.append("disagreement_found_rate")
    figures["all"] = tuple(headline)
    return figures


def _check_gate_has_a_figure(gate, objective: str, budget: int | None) -> None:
    """UsageError for a gate that could never be evaluated: on a figure no attack of the objective
    computes, or on a search's figure when --budget 0 runs no search."""
    from ..errors import UsageError
    from ..metrics.gates import ANY
    from .config import OBJECTIVES

    figures = attack_figures(objective)
    rows = [row for row in figures if row != "all"] if gate.scope == ANY else [gate.scope]
    if not any(gate.metric in figures[row] for row in rows):
        where = [o for o in OBJECTIVES if any(gate.metric in f for f in attack_figures(o).values())]
        raise UsageError(f"--fail-on {gate.condition!r}: {objective} runs the attacks "
                         f"{', '.join(attack_rows(objective))}, none of which computes {gate.metric} "
                         f"(--objective {' or '.join(where)} does)")
    # Refused rather than left "not evaluated": a CI job would pass a gate that checked nothing.
    if budget == 0 and gate.metric not in NO_SEARCH_METRICS:
        raise UsageError(f"--fail-on {gate.condition!r}: --budget 0 runs no search, so {gate.metric} has no "
                         f"value; give a budget, or gate on {', '.join(NO_SEARCH_METRICS)}")


def parse_attack_gates(conditions: list[str], objective: str | None = None, budget: int | None = None):
    """``--fail-on`` conditions on the attack's figures; the scope is an attack of the objective
    (teacher, student, disagree) or ``*`` (each), and none for a headline figure. Usage errors speak
    of attacks, not of ``run``'s relations; a gate on a figure the run cannot have (another
    objective's, or a search's under ``--budget 0``) is one."""
    import difflib

    from ..errors import UsageError
    from ..metrics.gates import ALL, ANY, parse_gates

    rows = attack_rows(objective) if objective in ("flip-student", "flip-teacher", "flip-both", "disagree") else ()
    example = "student" if "student" in rows or not rows else rows[0]
    headline = "disagreement_found_rate" if example == "disagree" else f"{example}_success_rate"
    form = (f"[ATTACK:]METRIC OP NUMBER with OP one of > >= < <= and ATTACK one of {', '.join(rows) or '(none)'} "
            f"or '*' (no ATTACK for a headline figure), e.g. '{example}:success_rate>0.3' or '{headline}>0.3'")
    run = f"a {objective} run" if rows else "this run"
    gates = parse_gates(conditions, None, ATTACK_METRICS, form)
    for gate in gates:
        if gate.scope == ALL and gate.metric not in HEADLINE_METRICS:
            raise UsageError(f"--fail-on {gate.condition!r}: {gate.metric} is a figure of each attack; scope it, "
                             f"e.g. '{example}:{gate.metric}' (unscoped gates take {', '.join(HEADLINE_METRICS)})")
        if gate.scope not in (ALL, ANY) and gate.scope not in rows:
            close = difflib.get_close_matches(gate.scope, rows, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"--fail-on {gate.condition!r}: no attack {gate.scope!r} in {run}{hint}; "
                             f"scope a figure with {', '.join(rows) or '(none)'} or '*' (every attack), "
                             f"or leave the scope out for a headline figure")
        if gate.scope != ALL and gate.metric in HEADLINE_METRICS:
            raise UsageError(f"--fail-on {gate.condition!r}: {gate.metric} is a headline figure; leave the scope out")
        if rows:
            _check_gate_has_a_figure(gate, objective, budget)
    return gates


@dataclass
class Row:
    metrics: dict[str, Metric]
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AttackReport:
    """report.json as objects; ``relations`` / ``all_relations`` / ``baseline`` let the gate code read it."""

    data: dict[str, Any]
    relations: dict[str, Row]
    all_relations: Row
    baseline: Row
    gates: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.data


# ---- statistics ---------------------------------------------------------------------------------


def share(num: np.ndarray, den: np.ndarray, seed: int, n_bootstrap: int, count: bool = True,
          shift: float = 0.0, undefined: str = "no input") -> Metric:
    """sum(num) / sum(den) (+ shift) with a 95% BCa interval, inputs resampled."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    total_num, total_den = num.sum(), den.sum()
    n = int(round(total_den))
    counted = int(round(total_num)) if count else None
    if total_den <= 0:
        return Metric(None, counted, 0, null_reason=undefined)
    value = float(total_num / total_den) + shift
    if n_bootstrap == 0 or len(num) < 2:
        return Metric(value, counted, n)
    jackknife = ratio(total_num - num, total_den - den) + shift
    draws = [ratio(counts @ num, counts @ den) + shift
             for counts in resample_counts(len(num), n_bootstrap, np.random.default_rng(seed))]
    interval = bca_interval(value, np.concatenate(draws), jackknife)
    return Metric(value, counted, n, interval.ci, interval.note)


def plain(value: float | None, n: int, why: str = "no input") -> Metric:
    return Metric(value, None, n, null_reason=None if value is not None else why)


# ---- building the report --------------------------------------------------------------------------


def build_report(config, plan, data, models, attacked, timings: dict[str, float], calls: dict[str, int]) -> AttackReport:
    from ..metrics.gates import evaluate_gates

    labels = [e.label for e in attacked.examples]
    labelled = all(label is not None for label in labels)
    thresholds = Thresholds(config.js_threshold, config.confidence, config.ece_bins)
    rows: dict[str, Row] = {}
    for attack, outcomes in attacked.outcomes.items():
        if attack == "disagree":
            rows[attack] = _disagree_row(config, attacked, outcomes, thresholds)
        else:
            rows[attack] = _flip_row(config, attacked, attack, outcomes, labels if labelled else None)
        rows[attack].extra["adversarial_relations"] = _relations_on(attacked, outcomes, labels if labelled else None,
                                                                    thresholds, config)
        for name, metric in rows[attack].extra["adversarial_relations"].items():
            rows[attack].metrics[f"adversarial_{name}"] = metric
    if config.budget == 0:
        _blank_search_figures(rows)
    if "teacher" in rows and "student" in rows:
        _transfer(attacked, rows)
    random_relations = _random_relations(attacked, labels if labelled else None, thresholds, config)
    per_query, counted = _random_per_query(attacked, config.js_threshold)
    if "disagree" in rows:
        rows["disagree"].metrics["random_rewrite_violations_per_query"] = plain(
            per_query, counted, "no rewrite of an input the models agree on")
    headline = _headline(config, attacked, rows, labelled)
    baseline = Row({})
    report = AttackReport({}, rows, headline, baseline)
    report.gates = evaluate_gates(plan.gates, report)
    report.data = _document(config, plan, data, models, attacked, rows, headline, random_relations, per_query,
                            report.gates, timings, calls)
    return report


def _blank_search_figures(rows: dict[str, Row]) -> None:
    """Under --budget 0 a search's figure has no value: accuracy after attack equals accuracy before
    only because nothing was tried, and a drop of 0 would pass a gate on it. (validate refuses such
    gates up front; report.json says why the figures are empty.)"""
    for row in rows.values():
        for name in row.metrics:
            if name not in NO_SEARCH_METRICS:
                row.metrics[name] = Metric(None, None, 0, null_reason=NO_SEARCH)


def _status_counts(outcomes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def _sizes(attacked, outcomes) -> tuple[Metric, Metric]:
    from .run import edit_size

    wins = [edit_size(e.code, o) for e, o in zip(attacked.examples, outcomes) if o.success]
    if not wins:
        return plain(None, 0, "no success"), plain(None, 0, "no success")
    return (plain(float(np.mean([w[0] for w in wins])), len(wins)),
            plain(float(np.mean([w[1] for w in wins])), len(wins)))


def _queries(outcomes) -> tuple[Metric, Metric]:
    from .run import queries_to_success

    mean, median = queries_to_success(outcomes)
    wins = sum(o.success for o in outcomes)
    return plain(mean, wins, "no success"), plain(median, wins, "no success")


def _flip_row(config, attacked, role: str, outcomes, labels) -> Row:
    from .run import ATTACKED

    seed, b = config.seed, config.bootstrap
    won = np.array([o.success for o in outcomes])
    tried = np.array([o.status in ATTACKED for o in outcomes])
    metrics = {"success_rate": share(won, tried, seed, b)}
    if labels is not None:
        correct = attacked.originals[role].argmax(axis=1) == np.asarray(labels)
        robust = correct & ~won
        lost = correct & won
        ones = np.ones(len(won))
        metrics["accuracy_before"] = share(correct, ones, seed, b)
        metrics["accuracy_after"] = share(robust, ones, seed, b)
        metrics["accuracy_drop"] = share(lost, ones, seed, b, count=False)
        metrics["relative_drop"] = share(lost, correct, seed, b, count=False)
    metrics["mean_queries_to_success"], metrics["median_queries_to_success"] = _queries(outcomes)
    metrics["identifiers_renamed"], metrics["tokens_changed"] = _sizes(attacked, outcomes)
    counts = _status_counts(outcomes)
    counts["queries"] = int(sum(o.queries for o in outcomes))
    return Row(metrics, counts)


def _disagree_row(config, attacked, outcomes, thresholds) -> Row:
    from .run import ALREADY_DISAGREE, ATTACKED

    seed, b = config.seed, config.bootstrap
    won = np.array([o.success for o in outcomes])
    tried = np.array([o.status in ATTACKED for o in outcomes])
    standing = np.array([o.status == ALREADY_DISAGREE for o in outcomes])
    ones = np.ones(len(won))
    spent = sum(o.queries for o in outcomes)
    metrics = {
        "success_rate": share(won, tried, seed, b),
        "disagreement_rate_x": share(standing, ones, seed, b),
        "disagreement_rate_after": share(standing | won, ones, seed, b),
        "violations_per_query": plain(float(sum(o.successes for o in outcomes) / spent) if spent else None, spent,
                                      "no query"),
    }
    metrics["mean_queries_to_success"], metrics["median_queries_to_success"] = _queries(outcomes)
    metrics["identifiers_renamed"], metrics["tokens_changed"] = _sizes(attacked, outcomes)
    return Row(metrics, {**_status_counts(outcomes), "queries": int(spent),
                         "violations": int(sum(o.successes for o in outcomes))})


def _relations_on(attacked, outcomes, labels, thresholds, config) -> dict[str, Metric]:
    """The teacher-student relations with each input's best rewrite as x' (inputs that have one)."""
    keep = [k for k, o in enumerate(outcomes) if o.code is not None]
    T_x, S_x = attacked.originals["teacher"], attacked.originals["student"]
    T_xp = np.array([outcomes[k].probs["teacher"] for k in keep]).reshape(len(keep), T_x.shape[1])
    S_xp = np.array([outcomes[k].probs["student"] for k in keep]).reshape(len(keep), S_x.shape[1])
    return relation_metrics(T_x=T_x[keep], T_xp=T_xp, S_x=S_x[keep], S_xp=S_xp,
                            labels=None if labels is None else [labels[k] for k in keep], thresholds=thresholds,
                            seed=config.seed, n_bootstrap=config.bootstrap,
                            metrics=[m for m in RELATION_METRICS if labels is not None or m != "calibration_alignment"])


def _random_relations(attacked, labels, thresholds, config) -> dict[str, Metric]:
    r = attacked.random_rewrites
    ids = r["ids"]
    position = {e.id: k for k, e in enumerate(attacked.examples)}
    row_labels = None if labels is None else [labels[position[i]] for i in ids]
    metrics = relation_metrics(T_x=r["T_x"], T_xp=r["T_xp"], S_x=r["S_x"], S_xp=r["S_xp"], labels=row_labels,
                               thresholds=thresholds, seed=config.seed, n_bootstrap=config.bootstrap,
                               metrics=[m for m in RELATION_METRICS if labels is not None or m != "calibration_alignment"],
                               clusters=ids)
    return metrics


def _transfer(attacked, rows: dict[str, Row]) -> None:
    """Share of one model's successful adversarial inputs that also flip the other model."""
    for source, target in (("teacher", "student"), ("student", "teacher")):
        outcomes = attacked.outcomes[source]
        original = attacked.originals[target].argmax(axis=1)
        wins = [k for k, o in enumerate(outcomes) if o.success]
        fooled = [int(outcomes[k].probs[target].argmax()) != int(original[k]) for k in wins]
        value = float(np.mean(fooled)) if wins else None
        rows[source].metrics["transfer_rate"] = Metric(value, int(sum(fooled)), len(wins),
                                                       null_reason=None if wins else "no success")


def _headline(config, attacked, rows: dict[str, Row], labelled: bool) -> Row:
    metrics: dict[str, Metric] = {}
    for role in ("teacher", "student"):
        if role in rows:
            metrics[f"{role}_success_rate"] = rows[role].metrics["success_rate"]
            if labelled:
                metrics[f"{role}_accuracy_drop"] = rows[role].metrics["accuracy_drop"]
    if labelled and "teacher" in rows and "student" in rows:
        labels = np.array([e.label for e in attacked.examples])
        lost = {}
        for role in ("teacher", "student"):
            won = np.array([o.success for o in attacked.outcomes[role]])
            lost[role] = (attacked.originals[role].argmax(axis=1) == labels) & won
        metrics["student_extra_drop"] = share(lost["student"], lost["teacher"], config.seed, config.bootstrap,
                                              count=False, shift=-1.0, undefined="the teacher lost no accuracy")
    if "disagree" in rows:
        metrics["disagreement_found_rate"] = rows["disagree"].metrics["success_rate"]
    return Row(metrics)


def _random_per_query(attacked, js_threshold: float) -> tuple[float | None, int]:
    """Violations per random rewrite, counted as the disagree search counts its finds: rewrites of
    inputs on which the models agree (label and JS distance) that make them disagree. Each rewrite
    is one query per model. Returns (rate, rewrites counted)."""
    from .search import disagree_objective

    r = attacked.random_rewrites
    if not r["count"]:
        return None, 0
    objective = disagree_objective(js_threshold)
    agree = ~objective.success({"teacher": r["T_x"], "student": r["S_x"]})
    found = objective.success({"teacher": r["T_xp"], "student": r["S_xp"]}) & agree
    counted = int(agree.sum())
    return (float(found.sum() / counted) if counted else None), counted


def _document(config, plan, data, models, attacked, rows, headline, random_relations, per_query, gates,
              timings, calls) -> dict:
    from ..audit import count_reasons, first_skipped, package_versions
    from .config import NOT_ATTACK_SETTINGS

    def metrics(row_metrics: dict[str, Metric]) -> dict[str, Any]:
        return {name: m.as_dict() for name, m in row_metrics.items()}

    random_count = attacked.random_rewrites["count"]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "run": {
            "command": config.command,
            "config": {k: v for k, v in asdict(config).items() if k not in ("command", *NOT_ATTACK_SETTINGS)},
            "task": plan.task.name, "language": plan.language, "relations_composed": plan.relations,
            "label_names": list(data.label_names),
            "data": {"path": config.data, "records_loaded": len(data.examples), "records_skipped": len(data.skipped),
                     "skip_reasons": count_reasons(data.skipped),
                     "skipped_records": [{"where": s.where, "reason": s.reason} for s in first_skipped(data.skipped)],
                     "examples_attacked": len(attacked.examples),
                     "labelled": all(e.label is not None for e in attacked.examples),
                     "inputs_with_substitutes": sum(isinstance(e.extra.get(config.substitutes_field), dict)
                                                    for e in attacked.examples)},
            "models": {role: {**asdict(loaded.model.info), "outputs_from_store": attacked.oracle.from_store[role],
                              "outputs_computed": attacked.oracle.computed[role]} for role, loaded in models.items()},
            "versions": package_versions(),
            "timings_s": timings,
            "model_calls": calls,
        },
        "headline": {**metrics(headline.metrics), "summary": summary_sentences(headline, rows)},
        "attacks": {name: {"metrics": metrics(row.metrics), "counts": row.counts} for name, row in rows.items()},
        "random_rewrites": {"rewrites": random_count, "violations_per_query": per_query,
                            "metrics": metrics(random_relations)},
        "gates": [g.as_dict() for g in gates],
    }


def summary_sentences(headline: Row, rows: dict[str, Row]) -> list[str]:
    lines = []
    extra = headline.metrics.get("student_extra_drop")
    if extra is not None and extra.value is not None:
        more = "more" if extra.value >= 0 else "less"
        lines.append(f"the student loses {abs(extra.value):.0%} {more} accuracy under attack than the teacher")
    for role in ("teacher", "student"):
        metric = headline.metrics.get(f"{role}_success_rate")
        if metric is not None and metric.value is not None:
            lines.append(f"attacks on the {role} succeed on {metric.value:.1%} of attacked inputs ({metric.count}/{metric.n})")
    if "disagree" in rows:
        m = rows["disagree"].metrics
        found, standing = m["success_rate"], m["disagreement_rate_x"]
        if found.value is not None:
            lines.append(f"from inputs where the models agree, rewrites made them disagree on {found.value:.1%} "
                         f"({found.count}/{found.n}); they already disagreed on {standing.value:.1%} of the originals")
    return lines


# ---- adversarial.jsonl and files ----------------------------------------------------------------


def records(attacked, label_names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One record per input: the original, both models on it, and per attack its best rewrite."""
    from .run import edit_size

    out = []
    for k, example in enumerate(attacked.examples):
        record: dict[str, Any] = {
            "id": example.id, "label": example.label, "original": list(example.code),
            "teacher_probs": attacked.originals["teacher"][k].tolist(),
            "student_probs": attacked.originals["student"][k].tolist(),
            "attacks": {},
        }
        for attack, outcomes in attacked.outcomes.items():
            o = outcomes[k]
            renamed, changed = edit_size(example.code, o)
            record["attacks"][attack] = {
                "status": o.status, "success": o.success, "queries": o.queries,
                "queries_to_success": o.queries_to_success, "successes_found": o.successes,
                "adversarial": list(o.code) if o.code is not None else None,
                "edits": attacked.spaces[k].describe(o.candidate) if o.candidate is not None else [],
                "identifiers_renamed": renamed, "tokens_changed": changed,
                "teacher_probs": o.probs["teacher"].tolist() if "teacher" in o.probs else None,
                "student_probs": o.probs["student"].tolist() if "student" in o.probs else None,
            }
        out.append(record)
    return out


def write_attack(folder: Path, report: AttackReport, rows: list[dict[str, Any]]) -> None:
    from .render import render_markdown

    (folder / "report.json").write_text(json.dumps(report.data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(report), encoding="utf-8")
    with open(folder / "adversarial.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
