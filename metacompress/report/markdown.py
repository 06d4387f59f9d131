"""report.md: the report for a reader — overview, per-relation detail, gates, worst cases.

Every figure comes from the typed ``Report``; the samples table supplies only the worst cases
(and, when it carries ``original_code``/``rewritten_code``, their diffs).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..metrics import GateResult, Metric, RelationSummary
from .document import MetricDefinition, Report, registered_definitions
from .format import INTERVALS_OFF, MISSING, counts, headline_columns, interval, number, p_value, value_of

MAX_DIFF_LINES = 60


def render_markdown(report: Report, samples: pd.DataFrame | None = None, *, worst: int = 5) -> str:
    parts = ["# metacompress report", _run(report), _discrepancy(report), _overview(report),
             _mcnemar(report), _gates(report.gates), _baseline(report), _skipped_records(report), _skips(report)]
    parts += [_details(name, row, report) for name, row in report.rows()]
    if samples is not None:
        parts.append(_worst_cases(samples, worst, report.run.label_names))
    parts.append(_definitions(report))
    return "\n\n".join(p for p in parts if p) + "\n"


def _table(header: list[str], body: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    lines = [header, rule, *body]
    return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines)


def _run(report: Report) -> str:
    run, t, judging = report.run, report.thresholds, report.judging
    shown = (("command", run.command), ("seed", run.seed), ("task", run.task), ("language", run.language),
             ("device", run.device), ("created", run.created))  # in report.json's order
    lines = [f"- {key}: `{_short(value)}`" for key, value in shown if value not in ("", None)]
    for role, model in (run.models or {}).items():
        lines.append(f"- {role}: `{model.source or MISSING}` ({model.fingerprint or MISSING})")
    intervals = (f"{judging.ci}, {judging.n_bootstrap} resamples, seed {judging.seed}; "
                 f"resampling unit `{judging.resampling_unit}` (clusters per row in the tables below)"
                 if judging.n_bootstrap != 0 else INTERVALS_OFF)
    lines.append(f"- thresholds: JS distance > {t.js_distance}, confidence >= "
                 f"{t.confidence}, {t.ece_bins} ECE bins; intervals: {intervals}")
    return "\n".join(lines)


def _skipped_records(report: Report) -> str:
    data = report.run.data
    if data is None or not data.skip_reasons:
        return ""
    reasons = data.skip_reasons
    body = [[reason, str(n)] for reason, n in sorted(reasons.items(), key=lambda item: -item[1])]
    listed = data.skipped_records
    where = ", ".join(f"{r.where}" for r in listed[:10]) + (", ..." if len(listed) > 10 else "")
    return (f"## Skipped records ({data.records_skipped}, not audited)\n\n"
            + _table(["reason", "records"], body, "lr") + (f"\n\nFirst ones: {where}." if where else ""))


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _overview(report: Report) -> str:
    columns = headline_columns(report)
    header = ["relation", "applied", "unseen", "not applicable"] + [name for name, _ in columns]
    body = []
    for label, row in report.rows():
        cells = [f"**{label}**" if label == "all relations" else label,
                 str(row.applied), str(row.visibility.unseen), str(row.not_applicable)]
        cells += [number(value_of(row, m), report.kind_of(m)) for m, _ in columns]
        body.append(cells)
    return "## Overview\n\n" + _table(header, body)


_PAIRED = ("induced_discrepancy_rate", "resolved_discrepancy_rate", "net_discrepancy_change",
           "discrepancy_rate_x", "discrepancy_rate")


def _discrepancy(report: Report) -> str:
    """What the rewrites cause, before the standing disagreement they sit on."""
    header = ["relation", "originals", "induced", "resolved", "net change (points)", "discrepancy on x",
              "discrepancy on x'"]
    body = []
    for label, row in report.rows():
        cells = [f"**{label}**" if label == "all relations" else label, str(row.clusters)]
        for name in _PAIRED:
            entry = row.metrics.get(name)
            value, ci = (entry.value, entry.ci95) if entry is not None else (None, None)
            # all five are shares of the same rows; the net change reads best in points too
            cells.append(f"{number(value, 'rate')} {interval(ci, 'rate')}")
        body.append(cells)
    return ("## Discrepancy caused by the rewrites\n\n"
            "*Induced*: inputs discrepant on x' but not on x; *resolved*: the reverse. The "
            "discrepancy on x is the standing disagreement of the two models before any rewrite. "
            "Values with 95% intervals (BCa, resampling original inputs).\n\n" + _table(header, body))


def _mcnemar(report: Report) -> str:
    body, notes = [], []
    for label, row in report.rows():
        test = row.mcnemar
        if test is not None and test.note:
            notes.append(f"{label}: {test.note}.")
        body.append([label, str(test.student_only_flips) if test is not None else MISSING,
                     str(test.teacher_only_flips) if test is not None else MISSING, p_value(row)])
    text = ("## Student-only vs teacher-only flips (exact McNemar test)\n\n"
            "Two-sided exact binomial test of the student-only flips among the inputs where "
            "exactly one model flips (p = 1/2 if both are equally stable). `flip_asymmetry` in the "
            "tables below is the difference of the two rates, with its cluster interval.\n\n"
            + _table(["relation", "student-only flips", "teacher-only flips", "p"], body))
    return text + "".join(f"\n\n{note}" for note in notes)


def _gates(gates: list[GateResult]) -> str:
    if not gates:
        return ""
    body = [[g.condition, g.relation, MISSING if g.value is None else f"{g.value:.4g}", g.status] for g in gates]
    note = ""
    if any(g.status == "not evaluated" for g in gates):
        note = ("\n\nA gate whose metric has no value here (e.g. a label metric without labels) "
                "is *not evaluated* and does not fail the run.")
    return "## Gates\n\n" + _table(["condition", "row", "value", "status"], body, "llrl") + note


def _baseline(report: Report) -> str:
    baseline = report.baseline
    body = [_metric_row(name, entry, report) for name, entry in baseline.metrics.items()]
    return (f"## Baseline on the originals (n={baseline.n})\n\n"
            + _table(["metric", "value", "95% CI", "count", "note"], body, "lrrrl"))


def _skips(report: Report) -> str:
    body = [[name, str(row.applied), str(row.visibility.unseen),
             f"{row.visibility.teacher_only} / {row.visibility.student_only}",
             f"{row.visibility.retry_found} / {row.visibility.retried}",
             str(row.not_applicable),
             "; ".join(f"{reason} ({n})" for reason, n in row.skip_reasons.items()) or "-"]
            for name, row in report.relations.items()]
    header = ["relation", "applied", "unseen", "seen by teacher / student only", "re-drawn into window: found / tried",
              "not applicable", "reasons"]
    note = ("A rewrite is *unseen* when it changes neither model's token ids (its edits lie past both "
            "models' truncation, or the tokenizers fold them away); unseen rows are left out of every metric.")
    return "## Where relations applied\n\n" + _table(header, body, "lrrrrrl") + "\n\n" + note


def _details(name: str, row: RelationSummary, report: Report) -> str:
    body = [_metric_row(metric, entry, report) for metric, entry in row.metrics.items()]
    if not body:
        return ""
    return (f"### {name} (n={row.judged}, {row.clusters} originals)\n\n"
            + _table(["metric", "value", "95% CI", "count", "note"], body, "lrrrl"))


def _metric_row(name: str, entry: Metric, report: Report) -> list[str]:
    kind = report.kind_of(name)
    note = entry.null_reason if entry.value is None else entry.ci_note
    return [name, number(entry.value, kind), interval(entry.ci95, kind), counts(entry), note or ""]


def _worst_cases(samples: pd.DataFrame, k: int, names: list[str] | None = None) -> str:
    needed = ("applied", "student_only_flip", "violated", "js_distance")
    if not len(samples) or not all(c in samples for c in needed):
        return ""
    applied = _true(samples["applied"])
    only = applied & _true(samples["student_only_flip"])
    title, chosen = "student-only flips, largest JS distance first", only
    if not only.any():
        title, chosen = "no student-only flip; discrepancies, largest JS distance first", applied & _true(samples["violated"])
    js = pd.to_numeric(samples["js_distance"], errors="coerce").to_numpy(dtype=float)
    order = [i for i in np.argsort(-np.nan_to_num(js, nan=-1.0), kind="stable") if chosen[i]][:k]
    if not order:
        return "## Worst cases\n\nNo input violated any relation."
    blocks = [f"## Worst cases ({title})"]
    for i in order:
        row = samples.iloc[i]
        blocks.append(
            f"### {row['relation']} on {row['example_id']}\n\n"
            f"teacher {_label(row['teacher_pred_x'], names)} → {_label(row['teacher_pred_xp'], names)}, "
            f"student {_label(row['student_pred_x'], names)} → {_label(row['student_pred_xp'], names)}, "
            f"gold label {_label(row['label'], names)}, "
            f"JS distance {js[i]:.3f}" + _diff(row))
    return "\n\n".join(blocks)


def _true(column: pd.Series) -> np.ndarray:
    return np.array([False if pd.isna(v) else bool(v) for v in column], dtype=bool)


def _label(value: Any, names: list[str] | None) -> str:
    """A label index, with its name when the run recorded the task's label names."""
    if pd.isna(value):
        return MISSING
    index = int(value)
    return f"{names[index]} ({index})" if names and 0 <= index < len(names) else str(index)


def _diff(row: pd.Series) -> str:
    if not isinstance(row.get("original_code"), str) or not isinstance(row.get("rewritten_code"), str):
        return ""
    lines = list(difflib.unified_diff(row["original_code"].splitlines(), row["rewritten_code"].splitlines(),
                                      "x", "x'", lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    text = "\n".join(lines)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"\n\n{fence}diff\n{text}\n{fence}"


def _definitions(report: Report) -> str:
    return "## Metric definitions\n\n" + definitions_table(report.metric_definitions)


def definitions_table(definitions: Mapping[str, MetricDefinition] | None = None) -> str:
    """The metric glossary as a markdown table (the README embeds it); default: the registry."""
    if definitions is None:
        definitions = registered_definitions()
    body = [[f"`{name}`", d.description + (" Needs labels." if d.needs_labels else "")]
            for name, d in definitions.items()]
    return _table(["metric", "definition"], body, "ll")
