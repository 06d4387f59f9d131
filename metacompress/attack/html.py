"""The attack's report.html: run's page shell and style (``report.html``) around an attack's figures.

Rendered from report.json's document and the adversarial records (adversarial.jsonl's lines):
the headline with intervals and counts, the budget curve (success rate against queries, and
where both models were attacked the student-minus-teacher gap at each budget), the inputs by
status, the share of successes resting on assumptions, the edit size of the successes, and the
adversarial examples as diffs.
Every string from the data is escaped and clipped, and the page stays under ``HTML_LIMIT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..metrics.core import ATTACK, ATTACK_HEADLINE, METRICS
from ..report import plots
from ..report.escape import HTML_LIMIT, MAX_TEXT, Section, cap_sections
from ..report.format import MISSING, interval, number
from ..report.html import MAX_COMMAND, OPEN_CASES, _count_table, _e, _side_by_side, page
from .figures import ADVERSARIAL, GAP_CURVE, RELATION_METRICS, edit_size_table
from .outcome import ATTACKED, SUCCESS
from .render import _shown

EXAMPLES_PER_ATTACK = 10  # adversarial examples shown per attack (successes first)
GAP_RESAMPLES = 1000  # paired resamples of the inputs behind the gap's interval
ROLE_STYLE = {"teacher": (plots.TEACHER, "o"), "student": (plots.STUDENT, "s")}


def render_attack_html(doc: dict[str, Any], records: Sequence[dict[str, Any]] | None = None) -> str:
    """The whole page as one string, within ``HTML_LIMIT`` characters."""
    title = f"metacompress attack: {doc['run']['task']}"
    note = (f"<p class=\"muted\">A section is left out here: report.html would pass {HTML_LIMIT:,} characters; "
            "report.json and adversarial.jsonl hold everything.</p>")
    records = list(records or [])
    sections = [
        Section(_header(doc)),
        Section(_gates(doc)),
        Section(_attacks(doc), 90),
        Section(_curve(doc, records), 85, note),
        Section(_inputs(doc), 70, note),
        Section(_assumptions(doc, records), 60, note),
        Section(_edit_size(doc), 55, note),
        Section(_relations(doc), 50, note),
        Section(_examples(doc, records), 10, note),
        Section(_provenance(doc), 40, note),
    ]
    return page(title, cap_sections(sections, "\n", HTML_LIMIT - len(page(title, ""))))


def write_attack_html(folder: Path, document: Any) -> list[Path]:
    path = folder / "report.html"
    path.write_text(render_attack_html(document.report.data, document.rows), encoding="utf-8")
    return [path]


def kind_of(metric: str) -> str:
    """"rate" or "value": how a figure of an attack's rows or headline is shown."""
    for scope in (ATTACK, ATTACK_HEADLINE):
        spec = METRICS.registered(metric, scope)
        if spec is not None:
            return spec.kind
    return "value"


def cell(entry: dict[str, Any] | None, kind: str) -> str:
    """A figure's table cell: value, its interval and its count (or why it has no value)."""
    if entry is None:
        return f"<td class=\"n\">{MISSING}</td>"
    if entry.get("value") is None:
        why = entry.get("null_reason") or ""
        return f"<td class=\"n\">{MISSING}<br><span class=\"muted\">{_e(why)}</span></td>"
    count = f"{entry['count']}/{entry['n']}" if entry.get("count") is not None else f"n={entry.get('n')}"
    return (f"<td class=\"n\">{_e(number(entry['value'], kind))} <span class=\"ci\">"
            f"{_e(interval(entry.get('ci95'), kind))}</span><br><span class=\"muted\">{_e(count)}</span></td>")


def _header(doc: dict[str, Any]) -> str:
    run, config = doc["run"], doc["run"]["config"]
    data = run["data"]
    facts = [("objective", config.get("objective")), ("recipe", config.get("recipe", "default")),
             ("strategy", config.get("strategy")),
             ("budget", f"{config.get('budget')} queries per input and model"),
             ("success against", config.get("success_against")),
             ("teacher", config.get("teacher")), ("student", config.get("student")),
             ("task", f"{run['task']} ({run['language']})"),
             ("data", f"{data['path']}: {data['examples_attacked']} inputs attacked of {data['records_loaded']} loaded "
                      f"({data['inputs_with_substitutes']} with precomputed substitutes)"),
             ("seed", config.get("seed"))]
    items = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v, 2 * MAX_TEXT)}</td></tr>" for k, v in facts)
    summary = "".join(f"<li>{_e(s, 500)}</li>" for s in doc["headline"]["summary"])
    figures = [(m, e) for m, e in doc["headline"].items() if m != "summary" and isinstance(e, dict)]
    head = "".join(f"<tr><td><code>{_e(m)}</code></td>{cell(e, kind_of(m))}</tr>" for m, e in figures)
    table = f"<table><tr><th>headline</th><th>value [95%] (count/n)</th></tr>{head}</table>" if figures else ""
    return f"<h1>metacompress attack report</h1>\n<table>{items}</table>\n<ul>{summary}</ul>\n{table}"


def _gates(doc: dict[str, Any]) -> str:
    gates = doc["gates"]
    if not gates:
        return '<div class="banner none">No gate was set (--fail-on): this report passes or fails nothing.</div>'
    breached = [g for g in gates if g["status"] == "breached"]
    banner = ('<div class="banner fail">Gate breached: ' + _e(", ".join(g["condition"] for g in breached), 2000)
              + "</div>" if breached else '<div class="banner pass">Every gate held.</div>')
    rows = "".join(f"<tr><td><code>{_e(g['condition'])}</code></td><td>{_e(g['relation'])}</td>"
                   f"<td class=\"n\">{_e(_gate_value(g['value']))}</td>"
                   f"<td class=\"{'breached' if g['status'] == 'breached' else 'held'}\">{_e(g['status'])}</td></tr>"
                   for g in gates)
    return f"{banner}\n<table><tr><th>condition</th><th>row</th><th>value</th><th>status</th></tr>{rows}</table>"


def _gate_value(value: float | None) -> str:
    return MISSING if value is None else f"{value:.4g}"


def _attacks(doc: dict[str, Any]) -> str:
    attacks = doc["attacks"]
    names = list(attacks)
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(f"<tr><td><code>{_e(m)}</code></td>"
                   + "".join(cell(attacks[a]["metrics"].get(m), kind_of(m)) for a in names) + "</tr>"
                   for m in _shown(attacks))
    return ("<h2>Attacks</h2>\n<p>Values with 95% intervals (inputs resampled) and (count/n).</p>\n"
            f"<table><tr><th>figure</th>{head}</tr>{rows}</table>")


@dataclass(frozen=True)
class GapPoint:
    """Student minus teacher success rate at one budget, with a paired 95% interval (or None)."""

    queries: int
    value: float | None
    low: float | None = None
    high: float | None = None


def _curve(doc: dict[str, Any], records: list[dict[str, Any]]) -> str:
    attacks = {name: a["curve"] for name, a in doc["attacks"].items() if a.get("curve")}
    if not attacks:
        return f"<h2>Budget curve</h2>\n<p class=\"muted\">{_e(no_curve_reason(doc))}</p>"
    curves = [curve_series(name, points, *ROLE_STYLE.get(name, plots.PALETTE[3 + k % 5]))
              for k, (name, points) in enumerate(attacks.items())]
    gap = gap_points(doc, records)
    gap_curves = [plots.Curve("student - teacher", [p.queries for p in gap],
                              [plots.Estimate(p.value, p.low, p.high) for p in gap], plots.STUDENT_ONLY, "D")] if gap else []
    figure = plots.budget_plot(curves, gap_curves)
    text = ("<p>Success rate had the budget been each number of queries per input and model: an input counts at "
            "budget <i>b</i> when the search's first success came within <i>b</i> queries. Bands: 95% intervals, "
            "inputs resampled.")
    if gap:
        text += (" Right: the student's rate minus the teacher's at each budget (paired: the same inputs "
                 "resampled for both; report.json: <code>gap_curve</code>); above 0 the student is the easier "
                 "model to fool.")
    return (f"<h2>Budget curve</h2>\n{text}</p>\n<figure>{figure}<figcaption>Success rate against queries "
            f"(log scale); report.json: <code>attacks.&lt;row&gt;.curve</code>.</figcaption></figure>\n"
            + curve_table(attacks, gap))


def no_curve_reason(doc: dict[str, Any]) -> str:
    if doc["run"]["config"].get("budget") == 0:
        return "No curve: no query was spent (--budget 0)."
    return "No curve: this report.json predates budget curves (no attacks.<row>.curve)."


def curve_series(name: str, points: list[dict[str, Any]], colour: str, marker: str) -> plots.Curve:
    estimates = []
    for point in points:
        rate = point["success_rate"]
        low, high = rate.get("ci95") or (None, None)
        estimates.append(plots.Estimate(rate.get("value"), low, high))
    return plots.Curve(name, [p["queries"] for p in points], estimates, colour, marker)


def curve_table(attacks: dict[str, list[dict[str, Any]]], gap: list[GapPoint]) -> str:
    """Budgets down; per attack the rate [low, high] (count/n); the gap last where there is one."""
    budgets = sorted({p["queries"] for points in attacks.values() for p in points})
    at = {name: {p["queries"]: p["success_rate"] for p in points} for name, points in attacks.items()}
    gaps = {p.queries: p for p in gap}
    head = "".join(f"<th>{_e(n)}</th>" for n in attacks) + ("<th>student - teacher</th>" if gap else "")
    rows = []
    for budget in budgets:
        cells = "".join(cell(at[name].get(budget), "rate") for name in attacks)
        if gap:
            cells += _gap_cell(gaps.get(budget))
        rows.append(f"<tr><td class=\"n\">{budget}</td>{cells}</tr>")
    return f"<table><tr><th>queries</th>{head}</tr>{''.join(rows)}</table>"


def _gap_cell(point: GapPoint | None) -> str:
    if point is None or point.value is None:
        return f"<td class=\"n\">{MISSING}</td>"
    ci = (point.low, point.high) if point.low is not None else None
    return (f"<td class=\"n\">{_e(number(point.value, 'rate'))} <span class=\"ci\">{_e(interval(ci, 'rate'))}</span>"
            "<br><span class=\"muted\">paired</span></td>")


def gap_points(doc: dict[str, Any], records: list[dict[str, Any]]) -> list[GapPoint]:
    """Student minus teacher success rate at each budget of both curves: report.json's
    ``gap_curve`` as written, or for a report from before it, recomputed from the records."""
    if GAP_CURVE in doc:
        return [_written_gap(p) for p in doc[GAP_CURVE]]
    return recomputed_gap(doc, records)


def _written_gap(point: dict[str, Any]) -> GapPoint:
    gap = point["student_minus_teacher"]
    low, high = gap.get("ci95") or (None, None)
    return GapPoint(point["queries"], gap.get("value"), low, high)


def recomputed_gap(doc: dict[str, Any], records: list[dict[str, Any]]) -> list[GapPoint]:
    """The gap of a report.json without ``gap_curve``, from the per-input records; the interval
    resamples inputs (paired: the same draw for both models), percentiles of the resamples."""
    attacks = doc["attacks"]
    if not {"teacher", "student"} <= set(attacks) or not records:
        return []
    budgets = [p["queries"] for p in attacks["student"]["curve"]
               if p["queries"] in {q["queries"] for q in attacks["teacher"]["curve"]}]
    config = doc["run"]["config"]
    rng = np.random.default_rng(config.get("seed") or 0)
    resamples = GAP_RESAMPLES if config.get("bootstrap", 1) else 0
    draws = rng.integers(0, len(records), size=(resamples, len(records))) if resamples and len(records) > 1 else None
    return [_gap_at(records, budget, draws) for budget in budgets]


def _won_and_tried(records: list[dict[str, Any]], role: str, budget: int) -> tuple[np.ndarray, np.ndarray]:
    attacks = [r["attacks"].get(role, {}) for r in records]
    tried = np.array([a.get("status") in ATTACKED for a in attacks], dtype=float)
    won = np.array([a.get("status") == SUCCESS and a.get("queries_to_success") is not None
                    and a["queries_to_success"] <= budget for a in attacks], dtype=float)
    return won, tried


def _gap_at(records: list[dict[str, Any]], budget: int, draws: np.ndarray | None) -> GapPoint:
    won_s, tried_s = _won_and_tried(records, "student", budget)
    won_t, tried_t = _won_and_tried(records, "teacher", budget)
    if not tried_s.sum() or not tried_t.sum():
        return GapPoint(budget, None)
    value = float(won_s.sum() / tried_s.sum() - won_t.sum() / tried_t.sum())
    if draws is None:
        return GapPoint(budget, value)
    with np.errstate(invalid="ignore", divide="ignore"):
        sampled = won_s[draws].sum(1) / tried_s[draws].sum(1) - won_t[draws].sum(1) / tried_t[draws].sum(1)
    sampled = sampled[np.isfinite(sampled)]
    if not len(sampled):
        return GapPoint(budget, value)
    low, high = np.percentile(sampled, [2.5, 97.5])
    return GapPoint(budget, value, float(low), float(high))


def _inputs(doc: dict[str, Any]) -> str:
    attacks = doc["attacks"]
    names = list(attacks)
    totals = ("queries", "violations")
    statuses = sorted({s for a in names for s in attacks[a]["counts"]} - set(totals))
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(f"<tr><td>{_e(s)}</td>" + "".join(f"<td class=\"n\">{attacks[a]['counts'].get(s, 0)}</td>"
                                                     for a in names) + "</tr>" for s in statuses)
    spent = "".join(f"<tr><td>{_e(t)}</td>" + "".join(f"<td class=\"n\">{_e(attacks[a]['counts'].get(t, ''))}</td>"
                                                      for a in names) + "</tr>"
                    for t in totals if any(t in attacks[a]["counts"] for a in names))
    data = doc["run"]["data"]
    skipped = (f"<p>{data['records_skipped']} data records skipped (not attacked):</p>"
               + _count_table(data["skip_reasons"].items()) if data["skip_reasons"] else "<p>No data record was skipped.</p>")
    where = [s["where"] for s in data.get("skipped_records", [])][:10]
    listed = f"<p class=\"muted\">First ones: {_e(', '.join(where), 2000)}</p>" if where else ""
    return ("<h2>Inputs: attacked, skipped and why</h2>\n<p>Only <i>success</i> and <i>failed</i> inputs were "
            "searched; the other statuses say why an input was not (nothing to rename, already wrong, ...).</p>\n"
            f"<table><tr><th>inputs by status</th>{head}</tr>{rows}</table>\n"
            f"<table><tr><th>total</th>{head}</tr>{spent}</table>\n{skipped}{listed}")


def _assumptions(doc: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """Successes whose rewrite rests on an assumption (--assume), and which ones."""
    attacks = doc["attacks"]
    names = list(attacks)
    shares = []
    for name in names:
        metrics = attacks[name]["metrics"]
        shares.append((metrics.get("success_rate"), metrics.get("success_rate_without_assumptions")))
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = ("<tr><td>success_rate</td>" + "".join(cell(s, "rate") for s, _ in shares) + "</tr>"
            "<tr><td>success_rate_without_assumptions</td>" + "".join(cell(w, "rate") for _, w in shares) + "</tr>")
    tally: dict[str, dict[str, int]] = {}
    for record in records:
        for name, attack in record.get("attacks", {}).items():
            if attack.get("status") == SUCCESS:
                for assumption in attack.get("assumptions") or []:
                    tally.setdefault(assumption, {}).setdefault(name, 0)
                    tally[assumption][name] += 1
    named = "".join(f"<tr><td><code>{_e(a)}</code></td>" + "".join(f"<td class=\"n\">{per.get(n, 0)}</td>" for n in names)
                    + "</tr>" for a, per in sorted(tally.items()))
    assumed = ", ".join(doc["run"]["config"].get("assume") or []) or "none"
    return ("<h2>Assumptions</h2>\n<p>A rewrite that renames a variable the analysis cannot prove safe to rename "
            f"rests on an assumption (allowed: {_e(assumed, 500)}). The second row counts only the proven "
            "successes.</p>\n"
            f"<table><tr><th>figure</th>{head}</tr>{rows}</table>\n"
            + (f"<table><tr><th>successes resting on</th>{head}</tr>{named}</table>" if named else ""))


def _edit_size(doc: dict[str, Any]) -> str:
    """Each attack's edit size over its successes (report.json's ``attacks.<row>.edit_size``)."""
    header, rows = edit_size_table(doc["attacks"])
    if not rows:
        return ("<h2>Edit size of the successes</h2>\n<p class=\"muted\">Not recorded: this report.json predates "
                "edit-size distributions (no attacks.&lt;row&gt;.edit_size).</p>")
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row[:2])
                   + "".join(f"<td class=\"n\">{_e(c)}</td>" for c in row[2:]) + "</tr>" for row in rows)
    return ("<h2>Edit size of the successes</h2>\n<p>Per attack, over its successful inputs: variables the best "
            "rewrite renames, tokens that differ from the original, and CodeBLEU against the original (1: "
            "identical); quartiles by linear interpolation. report.json: <code>attacks.&lt;row&gt;.edit_size</code>.</p>\n"
            f"<table><tr>{head}</tr>{body}</table>")


def _relations(doc: dict[str, Any]) -> str:
    attacks = doc["attacks"]
    names = list(attacks)
    random = doc["random_rewrites"]
    head = "".join(f"<th>adversarial ({_e(n)})</th>" for n in names)
    rows = "".join(f"<tr><td><code>{_e(m)}</code></td>"
                   + "".join(cell(attacks[a]["metrics"].get(ADVERSARIAL + m), kind_of(ADVERSARIAL + m)) for a in names)
                   + cell(random["metrics"].get(m), kind_of(ADVERSARIAL + m)) + "</tr>"
                   for m in RELATION_METRICS if m in random["metrics"])
    return ("<h2>Teacher-student relations: adversarial inputs vs random rewrites</h2>\n"
            f"<p>Random rewrites: every relation once per input with the run's seed ({random['rewrites']} rewrites).</p>\n"
            f"<table><tr><th>relation</th>{head}<th>random rewrites</th></tr>{rows}</table>")


def _examples(doc: dict[str, Any], records: list[dict[str, Any]]) -> str:
    if not records:
        return ""
    names = doc["run"]["label_names"]
    parts = ["<h2>Adversarial examples</h2>\n<p>Per attack, the first inputs with a rewrite found (successes first), "
             f"at most {EXAMPLES_PER_ATTACK}; adversarial.jsonl holds every one.</p>"]
    for attack in doc["attacks"]:
        found = [r for r in records if (r.get("attacks", {}).get(attack) or {}).get("adversarial")]
        found.sort(key=lambda r: r["attacks"][attack]["status"] != SUCCESS)
        if not found:
            parts.append(f"<h3>{_e(attack)}</h3><p class=\"muted\">No rewrite found.</p>")
            continue
        parts.append(f"<h3>{_e(attack)}</h3>")
        parts += [_example(r, attack, names, k < OPEN_CASES) for k, r in enumerate(found[:EXAMPLES_PER_ATTACK])]
    return "\n".join(parts)


def _example(record: dict[str, Any], attack: str, names: Sequence[str], opened: bool) -> str:
    result = record["attacks"][attack]
    steps = result.get("queries_to_success")
    summary = (f"{_e(record.get('id'))}: {_e(result.get('status'))}"
               + (f" after {steps} queries" if steps is not None else f", {result.get('queries')} queries")
               + f", {result.get('identifiers_renamed')} identifiers renamed, {result.get('tokens_changed')} tokens changed")
    probabilities = "".join(
        f"<tr><td>{model}</td><td>{_probs(record.get(f'{model}_probs'), names)}</td>"
        f"<td>{_probs(result.get(f'{model}_probs'), names)}</td></tr>" for model in ("teacher", "student"))
    assumptions = result.get("assumptions") or []
    rests = f"<p class=\"muted\">rests on: {_e(', '.join(assumptions))}</p>" if assumptions else ""
    sides = zip(record.get("original") or [], result.get("adversarial") or [])
    diffs = "".join(_side_by_side(before, after) for before, after in sides)
    return (f"<details{' open' if opened else ''}><summary>{summary}</summary>\n<table><tr><th>model</th>"
            f"<th>P on x</th><th>P on x'</th></tr>{probabilities}</table>{rests}\n{diffs}</details>")


def _probs(values: Any, names: Sequence[str]) -> str:
    if not isinstance(values, list) or not values:
        return MISSING
    top = int(np.argmax(values))
    parts = []
    for index, value in enumerate(values):
        label = f"{names[index]} ({index})" if index < len(names) else str(index)
        text = f"{_e(label)}: {float(value):.3f}"
        parts.append(f"<b>{text}</b>" if index == top else text)
    return ", ".join(parts)


def _provenance(doc: dict[str, Any]) -> str:
    run = doc["run"]
    rows = [("command", run.get("command") or ""), ("schema", f"{doc['schema']} {doc['schema_version']}")]
    for role, model in run.get("models", {}).items():
        rows.append((f"{role} fingerprint", model.get("fingerprint") or MISSING))
        rows.append((f"{role} outputs", f"{model.get('outputs_from_store')} from the store, "
                                        f"{model.get('outputs_computed')} computed"))
    rows += [(f"version: {name}", version) for name, version in (run.get("versions") or {}).items()]
    rows += [(f"time: {name}", f"{seconds} s") for name, seconds in (run.get("timings_s") or {}).items()]
    rows += [(f"model calls: {name}", calls) for name, calls in (run.get("model_calls") or {}).items()]
    body = "".join(f"<tr><th>{_e(k)}</th><td><code>{_e(v, MAX_COMMAND)}</code></td></tr>" for k, v in rows)
    return ("<h2>Provenance</h2>\n<details><summary>versions, fingerprints, seed, command</summary>"
            f"<table>{body}</table></details>")
