"""report.html: one self-contained page a person looks at (no scripts, no network, no fonts).

The page is rendered from the typed ``Report`` (the same figures as report.json; a report read
back with ``load_report`` renders the same) and from the samples table, which supplies what the document summarises: the
per-input probabilities behind the reliability diagrams and the probability map, and the worst
cases with their code. Plots are inline SVG (``plots.py``); long sections fold with ``<details>``,
which needs no JavaScript.
"""

from __future__ import annotations

import difflib
import html
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..metrics import GateResult, Metric, decode_probs
from ..metrics.samples import has_probs
from ..metrics.summary import judged_rows
from . import plots
from .document import Report
from .escape import HTML_LIMIT, MAX_TEXT, Section, cap_sections, clip
from .format import (DRAW_TEXT, MISSING, counts, interval, number, outputs_source, p_value, per_original_note,
                     rewrite_draw_table, row_label, too_few_note, true_flags)

WORST_CASES = 10
OPEN_CASES = 3  # the first worst cases are unfolded; the rest fold under <details>
MAX_CODE_LINES = 80
MAX_CODE_LINE_CHARS = 200  # characters of one line of code shown
MAX_COMMAND = 1000  # characters of the recorded command line shown
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#1a1a1a;line-height:1.4}
h1{font-size:1.5em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}th,td{border:1px solid #d0d0d0;padding:.25em .5em;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{color:#666;font-size:.9em}.banner{padding:.6em 1em;border-radius:4px;font-weight:600;margin:.8em 0}
.pass{background:#e6f4ea;border:1px solid #7cc08b}.fail{background:#fde8e8;border:1px solid #e08080}.none{background:#f3f3f3;border:1px solid #ccc}
.breached{color:#b00020;font-weight:600}.held{color:#2e7d32}.figs{display:flex;flex-wrap:wrap;gap:1em}
.figs figure{margin:0}figcaption{font-size:.85em;color:#444;max-width:420px}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:.4em;font-size:.78em}
.diff pre{margin:0;padding:.4em;background:#fafafa;border:1px solid #e0e0e0;overflow-x:auto;white-space:pre}
.del{background:#fbe3e3}.add{background:#e3f6e3}code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}.muted{color:#666}
"""
FLIP_METRICS = (("teacher_flip_rate", "teacher flip"), ("student_flip_rate", "student flip"),
                ("student_only_flip_rate", "student-only flip"))
RELATION_COLUMNS = (
    ("teacher_flip_rate", "teacher flip"),
    ("student_flip_rate", "student flip"),
    ("student_only_flip_rate", "student-only flip"),
    ("discrepancy_rate", "discrepancy on x'"),
    ("induced_discrepancy_rate", "induced discrepancy"),
)
CALIBRATION = ("teacher_ece_x", "teacher_ece_xp", "student_ece_x", "student_ece_xp", "calibration_alignment")


def render_html(report: Report, samples: pd.DataFrame | None = None, *,
                worst: int = WORST_CASES) -> str:
    """The whole page as one string, within ``HTML_LIMIT`` characters whatever the data holds: every
    string is escaped and cut to ``MAX_TEXT`` characters (code lines to ``MAX_CODE_LINE_CHARS``),
    and when the page is still too long its sections give way, least important first."""
    title = f"metacompress: {report.run.task or 'audit'}"
    note = (f"<p class=\"muted\">A section is left out here: report.html would pass {HTML_LIMIT:,} characters; "
            "report.json holds every figure.</p>")
    sections = [
        Section(_header(report)),
        Section(_gates(report)),
        Section(_relations(report), 90),
        Section(_rewrite_draw(report), 45, note),
        Section(_threshold_sensitivity(report), 44, note),
        Section(_calibration(report, samples), 50, note),
        Section(_probability_map(report, samples), 40, note),
        Section(_worst_cases(report, samples, worst), 10, note),
        Section(_skipped(report), 30, note),
        Section(_provenance(report), 60, note),
    ]
    return page(title, cap_sections(sections, "\n", HTML_LIMIT - len(page(title, ""))))


def page(title: str, body: str) -> str:
    """A complete HTML document around ``body``: inline style, nothing loaded from anywhere."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _e(value: Any, limit: int = MAX_TEXT, keep_tabs: bool = False) -> str:
    """``value`` escaped, on one line, cut to ``limit`` characters."""
    return html.escape(clip(value, limit, keep_tabs=keep_tabs), quote=True)


def _or_missing(value: Any) -> Any:
    return MISSING if value is None else value


def _header(report: Report) -> str:
    run = report.run
    models = run.models or {}
    data = run.data
    facts = [
        ("teacher", _or_missing(models["teacher"].source) if "teacher" in models else MISSING),
        ("student", _or_missing(models["student"].source) if "student" in models else MISSING),
        ("task", f"{_or_missing(run.task)} ({_or_missing(run.language)})"),
        ("data", f"{clip(data.path)}: {data.examples_audited} examples audited of {data.records_loaded} loaded"
                 if data is not None else f"{MISSING}: {MISSING} examples audited of {MISSING} loaded"),
        ("relations", len(report.relations)),
        ("seed", _or_missing(run.seed)),
        ("created", _or_missing(run.created)),
    ]
    items = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v, 2 * MAX_TEXT)}</td></tr>" for k, v in facts)
    return f"<h1>{_e('metacompress report')}</h1>\n<table>{items}</table>"


def _gates(report: Report) -> str:
    gates = report.gates
    if not gates:
        return '<div class="banner none">No gate was set (--fail-on): this report passes or fails nothing.</div>'
    breached = [g for g in gates if g.holds]
    banner = ('<div class="banner fail">Gate breached: ' + _e(", ".join(clip(g.condition) for g in breached), len(gates) * (MAX_TEXT + 20)) + "</div>"
              if breached else '<div class="banner pass">Every gate held.</div>')
    rows = "".join(
        f"<tr><td><code>{_e(g.condition)}</code></td><td>{_e(g.relation)}</td>"
        f"<td class=\"n\">{_e(number(g.value, report.kind_of(g.metric)))}</td>"
        f"<td class=\"{'breached' if g.holds else 'held'}\">{_e(g.status)}</td></tr>"
        for g in gates)
    return (f"{banner}\n<table><tr><th>condition</th><th>relation</th><th>value</th><th>status</th></tr>"
            f"{rows}</table>")


def _relation_gates(gates: list[GateResult]) -> dict[str, str]:
    """relation -> 'breached' / 'held' for the gates that name a relation (pooled gates: 'all')."""
    status: dict[str, str] = {}
    for gate in gates:
        name = gate.relation
        if gate.holds:
            status[name] = "breached"
        else:
            status.setdefault(name, "held")
    return status


def estimate(entry: Metric | None) -> plots.Estimate:
    if entry is None:
        return plots.Estimate(None, None, None)
    low, high = entry.ci95 or (None, None)
    return plots.Estimate(entry.value, low, high)


def _relations(report: Report) -> str:
    if not report.relations:
        return ""
    rows = report.rows()
    series = [plots.Series(label, [estimate(row.metrics.get(metric)) for _, row in rows], colour, marker)
              for (metric, label), (colour, marker) in zip(FLIP_METRICS, plots.PALETTE)]
    forest = plots.forest_plot([name for name, _ in rows], series,
                               "share of judged inputs whose label flips (x to x'), 95% interval")
    gate_status = _relation_gates(report.gates)
    head = "".join(f"<th>{_e(label)}</th>" for _, label in RELATION_COLUMNS)
    body = []
    for name, row in rows:
        cells = "".join(_metric_cell(report, metric, row.metrics.get(metric)) for metric, _ in RELATION_COLUMNS)
        status = gate_status.get("all" if name == "all relations" else name, "")
        body.append(
            f"<tr><td>{_e(row_label(name, row))}</td><td class=\"n\">{row.judged}/{row.inputs}</td>"
            f"{cells}<td class=\"n\">{_e(p_value(row))}</td><td class=\"n\">{_e(p_value(row, adjusted=True))}</td>"
            f"<td class=\"{status}\">{_e(status or '')}</td></tr>")
    return (
        "<h2>Per relation</h2>\n"
        "<p>How often each model's label flips from x to the rewritten x', and how often only the student's does, "
        "with 95% intervals. A student that behaves like its teacher has its marks on the teacher's.</p>\n"
        f"<figure>{forest}<figcaption>Flip rates per relation (judged inputs: rewrites at least one model "
        "could see).</figcaption></figure>\n"
        f"<table><tr><th>relation</th><th>judged/inputs</th>{head}<th>McNemar p</th><th>adjusted p</th><th>gate</th></tr>"
        f"{''.join(body)}</table>" + (f"<p>{_e(note)}</p>" if (note := too_few_note(report)) else "")
        + (f"<p>{_e(macro.replace('*', ''))}</p>" if (macro := per_original_note(report)) else ""))


def _threshold_sensitivity(report: Report) -> str:
    if not report.threshold_sensitivity:
        return ""
    titles = {"js_distance": "JS distance threshold", "confidence": "confidence threshold"}
    panels = [plots.ThresholdCurve(titles.get(c.threshold, c.threshold), c.chosen, c.grid, c.values)
              for c in report.threshold_sensitivity]
    return ("<h2>Threshold sensitivity</h2>\n<p>The threshold metrics of the pooled judged rows recomputed at "
            "other thresholds (the other threshold held at its setting; dashed: the setting). A curve that is "
            "steep at the setting means the figure depends on an arbitrary cut-off; report.json "
            "(threshold_sensitivity) has every point.</p>\n"
            f"<figure>{plots.threshold_plot(panels)}<figcaption>Threshold metrics against their threshold "
            "(all relations, no intervals).</figcaption></figure>")


def _rewrite_draw(report: Report) -> str:
    table = rewrite_draw_table(report)
    if table is None:
        return ""
    header, body = table
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<h2>The rewrite draw</h2>\n<p>{_e(DRAW_TEXT)}</p>\n<table><tr>{head}</tr>{rows}</table>"


def _metric_cell(report: Report, metric: str, entry: Metric | None) -> str:
    if entry is None:
        return f"<td class=\"n\">{MISSING}</td>"
    kind = report.kind_of(metric)
    return (f"<td class=\"n\">{_e(number(entry.value, kind))} "
            f"<span class=\"ci\">{_e(interval(entry.ci95, kind))}</span><br>"
            f"<span class=\"muted\">{_e(counts(entry))}</span></td>")


def _judged_rows(samples: pd.DataFrame) -> pd.DataFrame:
    rows = samples[judged_rows(samples)]
    return rows[has_probs(rows["teacher_probs_xp"]) & has_probs(rows["student_probs_xp"])]


def _originals(samples: pd.DataFrame) -> pd.DataFrame:
    """Each example once, with both models' probabilities on x."""
    rows = samples[has_probs(samples["teacher_probs_x"]) & has_probs(samples["student_probs_x"])]
    return rows.drop_duplicates("example_id")


def _calibration(report: Report, samples: pd.DataFrame | None) -> str:
    pooled = report.all_relations.metrics
    baseline = report.baseline.metrics
    # on x each original counts once (the baseline); on x' every judged rewrite counts (pooled)
    numbers = [(m, (baseline.get(m) if m.endswith("_x") else None) or pooled.get(m)) for m in CALIBRATION]
    numbers = [(m, e) for m, e in numbers if e is not None]
    figure = ""
    if samples is not None and len(samples):
        curves = _reliability_curves(samples)
        if curves:
            bins = int(report.thresholds.ece_bins)
            figure = (f"<figure>{plots.reliability_diagram(curves, bins)}<figcaption>Reliability: accuracy per "
                      f"confidence bin ({bins} bins, the ECE's), on originals x (solid) and on judged rewrites x' "
                      "(dashed).</figcaption></figure>")
    if not numbers and not figure:
        return ("<h2>Calibration</h2>\n<p class=\"muted\">No calibration figures: the data carries no gold labels.</p>")
    table = "".join(
        f"<tr><td><code>{_e(m)}</code></td>{_metric_cell(report, m, e)}</tr>" for m, e in numbers)
    return (f"<h2>Calibration</h2>\n<div class=\"figs\">{figure}<div><table><tr><th>metric</th><th>value [95%]</th></tr>"
            f"{table}</table></div></div>")


def _reliability_curves(samples: pd.DataFrame) -> list[plots.Reliability]:
    curves = []
    for side, rows, dashed in (("x", _originals(samples), False), ("x'", _judged_rows(samples), True)):
        labelled = rows[rows["label"].notna()]
        if not len(labelled):
            continue
        gold = labelled["label"].astype(int).to_numpy()
        suffix = "x" if side == "x" else "xp"
        for model, colour in (("teacher", plots.TEACHER), ("student", plots.STUDENT)):
            probs = decode_probs(labelled[f"{model}_probs_{suffix}"])
            curves.append(plots.Reliability(f"{model} on {side}", probs.max(axis=1), probs.argmax(axis=1) == gold,
                                            colour, dashed))
    return curves


def _probability_map(report: Report, samples: pd.DataFrame | None) -> str:
    if samples is None or not len(samples):
        return ""
    rows = _judged_rows(samples)
    if not len(rows):
        return ""
    positive = int(report.judging.positive_label)
    names = report.run.label_names or []
    label = names[positive] if 0 <= positive < len(names) else f"label {positive}"
    teacher = decode_probs(rows["teacher_probs_xp"])
    student = decode_probs(rows["student_probs_xp"])
    if teacher.shape[1] <= positive:
        return ""
    svg = plots.probability_map(teacher[:, positive], student[:, positive], label)
    return (f"<h2>Teacher against student on x'</h2>\n<figure>{svg}<figcaption>Probability of "
            f"<code>{_e(label)}</code> on the {len(rows)} judged rewrites of every relation. On the diagonal the "
            "student agrees with its teacher; off-diagonal quadrants are label disagreements.</figcaption></figure>")


def _worst_cases(report: Report, samples: pd.DataFrame | None, k: int) -> str:
    if samples is None or not len(samples) or k <= 0 or "student_only_flip" not in samples:
        return ""
    rows = _judged_rows(samples)
    only = rows[true_flags(rows["student_only_flip"])]
    title = "student-only flips, largest Jensen-Shannon distance first"
    if not len(only):
        only = rows[true_flags(rows["violated"])]
        title = "no student-only flip; discrepancies, largest Jensen-Shannon distance first"
    if not len(only):
        return "<h2>Worst cases</h2>\n<p>No judged input violated any relation.</p>"
    js = pd.to_numeric(only["js_distance"], errors="coerce").fillna(-1.0)
    chosen = only.assign(_js=js.to_numpy()).sort_values("_js", ascending=False, kind="stable").head(k)
    names = report.run.label_names or []
    blocks = [_case(row, names, opened=rank < OPEN_CASES) for rank, (_, row) in enumerate(chosen.iterrows())]
    return f"<h2>Worst cases ({_e(title)})</h2>\n" + "\n".join(blocks)


def _case(row: pd.Series, names: Sequence[str], opened: bool) -> str:
    probabilities = "".join(
        f"<tr><td>{model}</td><td>{_probs(row[f'{model}_probs_x'], names)}</td>"
        f"<td>{_probs(row[f'{model}_probs_xp'], names)}</td></tr>" for model in ("teacher", "student"))
    gold = row.get("label")
    gold_text = MISSING if pd.isna(gold) else _label_name(int(gold), names)
    summary = (f"{_e(row['relation'])} on {_e(row['example_id'])}: JS distance {float(row['js_distance']):.3f}, "
               f"gold {_e(gold_text)}")
    code = _side_by_side(row.get("original_code"), row.get("rewritten_code"))
    return (f"<details{' open' if opened else ''}><summary>{summary}</summary>\n<table><tr><th>model</th><th>P on x</th><th>P on x'</th></tr>"
            f"{probabilities}</table>\n{code}</details>")


def _label_name(index: int, names: Sequence[str]) -> str:
    return f"{names[index]} ({index})" if 0 <= index < len(names) else str(index)


def _probs(cell: Any, names: Sequence[str]) -> str:
    values = decode_probs([cell])[0]
    top = int(np.argmax(values))
    parts = [f"<b>{_e(_label_name(i, names))}: {v:.3f}</b>" if i == top else f"{_e(_label_name(i, names))}: {v:.3f}"
             for i, v in enumerate(values)]
    return ", ".join(parts)


def _side_by_side(before: Any, after: Any) -> str:
    """The original and the rewrite in two aligned columns, changed lines marked (no JavaScript)."""
    if not isinstance(before, str) or not isinstance(after, str):
        return "<p class=\"muted\">(code not available: the samples table carries no code)</p>"
    pairs = _aligned(before.splitlines(), after.splitlines())
    shown = _window(len(pairs), {i for i, (_, _, changed) in enumerate(pairs) if changed})
    left = _column([(pairs[i][0], pairs[i][2]) for i in shown], shown, len(pairs), "del")
    right = _column([(pairs[i][1], pairs[i][2]) for i in shown], shown, len(pairs), "add")
    return f"<div class=\"diff\"><pre>{left}</pre><pre>{right}</pre></div>"


def _aligned(left: list[str], right: list[str]) -> list[tuple[str | None, str | None, bool]]:
    """Line pairs (before, after, changed): equal runs side by side, a changed run padded to one height."""
    pairs: list[tuple[str | None, str | None, bool]] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(left[i], right[j], False) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        old, new = left[i1:i2], right[j1:j2]
        height = max(len(old), len(new))
        old += [None] * (height - len(old))
        new += [None] * (height - len(new))
        pairs += [(a, b, True) for a, b in zip(old, new)]
    return pairs


def _column(lines: list[tuple[str | None, bool]], index: list[int], total: int, css: str) -> str:
    out, last = [], -1
    for (text, changed), i in zip(lines, index):
        if i != last + 1:
            out.append("<span class=\"muted\">…</span>")
        if text is None:
            out.append(" ")
        elif changed:
            out.append(f"<span class=\"{css}\">{_e(text, MAX_CODE_LINE_CHARS, keep_tabs=True) or ' '}</span>")
        else:
            out.append(_e(text, MAX_CODE_LINE_CHARS, keep_tabs=True) or " ")
        last = i
    if index and last != total - 1:
        out.append("<span class=\"muted\">…</span>")
    return "\n".join(out)


def _window(count: int, marked: set[int], context: int = 3) -> list[int]:
    """Every line when the code is short, else the changed lines with a little context."""
    if count <= MAX_CODE_LINES or not marked:
        return list(range(min(count, MAX_CODE_LINES)))
    keep = {j for i in marked for j in range(i - context, i + context + 1) if 0 <= j < count}
    return sorted(keep)[:MAX_CODE_LINES]


def _skipped(report: Report) -> str:
    data = report.run.data
    parts = ["<h2>What was not judged, and why</h2>"]
    if data is not None and data.skip_reasons:
        parts.append(f"<p>{data.records_skipped} data records skipped:</p>" + _count_table(data.skip_reasons.items()))
    else:
        parts.append("<p>No data record was skipped.</p>")
    rows = []
    for name, row in report.relations.items():
        rows.append(f"<tr><td>{_e(name)}</td><td class=\"n\">{row.inputs}</td><td class=\"n\">"
                    f"{row.applied}</td><td class=\"n\">{row.visibility.unseen}</td>"
                    f"<td class=\"n\">{row.judged}</td><td class=\"n\">{row.not_applicable}</td></tr>")
    parts.append("<table><tr><th>relation</th><th>inputs</th><th>applied</th><th>unseen (past both windows)</th>"
                 f"<th>judged</th><th>not applied</th></tr>{''.join(rows)}</table>")
    details = [f"<details><summary>{_e(name)}: why it did not apply</summary>{_count_table(row.skip_reasons.items())}"
               "</details>" for name, row in report.relations.items() if row.skip_reasons]
    return "\n".join(parts + details)


def _count_table(items: Iterable[tuple[str, int]]) -> str:
    body = "".join(f"<tr><td>{_e(reason)}</td><td class=\"n\">{count}</td></tr>" for reason, count in items)
    return f"<table><tr><th>reason</th><th>count</th></tr>{body}</table>"


def _provenance(report: Report) -> str:
    run = report.run
    rows = [("command", run.command or ""), ("seed", _or_missing(run.seed)),
            ("device", _or_missing(run.device)), ("precision", _or_missing(run.precision)),
            ("schema", report.schema_version),
            ("intervals", report.judging.ci),
            ("thresholds", ", ".join(f"{k} = {v}" for k, v in report.thresholds.as_dict().items()))]
    for role, model in (run.models or {}).items():
        info = model.description
        rows.append((f"{role} fingerprint", _or_missing(model.fingerprint)))
        rows.append((f"{role} model", f"{info.get('format', '')}, {info.get('num_parameters', MISSING)} parameters, "
                                      f"max length {info.get('max_length', MISSING)}"))
        if outputs_source(model):
            rows.append((f"{role} outputs", outputs_source(model)))
    rows += [(f"version: {name}", version) for name, version in (run.versions or {}).items()]
    rows += [(f"time: {name}", f"{seconds} s") for name, seconds in (run.timings_s or {}).items()]
    body = "".join(f"<tr><th>{_e(k)}</th><td><code>{_e(v, MAX_COMMAND)}</code></td></tr>" for k, v in rows)
    return f"<h2>Provenance</h2>\n<details><summary>versions, fingerprints, outputs from the store, seed, command</summary><table>{body}</table></details>"
