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

from ..metrics.core import Metric, Thresholds, relation_metrics
from ..renderers import ATTACK, Document, render
from ..config import recorded_settings as flat_settings
from .constraints import get_constraint
from .figures import (GAP_CURVE, NO_SEARCH, NO_SEARCH_METRICS, RELATION_METRICS, Row, budget_curve, edit_distributions,
                      edit_measures, gap_curve)
from .objectives import get_objective
from .objectives.disagree import disagree_goal
from .recipes import DEFAULT_RECIPE, get_recipe

SCHEMA = "metacompress-attack"
SCHEMA_VERSION = "1.0"


@dataclass
class AttackReport:
    """report.json as objects; ``relations`` / ``all_relations`` / ``baseline`` let the gate code read it;
    ``constraints`` (name -> what it holds) are listed in report.md."""

    data: dict[str, Any]
    relations: dict[str, Row]
    all_relations: Row
    baseline: Row
    gates: list[Any] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.data


# ---- building the report --------------------------------------------------------------------------


def build_report(config, plan, data, models, attacked, timings: dict[str, float], calls: dict[str, int]) -> AttackReport:
    from ..metrics.gates import evaluate_gates

    labels = [e.label for e in attacked.examples]
    labelled = all(label is not None for label in labels)
    thresholds = Thresholds(config.js_threshold, config.confidence, config.ece_bins)
    objective = get_objective(config.objective)
    rows: dict[str, Row] = {}
    for attack, outcomes in attacked.outcomes.items():
        rows[attack] = objective.judge(attack, config, attacked, outcomes, labels if labelled else None)
        rows[attack].extra["adversarial_relations"] = _relations_on(attacked, outcomes, labels if labelled else None,
                                                                    thresholds, config)
        for name, metric in rows[attack].extra["adversarial_relations"].items():
            rows[attack].metrics[f"adversarial_{name}"] = metric
        rows[attack].extra["curve"] = budget_curve(outcomes, config.budget, config.seed, config.bootstrap)
        rows[attack].extra["edit_size"] = edit_distributions(attacked, outcomes)
    if config.budget == 0:
        _blank_search_figures(rows)
    random_relations = _random_relations(attacked, labels if labelled else None, thresholds, config)
    per_query, counted = _random_per_query(attacked, config.js_threshold)
    objective.finish(config, attacked, rows, (per_query, counted))
    headline = Row(objective.headline(config, attacked, rows, labelled))
    baseline = Row({})
    recipe = get_recipe(config.recipe)
    constraints = {name: get_constraint(name).describe(config) for name in recipe.constraints}
    report = AttackReport({}, rows, headline, baseline, constraints=constraints)
    report.gates = evaluate_gates(plan.gates, report)
    report.data = _document(config, plan, data, models, attacked, rows, headline, random_relations, per_query,
                            report.gates, timings, calls, objective.sentences(headline.metrics, rows))
    return report


def _blank_search_figures(rows: dict[str, Row]) -> None:
    """Under --budget 0 a search's figure has no value: accuracy after attack equals accuracy before
    only because nothing was tried, and a drop of 0 would pass a gate on it. (validate refuses such
    gates up front; report.json says why the figures are empty.)"""
    for row in rows.values():
        for name in row.metrics:
            if name not in NO_SEARCH_METRICS:
                row.metrics[name] = Metric(None, None, 0, null_reason=NO_SEARCH)


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


def _random_per_query(attacked, js_threshold: float) -> tuple[float | None, int]:
    """Violations per random rewrite, counted as the disagree search counts its finds: rewrites of
    inputs on which the models agree (label and JS distance) that make them disagree. Each rewrite
    is one query per model. Returns (rate, rewrites counted)."""
    r = attacked.random_rewrites
    if not r["count"]:
        return None, 0
    goal = disagree_goal(js_threshold)
    agree = ~goal.success({"teacher": r["T_x"], "student": r["S_x"]})
    found = goal.success({"teacher": r["T_xp"], "student": r["S_xp"]}) & agree
    counted = int(agree.sum())
    return (float(found.sum() / counted) if counted else None), counted


def recorded_settings(config) -> dict[str, Any]:
    """report.json's ``run.config``: every setting but the command; the recipe only when it is not
    the default (reports from before recipes existed read the same)."""
    return flat_settings(config, ("command", *(("recipe",) if config.recipe == DEFAULT_RECIPE else ())))


def _document(config, plan, data, models, attacked, rows, headline, random_relations, per_query, gates,
              timings, calls, sentences: list[str]) -> dict:
    from ..context import count_reasons, first_skipped, package_versions

    def metrics(row_metrics: dict[str, Metric]) -> dict[str, Any]:
        return {name: m.as_dict() for name, m in row_metrics.items()}

    random_count = attacked.random_rewrites["count"]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "run": {
            "command": config.command,
            "config": recorded_settings(config),
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
        "headline": {**metrics(headline.metrics), "summary": sentences},
        "attacks": {name: {"metrics": metrics(row.metrics), "counts": row.counts, "curve": row.extra["curve"],
                           "edit_size": row.extra["edit_size"]} for name, row in rows.items()},
        **_gap_entry(config, attacked),
        "random_rewrites": {"rewrites": random_count, "violations_per_query": per_query,
                            "metrics": metrics(random_relations)},
        "gates": [g.as_dict() for g in gates],
    }


def _gap_entry(config, attacked) -> dict[str, Any]:
    """report.json's ``gap_curve`` where both models were attacked (flip-both); nothing otherwise."""
    if not {"teacher", "student"} <= set(attacked.outcomes):
        return {}
    outcomes = attacked.outcomes
    return {GAP_CURVE: gap_curve(outcomes["teacher"], outcomes["student"], config.budget, config.seed, config.bootstrap)}


# ---- adversarial.jsonl and files ----------------------------------------------------------------


def records(attacked, label_names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One record per input: the original, both models on it, and per attack its best rewrite."""

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
            record["attacks"][attack] = {
                "status": o.status, "success": o.success, "queries": o.queries, "exhausted": o.exhausted,
                "queries_to_success": o.queries_to_success, "successes_found": o.successes,
                "adversarial": list(o.code) if o.code is not None else None,
                "edits": attacked.spaces[k].describe(o.candidate) if o.candidate is not None else [],
                "assumptions": list(attacked.spaces[k].assumptions(o.candidate)) if o.candidate is not None else [],
                **edit_measures(attacked.spaces[k].language, example.code, o),
                "teacher_probs": o.probs["teacher"].tolist() if "teacher" in o.probs else None,
                "student_probs": o.probs["student"].tolist() if "student" in o.probs else None,
            }
        out.append(record)
    return out


def write_attack(folder: Path, report: AttackReport, rows: list[dict[str, Any]]) -> None:
    """report.json, adversarial.jsonl and report.md, through the renderers (``metacompress.renderers``)."""
    render(ATTACK, folder, Document(report, rows))


def write_attack_json(folder: Path, document: Document) -> list[Path]:
    path = folder / "report.json"
    path.write_text(json.dumps(document.report.data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return [path]


def write_adversarial_jsonl(folder: Path, document: Document) -> list[Path]:
    path = folder / "adversarial.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for row in document.rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return [path]
