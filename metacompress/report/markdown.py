"""report.md: the report for a reader — overview, per-relation detail, gates, worst cases.

Every figure comes from the report dict; the samples table supplies only the worst cases
(and, when it carries ``original_code``/``rewritten_code``, their diffs).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .format import INTERVALS_OFF, MISSING, counts, headline_columns, interval, kind_of, number, p_value, rows

MAX_DIFF_LINES = 60


def render_markdown(report: Mapping[str, Any], samples: pd.DataFrame | None = None, *,
                    worst: int = 5) -> str:
    parts = ["# metacompress report", _run(report), _discrepancy(report), _overview(report),
             _mcnemar(report), _gates(report), _baseline(report), _skipped_records(report), _skips(report)]
    parts += [_details(name, row, report) for name, row in rows(report)]
    if samples is not None:
        parts.append(_worst_cases(samples, worst, report.get("run", {}).get("label_names")))
    parts.append(_definitions(report))
    return "\n\n".join(p for p in parts if p) + "\n"


def _table(header: list[str], body: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    lines = [header, rule, *body]
    return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines)


def _run(report: Mapping[str, Any]) -> str:
    run, t = report.get("run", {}), report.get("thresholds", {})
    lines = [f"- {key}: `{_short(value)}`" for key, value in run.items()
             if key in ("command", "task", "language", "seed", "device", "created")
             and value not in ("", None)]
    for role, model in (run.get("models") or {}).items():
        if isinstance(model, dict):
            lines.append(f"- {role}: `{model.get('source', MISSING)}` ({model.get('fingerprint', MISSING)})")
    judging = report.get("judging", {})
    intervals = (f"{judging.get('ci', MISSING)}, {judging.get('n_bootstrap')} resamples, seed {judging.get('seed')}; "
                 f"resampling unit `{judging.get('resampling_unit', MISSING)}` (clusters per row in the tables below)"
                 if judging.get("n_bootstrap") != 0 else INTERVALS_OFF)
    lines.append(f"- thresholds: JS distance > {t.get('js_distance')}, confidence >= "
                 f"{t.get('confidence')}, {t.get('ece_bins')} ECE bins; intervals: {intervals}")
    return "\n".join(lines)


def _skipped_records(report: Mapping[str, Any]) -> str:
    data = report.get("run", {}).get("data", {})
    reasons = data.get("skip_reasons") or {}
    if not reasons:
        return ""
    body = [[reason, str(n)] for reason, n in sorted(reasons.items(), key=lambda item: -item[1])]
    listed = data.get("skipped_records") or []
    where = ", ".join(f"{r['where']}" for r in listed[:10]) + (", ..." if len(listed) > 10 else "")
    return (f"## Skipped records ({data.get('records_skipped', sum(reasons.values()))}, not audited)\n\n"
            + _table(["reason", "records"], body, "lr") + (f"\n\nFirst ones: {where}." if where else ""))


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _overview(report: Mapping[str, Any]) -> str:
    columns = headline_columns(report)
    header = ["relation", "applied", "unseen", "not applicable"] + [name for name, _ in columns]
    body = []
    for label, row in rows(report):
        metrics = row.get("metrics", {})
        cells = [f"**{label}**" if label == "all relations" else label,
                 str(row.get("applied", 0)), str(row.get("unseen", 0)), str(row.get("not_applicable", 0))]
        cells += [number(metrics.get(m, {}).get("value"), kind_of(report, m)) for m, _ in columns]
        body.append(cells)
    return "## Overview\n\n" + _table(header, body)


_PAIRED = ("induced_discrepancy_rate", "resolved_discrepancy_rate", "net_discrepancy_change",
           "discrepancy_rate_x", "discrepancy_rate")


def _discrepancy(report: Mapping[str, Any]) -> str:
    """What the rewrites cause, before the standing disagreement they sit on."""
    header = ["relation", "originals", "induced", "resolved", "net change (points)", "discrepancy on x",
              "discrepancy on x'"]
    body = []
    for label, row in rows(report):
        metrics = row.get("metrics", {})
        cells = [f"**{label}**" if label == "all relations" else label, str(row.get("clusters", 0))]
        for name in _PAIRED:
            entry = metrics.get(name, {})
            # all five are shares of the same rows; the net change reads best in points too
            cells.append(f"{number(entry.get('value'), 'rate')} {interval(entry.get('ci95'), 'rate')}")
        body.append(cells)
    return ("## Discrepancy caused by the rewrites\n\n"
            "*Induced*: inputs discrepant on x' but not on x; *resolved*: the reverse. The "
            "discrepancy on x is the standing disagreement of the two models before any rewrite. "
            "Values with 95% intervals (BCa, resampling original inputs).\n\n" + _table(header, body))


def _mcnemar(report: Mapping[str, Any]) -> str:
    body, notes = [], []
    for label, row in rows(report):
        test = row.get("mcnemar") or {}
        if test.get("note"):
            notes.append(f"{label}: {test['note']}.")
        body.append([label, str(test.get("student_only_flips", MISSING)),
                     str(test.get("teacher_only_flips", MISSING)), p_value(row)])
    text = ("## Student-only vs teacher-only flips (exact McNemar test)\n\n"
            "Two-sided exact binomial test of the student-only flips among the inputs where "
            "exactly one model flips (p = 1/2 if both are equally stable). `flip_asymmetry` in the "
            "tables below is the difference of the two rates, with its cluster interval.\n\n"
            + _table(["relation", "student-only flips", "teacher-only flips", "p"], body))
    return text + "".join(f"\n\n{note}" for note in notes)


def _gates(report: Mapping[str, Any]) -> str:
    gates = report.get("gates", [])
    if not gates:
        return ""
    body = [[g["condition"], g["relation"], MISSING if g["value"] is None else f"{g['value']:.4g}",
             g["status"]] for g in gates]
    note = ""
    if any(g["status"] == "not evaluated" for g in gates):
        note = ("\n\nA gate whose metric has no value here (e.g. a label metric without labels) "
                "is *not evaluated* and does not fail the run.")
    return "## Gates\n\n" + _table(["condition", "row", "value", "status"], body, "llrl") + note


def _baseline(report: Mapping[str, Any]) -> str:
    baseline = report.get("baseline", {})
    body = [_metric_row(name, entry, report) for name, entry in baseline.get("metrics", {}).items()]
    return (f"## Baseline on the originals (n={baseline.get('n', 0)})\n\n"
            + _table(["metric", "value", "95% CI", "count", "note"], body, "lrrrl"))


def _skips(report: Mapping[str, Any]) -> str:
    body = [[name, str(row["applied"]), str(row.get("unseen", 0)),
             f"{row.get('seen_by_teacher_only', 0)} / {row.get('seen_by_student_only', 0)}",
             f"{row.get('window_retry_found', 0)} / {row.get('window_retried', 0)}",
             str(row["not_applicable"]),
             "; ".join(f"{reason} ({n})" for reason, n in row["skip_reasons"].items()) or "-"]
            for name, row in report.get("relations", {}).items()]
    header = ["relation", "applied", "unseen", "seen by teacher / student only", "re-drawn into window: found / tried",
              "not applicable", "reasons"]
    note = ("A rewrite is *unseen* when it changes neither model's token ids (its edits lie past both "
            "models' truncation, or the tokenizers fold them away); unseen rows are left out of every metric.")
    return "## Where relations applied\n\n" + _table(header, body, "lrrrrrl") + "\n\n" + note


def _details(name: str, row: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    body = [_metric_row(metric, entry, report) for metric, entry in row.get("metrics", {}).items()]
    if not body:
        return ""
    return (f"### {name} (n={row.get('judged', row.get('applied', 0))}, {row.get('clusters', 0)} originals)\n\n"
            + _table(["metric", "value", "95% CI", "count", "note"], body, "lrrrl"))


def _metric_row(name: str, entry: Mapping[str, Any], report: Mapping[str, Any]) -> list[str]:
    kind = kind_of(report, name)
    note = entry.get("null_reason") if entry.get("value") is None else entry.get("ci_note")
    return [name, number(entry.get("value"), kind), interval(entry.get("ci95"), kind), counts(entry),
            note or ""]


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


def _definitions(report: Mapping[str, Any]) -> str:
    return "## Metric definitions\n\n" + definitions_table(report.get("metric_definitions", {}))


def definitions_table(definitions: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The metric glossary as a markdown table (the README embeds it); default: the registry."""
    if definitions is None:
        from ..metrics import metric_definitions

        definitions = metric_definitions()
    body = [[f"`{name}`", d["description"] + (" Needs labels." if d["needs_labels"] else "")]
            for name, d in definitions.items()]
    return _table(["metric", "definition"], body, "ll")
