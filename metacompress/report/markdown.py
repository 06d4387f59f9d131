"""report.md: the report for a reader, sized for a pull-request comment.

It leads with what a reviewer decides on: the gates, the discrepancy the rewrites induced and
the flips; everything else (the overview of every metric, the baseline, where relations applied,
each relation's metrics, worst cases, provenance, definitions) folds into ``<details>`` sections,
which GitHub and most viewers render collapsed. Skip reasons are grouped by kind with counts;
report.json keeps every reason word for word.

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
from .escape import MARKDOWN_LIMIT, Section, cap_sections, md_code, md_text
from .format import (DRAW_TEXT, INTERVALS_OFF, MISSING, counts, headline_columns, interval, number, outputs_source,
                     p_value, per_original_note, rewrite_draw_table, row_label, too_few_note, true_flags, value_of)

MAX_DIFF_LINES = 30  # per worst case, so that report.md fits a pull-request comment
MAX_COMMAND = 1000  # characters of the recorded command line shown


def render_markdown(report: Report, samples: pd.DataFrame | None = None, *, worst: int = 5) -> str:
    """report.md, within ``MARKDOWN_LIMIT`` characters whatever the data holds: every string from
    the data goes through ``md_text``/``md_code``; when the whole is still too long, the folded
    sections give way, least important first, each to a one-line note."""
    def folded(summary: str, body: str, keep: int) -> Section:
        note = f"*{summary}: left out, report.md would pass {MARKDOWN_LIMIT:,} characters; see report.json.*"
        return Section(_folded(summary, body), keep, note if body else "")

    worst_cases = _worst_cases(samples, worst, report.run.label_names) if samples is not None else ""
    sections = [Section("# metacompress report"), Section(_summary(report)), Section(_gates(report.gates)),
                Section(_discrepancy(report)), Section(_mcnemar(report)), Section(_rewrite_draw(report)),
                folded("every headline metric per relation", _overview(report), 60),
                folded("the originals before any rewrite", _baseline(report), 50),
                folded("skipped data records", _skipped_records(report), 30),
                folded("where relations applied, and why not", _skips(report), 40),
                folded("each relation's metrics with intervals and counts", _relation_details(report), 20),
                folded("worst cases", worst_cases, 10),
                folded("run details: command, models, thresholds, intervals", "## Run\n\n" + _run(report), 70),
                folded("metric definitions", _definitions(report), 0)]
    return cap_sections(sections, "\n\n", MARKDOWN_LIMIT, closing="\n")


def _folded(summary: str, body: str) -> str:
    """A collapsible section (the blank lines let markdown inside it render)."""
    if not body:
        return ""
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _summary(report: Report) -> str:
    run = report.run
    models = run.models or {}
    who = " against ".join(f"{role} <code>{md_text(_name(m.source))}</code>" for role, m in (("student", models.get("student")),
                                                                     ("teacher", models.get("teacher"))) if m)
    data = run.data
    audited = (f" on {data.examples_audited} examples of <code>{md_text(_name(data.path))}</code>"
               if data is not None else "")
    task = f"{md_text(run.task)} ({md_text(run.language)}): " if run.task else ""
    return f"{task}{who + ', ' if who else ''}{len(report.relations)} relations{audited}, seed {run.seed}."


def _name(path: Any) -> str:
    text = str(path or MISSING).rstrip("/")
    return text.rsplit("/", 1)[-1]


def _table(header: list[str], body: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    lines = [header, rule, *body]
    # cells are renderer text and md_text() values, whose pipes are escaped already
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _row_label(label: str) -> str:
    return "**all relations**" if label.startswith("all relations") else md_text(label)


def _run(report: Report) -> str:
    run, t, judging = report.run, report.thresholds, report.judging
    shown = (("command", run.command), ("seed", run.seed), ("task", run.task), ("language", run.language),
             ("device", run.device), ("created", run.created))  # in report.json's order
    lines = [f"- {key}: <code>{_short(value)}</code>" for key, value in shown if value not in ("", None)]
    for role, model in (run.models or {}).items():
        source = outputs_source(model)
        lines.append(f"- {md_text(role)}: <code>{md_text(model.source or MISSING)}</code> "
                     f"({md_text(model.fingerprint or MISSING)})"
                     + (f"; outputs: {source}" if source else ""))
    intervals = (f"{md_text(judging.ci)}, {judging.n_bootstrap} resamples, seed {judging.seed}; "
                 f"resampling unit <code>{md_text(judging.resampling_unit)}</code> (clusters per row in the tables below)"
                 if judging.n_bootstrap != 0 else INTERVALS_OFF)
    lines.append(f"- thresholds: JS distance > {t.js_distance}, confidence >= "
                 f"{t.confidence}, {t.ece_bins} ECE bins; intervals: {intervals}")
    return "\n".join(lines)


def _skipped_records(report: Report) -> str:
    data = report.run.data
    if data is None or not data.skip_reasons:
        return ""
    return skipped_section(data.records_skipped, data.skip_reasons, [r.where for r in data.skipped_records])


def skipped_section(records_skipped: int, skip_reasons: Mapping[str, int], listed: list[str],
                    left_out: str = "not audited") -> str:
    """The skipped data records: a table of reasons with counts, then where the first ones are."""
    body = [[md_text(reason), str(n)] for reason, n in sorted(skip_reasons.items(), key=lambda item: -item[1])]
    where = ", ".join(md_text(w) for w in listed[:10]) + (", ..." if len(listed) > 10 else "")
    return (f"## Skipped records ({records_skipped}, {md_text(left_out)})\n\n"
            + _table(["reason", "records"], body, "lr") + (f"\n\nFirst ones: {where}." if where else ""))


def _short(value: Any, limit: int = MAX_COMMAND) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return md_text(text, limit)


def _overview(report: Report) -> str:
    columns = headline_columns(report)
    header = ["relation", "applied", "unseen", "not applicable"] + [md_text(name) for name, _ in columns]
    body = []
    for label, row in report.rows():
        cells = [_row_label(row_label(label, row)), str(row.applied), str(row.visibility.unseen), str(row.not_applicable)]
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
        cells = [_row_label(row_label(label, row)), str(row.clusters)]
        for name in _PAIRED:
            entry = row.metrics.get(name)
            value, ci = (entry.value, entry.ci95) if entry is not None else (None, None)
            # all five are shares of the same rows; the net change reads best in points too
            cells.append(f"{number(value, 'rate')} {interval(ci, 'rate')}")
        body.append(cells)
    return ("## Discrepancy caused by the rewrites\n\n"
            "*Induced*: inputs discrepant on x' but not on x; *resolved*: the reverse. The "
            "discrepancy on x is the standing disagreement of the two models before any rewrite. "
            "Values with 95% intervals (BCa, resampling original inputs).\n\n" + _table(header, body)
            + (f"\n\n{macro}" if (macro := per_original_note(report)) else ""))


def _mcnemar(report: Report) -> str:
    body, notes = [], []
    for label, row in report.rows():
        test = row.mcnemar
        if test is not None and test.note:
            notes.append(f"{md_text(label)}: {md_text(test.note, 500)}.")
        body.append([md_text(row_label(label, row)), str(test.student_only_flips) if test is not None else MISSING,
                     str(test.teacher_only_flips) if test is not None else MISSING, p_value(row),
                     p_value(row, adjusted=True), _effect(test)])
    adjustment = {"holm": "Holm", "bh": "Benjamini-Hochberg"}.get(report.judging.p_adjust, report.judging.p_adjust)
    text = ("## Student-only vs teacher-only flips (McNemar test)\n\n"
            "Two-sided exact binomial test of the student-only flips among the inputs where "
            "exactly one model flips (p = 1/2 if both are equally stable); where rows share an "
            "original (the pooled row) or a function, the clustered test of Durkalski et al. (2003). "
            f"*adjusted p*: {adjustment} over the relations' tests. Effect sizes: the risk "
            "difference (b - c) / n (`flip_asymmetry`, cluster interval) and the conditional odds "
            "ratio b / c (exact interval).\n\n"
            + _table(["relation", "student-only flips", "teacher-only flips", "p", "adjusted p",
                      "risk difference; odds ratio"], body))
    return text + "".join(f"\n\n{note}" for note in notes) + (f"\n\n{too_few}" if (too_few := too_few_note(report)) else "")


def _rewrite_draw(report: Report) -> str:
    table = rewrite_draw_table(report)
    if table is None:
        return ""
    header, body = table
    return (f"## The rewrite draw ({(report.run.config or {}).get('rewrites', 'several')} rewrites per input and relation)\n\n"
            + DRAW_TEXT + "\n\n" + _table(header, [[md_text(cell) for cell in row] for row in body]))


def _effect(test) -> str:
    if test is None or test.risk_difference is None:
        return MISSING
    text = f"{number(test.risk_difference, 'rate')} {interval(test.risk_difference_ci95, 'rate')}"
    if test.odds_ratio_ci95 is not None:
        low, high = test.odds_ratio_ci95
        odds = MISSING if test.odds_ratio is None else f"{test.odds_ratio:.2f}"
        text += f"; {odds} [{low:.2f}, {'inf' if high is None else f'{high:.2f}'}]"
    return text


def _gates(gates: list[GateResult]) -> str:
    if not gates:
        return "## Gates\n\nNo gate was set (`--fail-on`): this report passes or fails nothing."
    body = [[md_text(g.condition), md_text(g.relation), MISSING if g.value is None else f"{g.value:.4g}",
             md_text(g.status)] for g in gates]
    note = ""
    if any(g.status == "not evaluated" for g in gates):
        note = ("\n\nA gate whose metric has no value here (e.g. a label metric without labels) "
                "is *not evaluated* and does not fail the run.")
    verdict = ("**Breached:** " + ", ".join(f"<code>{md_text(g.condition)}</code>" for g in gates if g.holds)
               if any(g.holds for g in gates) else "**Every gate held.**")
    return "## Gates\n\n" + verdict + "\n\n" + _table(["condition", "row", "value", "status"], body, "llrl") + note


def _baseline(report: Report) -> str:
    baseline = report.baseline
    body = [_metric_row(name, entry, report) for name, entry in baseline.metrics.items()]
    return (f"## Baseline on the originals (n={baseline.n})\n\n"
            + _table(["metric", "value", "95% CI", "count", "note"], body, "lrrrl"))


def _skips(report: Report) -> str:
    body = [[md_text(name), str(row.applied), str(row.visibility.unseen),
             f"{row.visibility.teacher_only} / {row.visibility.student_only}",
             f"{row.visibility.retry_found} / {row.visibility.retried}",
             str(row.not_applicable), md_text(grouped_reasons(row.skip_reasons), 4 * SHOWN_KINDS * 100) or "-"]
            for name, row in report.relations.items()]
    header = ["relation", "applied", "unseen", "seen by teacher / student only", "re-drawn into window: found / tried",
              "not applicable", "reasons"]
    note = ("A rewrite is *unseen* when it changes neither model's token ids (its edits lie past both "
            "models' truncation, or the tokenizers fold them away); unseen rows are left out of every metric.")
    return "## Where relations applied\n\n" + _table(header, body, "lrrrrrl") + "\n\n" + note


#: reason kinds listed per relation in report.md; the rest are summed into one "more kinds" entry
SHOWN_KINDS = 4
_QUALIFIER = ("not applicable: ",)


def reason_kind(reason: str) -> str:
    """What kind of reason a message is: up to its first detail (": ", " (" or "; "), so that
    "no local variable can be renamed safely: a (...)" and "...: b (...)" are one kind."""
    for prefix in _QUALIFIER:
        if reason.startswith(prefix):
            reason = reason[len(prefix):]
    return re.split(r": | \(|; ", reason, maxsplit=1)[0].strip() or "unspecified"


def grouped_reasons(reasons: Mapping[str, int], shown: int = SHOWN_KINDS) -> str:
    """``kind (count)`` for the commonest kinds, most frequent first."""
    kinds: dict[str, int] = {}
    for reason, count in reasons.items():
        kind = reason_kind(reason)
        kinds[kind] = kinds.get(kind, 0) + count
    ordered = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    text = [f"{kind} ({count})" for kind, count in ordered[:shown]]
    rest = ordered[shown:]
    if rest:
        text.append(f"{len(rest)} more kinds ({sum(count for _, count in rest)})")
    return "; ".join(text)


def _relation_details(report: Report) -> str:
    """One table per relation: each metric on x' beside its counterpart on x; notes once, by letter."""
    notes: dict[str, str] = {}
    tables = [_details(name, row, report, notes) for name, row in report.rows()]
    tables = [t for t in tables if t]
    if not tables:
        return ""
    legend = "\n".join(f"- [{letter}] {md_text(text, 500)}" for text, letter in notes.items())
    return "\n\n".join(tables) + (f"\n\nNotes (N: a figure given per metric in report.json):\n\n{legend}"
                                   if legend else "")


def _details(name: str, row: RelationSummary, report: Report, notes: dict[str, str]) -> str:
    metrics = row.metrics
    if not metrics:
        return ""
    on_x = {partner: metric for metric in metrics for partner in _partners(metric) if partner in metrics}
    body = []
    for metric, entry in metrics.items():
        if any(metric == x for x in on_x.values()):
            continue  # shown beside its x' counterpart
        x_entry = metrics.get(on_x.get(metric, ""))
        marks = dict.fromkeys(_note_letter(e, notes) for e in (entry, x_entry) if e is not None)
        body.append([md_text(metric), _cell(entry, report.kind_of(metric)),
                     _cell(x_entry, report.kind_of(metric)) if x_entry is not None else "",
                     " ".join(m for m in marks if m)])
    return (f"### {md_text(name)} (n={row.judged}, {row.clusters} originals)\n\n"
            + _table(["metric", "value [95% CI] (count)", "on x", "note"], body, "lrrl"))


def _partners(metric: str) -> tuple[str, ...]:
    """The x' metric(s) a metric on the originals pairs with (discrepancy_rate_x -> discrepancy_rate)."""
    if metric == "prediction_agreement_original":
        return ("prediction_agreement",)
    if metric.endswith("_x"):
        return (metric[:-2], metric[:-2] + "_xp")
    return ()


def _cell(entry: Metric, kind: str) -> str:
    return f"{number(entry.value, kind)} {interval(entry.ci95, kind)} ({counts(entry)})"


def _note_letter(entry: Metric, notes: dict[str, str]) -> str:
    text = entry.null_reason if entry.value is None else entry.ci_note
    if not text:
        return ""
    text = re.sub(r"(?<![<>]= )\b\d+(\.\d+)?", "N", text)  # one letter per kind of note, whatever its figures
    if text not in notes:
        notes[text] = _letters(len(notes))
    return f"[{notes[text]}]"


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _metric_row(name: str, entry: Metric, report: Report) -> list[str]:
    kind = report.kind_of(name)
    note = entry.null_reason if entry.value is None else entry.ci_note
    return [md_text(name), number(entry.value, kind), interval(entry.ci95, kind), counts(entry), md_text(note or "", 500)]


def _worst_cases(samples: pd.DataFrame, k: int, names: list[str] | None = None) -> str:
    needed = ("applied", "student_only_flip", "violated", "js_distance")
    if not len(samples) or not all(c in samples for c in needed):
        return ""
    applied = true_flags(samples["applied"])
    only = applied & true_flags(samples["student_only_flip"])
    title, chosen = "student-only flips, largest JS distance first", only
    if not only.any():
        title, chosen = "no student-only flip; discrepancies, largest JS distance first", applied & true_flags(samples["violated"])
    js = pd.to_numeric(samples["js_distance"], errors="coerce").to_numpy(dtype=float)
    order = [i for i in np.argsort(-np.nan_to_num(js, nan=-1.0), kind="stable") if chosen[i]][:k]
    if not order:
        return "## Worst cases\n\nNo input violated any relation."
    blocks = [f"## Worst cases ({title})"]
    for i in order:
        row = samples.iloc[i]
        blocks.append(
            f"### {md_text(row['relation'])} on {md_text(row['example_id'])}\n\n"
            f"teacher {_label(row['teacher_pred_x'], names)} → {_label(row['teacher_pred_xp'], names)}, "
            f"student {_label(row['student_pred_x'], names)} → {_label(row['student_pred_xp'], names)}, "
            f"gold label {_label(row['label'], names)}, "
            f"JS distance {js[i]:.3f}" + _diff(row))
    return "\n\n".join(blocks)


def _label(value: Any, names: list[str] | None) -> str:
    """A label index, with its name when the run recorded the task's label names."""
    if pd.isna(value):
        return MISSING
    index = int(value)
    return f"{md_text(names[index])} ({index})" if names and 0 <= index < len(names) else str(index)


def _diff(row: pd.Series) -> str:
    if not isinstance(row.get("original_code"), str) or not isinstance(row.get("rewritten_code"), str):
        return ""
    lines = difflib.unified_diff(row["original_code"].splitlines(), row["rewritten_code"].splitlines(),
                                 "x", "x'", n=2, lineterm="")
    return "\n\n" + md_code("\n".join(lines), "diff", max_lines=MAX_DIFF_LINES)


def _unsafe(name: str) -> bool:
    return md_text(name) != name


def _definitions(report: Report) -> str:
    return "## Metric definitions\n\n" + definitions_table(report.metric_definitions)


def definitions_table(definitions: Mapping[str, MetricDefinition] | None = None) -> str:
    """The metric glossary as a markdown table (the README embeds it); default: the registry."""
    if definitions is None:
        definitions = registered_definitions()
    # descriptions are Markdown written by the metric's author (code, not data): only pipes are escaped
    body = [[f"<code>{md_text(name)}</code>" if _unsafe(name) else f"`{name}`",
             (d.description + (" Needs labels." if d.needs_labels else "")).replace("|", "\\|")]
            for name, d in definitions.items()]
    return _table(["metric", "definition"], body, "ll")
