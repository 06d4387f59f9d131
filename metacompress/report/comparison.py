"""Views of a ``Comparison`` (metacompress.compare): a terminal table, compare.md, compare.html.

Every figure is read from the compared reports as they were written; nothing is re-judged.
"""

from __future__ import annotations

from typing import Any

from ..compare import Comparison
from ..metrics import Metric
from ..metrics.mcnemar import POOLED_NOTE
from . import plots
from .escape import HTML_LIMIT, MARKDOWN_LIMIT, MAX_TEXT, Section, cap_sections, clip, md_text
from .format import MISSING, counts, interval, number
from .html import _e, estimate, page
from .terminal import visible

ALL = "all relations"
#: audits (one colour each) and relations drawn in compare.html's plot; the tables hold every one
PLOTTED_AUDITS, PLOTTED_RELATIONS = len(plots.PALETTE), 20


def _kind(comparison: Comparison, metric: str) -> str:
    return comparison.audits[0].report.get("metric_definitions", {}).get(metric, {}).get("kind", "value")


def _cell(comparison: Comparison, entry: dict[str, Any] | None, metric: str, with_counts: bool = True) -> str:
    if not entry or entry.get("value") is None:
        return MISSING
    kind = _kind(comparison, metric)
    text = f"{number(entry.get('value'), kind)} {interval(entry.get('ci95'), kind)}"
    return f"{text} ({counts(Metric.from_dict(entry))})" if with_counts else text


def _metric(entry: dict[str, Any] | None) -> Metric | None:
    """A metric entry of a report read back as written (compare keeps report.json documents)."""
    return Metric.from_dict(entry) if entry else None


def _p(value: float | None) -> str:
    if value is None:
        return MISSING
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def render_comparison_terminal(comparison: Comparison) -> str:
    """One block per metric: relations down, audits across (values with intervals)."""
    if getattr(comparison, "kind", "audit") == "attack":
        from .attack_comparison import render_attack_comparison_terminal

        return render_attack_comparison_terminal(comparison)
    names = [visible(a.name) for a in comparison.audits]
    lines = [f"Comparing {len(comparison.audits)} audits: " + ", ".join(names)]
    lines += [f"note: {visible(n)}" for n in comparison.notes]
    for metric in comparison.metrics:
        rows = [[visible(relation), *(_cell(comparison, comparison.value(a, relation, metric), metric, False)
                             for a in comparison.audits)] for relation in [*comparison.relations, ALL]]
        header = [metric, *names]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        lines += ["", "  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    if comparison.paired:
        lines += ["", "Paired McNemar tests of student-only flips (rows both audits judged, same rewrite):"]
        lines += [visible(f"  {t.relation}: {t.a} alone {t.a_only}, {t.b} alone {t.b_only} of {t.shared_rows} shared rows, "
                          f"p = {_test_p(t)}{_excluded(t.excluded)}") for t in comparison.paired]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _excluded(excluded: dict[str, int]) -> str:
    return "" if not excluded else " (not paired: " + "; ".join(f"{n} {why}" for why, n in excluded.items()) + ")"


def render_comparison_markdown(comparison: Comparison) -> str:
    """compare.md: every string from the reports through ``md_text``, within ``MARKDOWN_LIMIT``
    characters (metric tables give way from the last when it would be longer)."""
    if getattr(comparison, "kind", "audit") == "attack":
        from .attack_comparison import render_attack_comparison_markdown

        return render_attack_comparison_markdown(comparison)
    names = [md_text(a.name) for a in comparison.audits]
    parts = [Section("# metacompress comparison"), Section(_audits_markdown(comparison))]
    if comparison.notes:
        parts.append(Section("\n".join(f"- note: {md_text(n, 500)}" for n in comparison.notes)))
    tables = []
    for metric in comparison.metrics:
        header = f"| relation | {' | '.join(names)} |\n| --- |{' ---: |' * len(names)}"
        body = "\n".join(
            f"| {'**' + relation + '**' if relation == ALL else md_text(relation)} | "
            + " | ".join(_cell(comparison, comparison.value(a, relation, metric), metric) for a in comparison.audits)
            + " |" for relation in [*comparison.relations, ALL])
        tables.append(f"## <code>{md_text(metric)}</code>\n\n{header}\n{body}")
    note = f"*A metric table is left out: compare.md would pass {MARKDOWN_LIMIT:,} characters; see compare.json.*"
    parts += [Section(table, 50 - min(rank, 49), note) for rank, table in enumerate(tables)]
    if comparison.paired:
        rows = "\n".join(f"| {md_text(t.relation)} | {md_text(t.a)} vs {md_text(t.b)} | {t.shared_rows} | {t.a_only} | {t.b_only} | {_test_p(t)} |"
                         for t in comparison.paired)
        parts.append(Section("## Paired tests of student-only flips\n\nExact McNemar test on the rows both audits judged with "
                     "the same rewrite: *A alone* counts rows where A's student flips alone and B's does not. "
                     f"The pooled row: {POOLED_NOTE}.\n\n| relation | A vs B | shared rows | A alone | B alone | p |\n"
                     f"| --- | --- | ---: | ---: | ---: | ---: |\n{rows}"))
    return cap_sections(parts, "\n\n", MARKDOWN_LIMIT, closing="\n")


def _audits_markdown(comparison: Comparison) -> str:
    lines = ["| audit | student | teacher | seed | folder |", "| --- | --- | --- | ---: | --- |"]
    for audit in comparison.audits:
        run = audit.report["run"]
        models = run.get("models", {})
        lines.append(f"| {md_text(audit.name)} | <code>{md_text(models.get('student', {}).get('source', MISSING))}</code> | "
                     f"<code>{md_text(models.get('teacher', {}).get('source', MISSING))}</code> | "
                     f"{md_text(run.get('seed', MISSING))} | <code>{md_text(audit.folder)}</code> |")
    return "\n".join(lines)


def render_comparison_html(comparison: Comparison) -> str:
    """compare.html within ``HTML_LIMIT`` characters, every string from the reports escaped and
    clipped: the paired tests give way first (each section for a note saying so), then the plot,
    then the metric tables from the last, before the list of audits would."""
    if getattr(comparison, "kind", "audit") == "attack":
        from .attack_comparison import render_attack_comparison_html

        return render_attack_comparison_html(comparison)
    title = "metacompress comparison"
    note = (f"<p class=\"muted\">A section is left out here: compare.html would pass {HTML_LIMIT:,} characters; "
            "compare.json holds everything.</p>")
    labels = [*comparison.relations, ALL]
    sections = [Section(f"<h1>{title}</h1>"), Section(_audits_html(comparison), 95, note),
                Section("\n".join(f"<p class=\"muted\">note: {_e(n, 500)}</p>" for n in comparison.notes), 90, note)]
    focus = "student_only_flip_rate" if "student_only_flip_rate" in comparison.metrics else comparison.metrics[0]
    colours = plots.PALETTE[1:] + plots.PALETTE[:1]
    plotted = [*comparison.relations[:PLOTTED_RELATIONS], ALL]
    series = [plots.Series(clip(a.name, 80), [estimate(_metric(comparison.value(a, r, focus))) for r in plotted],
                           *colours[k % len(colours)]) for k, a in enumerate(comparison.audits[:PLOTTED_AUDITS])]
    more = (f"<p class=\"muted\">The plot draws at most {PLOTTED_AUDITS} audits and {PLOTTED_RELATIONS} relations; "
            "the tables hold every one.</p>"
            if len(comparison.audits) > PLOTTED_AUDITS or len(comparison.relations) > PLOTTED_RELATIONS else "")
    sections.append(Section(f"<h2>At a glance: <code>{_e(focus)}</code> per relation</h2>{more}"
                            f"<figure>{plots.forest_plot([clip(r, 80) for r in plotted], series, clip(focus, 80) + ', 95% interval')}"
                            "</figure>", 45, note))
    head = "".join(f"<th>{_e(a.name)}</th>" for a in comparison.audits)
    for rank, metric in enumerate(comparison.metrics):
        rows = "".join(
            f"<tr><td>{_e(relation)}</td>" + "".join(
                f"<td class=\"n\">{_e(_cell(comparison, comparison.value(a, relation, metric), metric))}</td>"
                for a in comparison.audits) + "</tr>" for relation in labels)
        sections.append(Section(f"<h2><code>{_e(metric)}</code></h2><table><tr><th>relation</th>{head}</tr>{rows}</table>",
                                80 - min(rank, 29), note))
    if comparison.paired:
        rows = "".join(f"<tr><td>{_e(t.relation)}</td><td>{_e(t.a)} vs {_e(t.b)}</td><td class=\"n\">{t.shared_rows}</td>"
                       f"<td class=\"n\">{t.a_only}</td><td class=\"n\">{t.b_only}</td><td class=\"n\">{_test_p(t)}</td></tr>"
                       for t in comparison.paired)
        sections.append(Section("<h2>Paired tests of student-only flips</h2><p>Exact McNemar test on rows both audits "
                                f"judged with the same rewrite. The pooled row: {_e(POOLED_NOTE, 1000)}.</p><table><tr>"
                                "<th>relation</th><th>A vs B</th><th>shared rows</th><th>A alone</th><th>B alone</th>"
                                f"<th>p</th></tr>{rows}</table>", 40, note))
    return page(title, cap_sections(sections, "\n", HTML_LIMIT - len(page(title, ""))))


def _audits_html(comparison: Comparison) -> str:
    rows = "".join(
        f"<tr><td>{_e(a.name)}</td><td><code>{_e(a.report['run'].get('models', {}).get('student', {}).get('source', ''))}"
        f"</code></td><td><code>{_e(a.report['run'].get('models', {}).get('teacher', {}).get('source', ''))}</code></td>"
        f"<td class=\"n\">{_e(a.report['run'].get('seed', ''))}</td><td><code>{_e(a.folder, 2 * MAX_TEXT)}</code></td></tr>"
        for a in comparison.audits)
    return f"<table><tr><th>audit</th><th>student</th><th>teacher</th><th>seed</th><th>folder</th></tr>{rows}</table>"


def _test_p(test) -> str:
    """The p-value, marked where it is the clustered test (several rows of one original)."""
    return _p(test.p_value) + (" (clustered)" if test.method == "clustered" else "")
