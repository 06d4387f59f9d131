"""Views of an ``AttackComparison`` (metacompress.compare_attacks): terminal table, compare.md,
compare.html. Every figure is read from the compared reports as written."""

from __future__ import annotations

from typing import Any

from ..compare_attacks import ATTACK_MUST_MATCH, AttackComparison, AttackPairedTest
from . import plots
from .escape import HTML_LIMIT, MARKDOWN_LIMIT, MAX_TEXT, Section, cap_sections, clip, md_text
from .format import MISSING, interval, number
from .terminal import visible

CURVE_LABEL = 80  # characters of a report's name in the plot's legend


def _kind(metric: str) -> str:
    from ..attack.html import kind_of

    return kind_of(metric)


def rate_text(entry: dict[str, Any] | None, kind: str = "rate", with_counts: bool = True) -> str:
    if not entry or entry.get("value") is None:
        return MISSING
    text = f"{number(entry['value'], kind)} {interval(entry.get('ci95'), kind)}"
    if with_counts and entry.get("count") is not None:
        text += f" ({entry['count']}/{entry['n']})"
    return text


def gap_text(point: Any) -> str:
    """A student-minus-teacher gap (attack.html.GapPoint) as 'value [low, high]'."""
    if point is None or point.value is None:
        return MISSING
    return f"{number(point.value, 'rate')} {interval(None if point.low is None else (point.low, point.high), 'rate')}"


GAP_TEXT = ("Student minus teacher success rate at each budget (flip-both reports), with its paired 95% interval "
            "(report.json's gap_curve); above 0 the student is the easier model to fool")


def _p(test: AttackPairedTest) -> str:
    if test.p_value is None:
        return MISSING
    return "<0.001" if test.p_value < 0.001 else f"{test.p_value:.3f}"


def _test_line(test: AttackPairedTest) -> str:
    return (f"{test.attack}: {test.a} alone {test.a_only}, {test.b} alone {test.b_only} of {test.shared_inputs} "
            f"inputs both searched, p = {_p(test)}")


def render_attack_comparison_terminal(comparison: AttackComparison) -> str:
    """Per attacked model: budgets down, reports across (success rate with interval)."""
    names = [visible(r.name) for r in comparison.reports]
    lines = [f"Comparing {len(names)} attacks: " + ", ".join(names)]
    lines += [f"note: {visible(n)}" for n in comparison.notes]
    for row in comparison.rows:
        table = [[str(b), *(rate_text(r.curve(row).get(b), with_counts=False) for r in comparison.reports)]
                 for b in comparison.budgets]
        table += [[m, *(rate_text(comparison.value(r, row, m), _kind(m), False) for r in comparison.reports)]
                  for m in comparison.metrics]
        header = [f"{row}: queries", *names]
        widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header))]
        lines += ["", "  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in table]
    if comparison.gap_budgets:
        table = [[str(b), *(gap_text(r.gap.get(b)) for r in comparison.reports)] for b in comparison.gap_budgets]
        header = ["student - teacher: queries", *names]
        widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header))]
        lines += ["", "  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in table]
    if comparison.paired:
        lines += ["", "Paired exact McNemar tests of success at the full budget (inputs both searched):"]
        lines += [f"  {visible(_test_line(t))}" for t in comparison.paired]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_attack_comparison_markdown(comparison: AttackComparison) -> str:
    names = [md_text(r.name) for r in comparison.reports]
    parts = [Section("# metacompress comparison of attacks"), Section(_reports_markdown(comparison)),
             Section("Comparable: the same " + ", ".join(what for what, _ in ATTACK_MUST_MATCH) + ".")]
    if comparison.notes:
        parts.append(Section("\n".join(f"- note: {md_text(n, 500)}" for n in comparison.notes)))
    header = f"| {' | '.join(names)} |\n| --- |{' ---: |' * len(names)}"
    for rank, row in enumerate(comparison.rows):
        curve = "\n".join(f"| {b} | " + " | ".join(rate_text(r.curve(row).get(b)) for r in comparison.reports) + " |"
                          for b in comparison.budgets)
        figures = "\n".join(f"| <code>{md_text(m)}</code> | "
                            + " | ".join(md_text(rate_text(comparison.value(r, row, m), _kind(m)))
                                         for r in comparison.reports) + " |" for m in comparison.metrics)
        parts.append(Section(f"## Attacks on the {md_text(row)}\n\nSuccess rate at each budget (queries per input), "
                             f"95% interval and (count/n):\n\n| queries {header}\n{curve}\n\n"
                             f"At the full budget:\n\n| figure {header}\n{figures}", 50 - min(rank, 49),
                             f"*A table is left out: compare.md would pass {MARKDOWN_LIMIT:,} characters; see compare.json.*"))
    if comparison.gap_budgets:
        gap = "\n".join(f"| {b} | " + " | ".join(gap_text(r.gap.get(b)) for r in comparison.reports) + " |"
                        for b in comparison.gap_budgets)
        parts.append(Section(f"## The student-minus-teacher gap\n\n{GAP_TEXT}:\n\n| queries {header}\n{gap}", 55,
                             f"*The gap table is left out: compare.md would pass {MARKDOWN_LIMIT:,} characters; "
                             "see compare.json.*"))
    if comparison.paired:
        rows = "\n".join(f"| {md_text(t.attack)} | {md_text(t.a)} vs {md_text(t.b)} | {t.shared_inputs} | {t.a_only} | "
                         f"{t.b_only} | {_p(t)} |" for t in comparison.paired)
        parts.append(Section("## Paired tests of success at the full budget\n\nExact McNemar test on the inputs both "
                             "attacks searched: *A alone* counts inputs A's attack won and B's did not.\n\n"
                             "| attacked model | A vs B | inputs | A alone | B alone | p |\n"
                             f"| --- | --- | ---: | ---: | ---: | ---: |\n{rows}"))
    return cap_sections(parts, "\n\n", MARKDOWN_LIMIT, closing="\n")


def _reports_markdown(comparison: AttackComparison) -> str:
    lines = ["| report | student | teacher | strategy | seed | folder |", "| --- | --- | --- | --- | ---: | --- |"]
    for r in comparison.reports:
        config = r.report["run"]["config"]
        lines.append(f"| {md_text(r.name)} | <code>{md_text(config.get('student'))}</code> | "
                     f"<code>{md_text(config.get('teacher'))}</code> | {md_text(config.get('strategy'))} | "
                     f"{md_text(config.get('seed'))} | <code>{md_text(r.folder)}</code> |")
    return "\n".join(lines)


PLOTTED_REPORTS = len(plots.PALETTE)  # reports drawn in compare.html's plot, one colour each (the tables hold all)


def render_attack_comparison_html(comparison: AttackComparison) -> str:
    """compare.html within ``HTML_LIMIT`` characters: the paired tests give way first (each section
    for a note saying so), then the plot, the tables of each attacked model, the gap's table,
    before the list of reports and the notes would."""
    from .html import _e, page

    title = "metacompress comparison of attacks"
    note = (f"<p class=\"muted\">A section is left out here: compare.html would pass {HTML_LIMIT:,} characters; "
            "compare.json holds everything.</p>")
    sections = [Section(f"<h1>{title}</h1>"), Section(_reports_html(comparison), 95, note),
                Section(f"<p class=\"muted\">Comparable: the same "
                        f"{_e(', '.join(what for what, _ in ATTACK_MUST_MATCH), 1000)}.</p>"),
                Section("\n".join(f"<p class=\"muted\">note: {_e(n, 500)}</p>" for n in comparison.notes), 90, note),
                Section(_plot_html(comparison), 55, note)]
    head = "".join(f"<th>{_e(r.name)}</th>" for r in comparison.reports)
    for rank, row in enumerate(comparison.rows):
        curve = "".join(f"<tr><td class=\"n\">{b}</td>" + "".join(
            f"<td class=\"n\">{_e(rate_text(r.curve(row).get(b)))}</td>" for r in comparison.reports) + "</tr>"
            for b in comparison.budgets)
        figures = "".join(f"<tr><td><code>{_e(m)}</code></td>" + "".join(
            f"<td class=\"n\">{_e(rate_text(comparison.value(r, row, m), _kind(m)))}</td>" for r in comparison.reports)
            + "</tr>" for m in comparison.metrics)
        sections.append(Section(f"<h2>Attacks on the {_e(row)}</h2><table><tr><th>queries</th>{head}</tr>{curve}</table>"
                                f"<table><tr><th>at the full budget</th>{head}</tr>{figures}</table>",
                                70 - min(rank, 9), note))
    if comparison.gap_budgets:
        gap = "".join(f"<tr><td class=\"n\">{b}</td>" + "".join(
            f"<td class=\"n\">{_e(gap_text(r.gap.get(b)))}</td>" for r in comparison.reports) + "</tr>"
            for b in comparison.gap_budgets)
        sections.append(Section(f"<h2>The student-minus-teacher gap</h2><p>{_e(GAP_TEXT, 500)}.</p>"
                                f"<table><tr><th>queries</th>{head}</tr>{gap}</table>", 75, note))
    if comparison.paired:
        rows = "".join(f"<tr><td>{_e(t.attack)}</td><td>{_e(t.a)} vs {_e(t.b)}</td><td class=\"n\">{t.shared_inputs}</td>"
                       f"<td class=\"n\">{t.a_only}</td><td class=\"n\">{t.b_only}</td><td class=\"n\">{_e(_p(t))}</td></tr>"
                       for t in comparison.paired)
        sections.append(Section("<h2>Paired tests of success at the full budget</h2><p>Exact McNemar test on the inputs "
                                "both attacks searched: <i>A alone</i> counts inputs A's attack won and B's did not.</p>"
                                "<table><tr><th>attacked model</th><th>A vs B</th><th>inputs</th><th>A alone</th>"
                                f"<th>B alone</th><th>p</th></tr>{rows}</table>", 50, note))
    return page(title, cap_sections(sections, "\n", HTML_LIMIT - len(page(title, ""))))


def _plot_html(comparison: AttackComparison) -> str:
    from ..attack.html import no_curve_reason
    from .html import _e

    curves, gaps = _curves(comparison)
    if not curves:
        return f"<h2>Budget curves</h2><p class=\"muted\">{_e(no_curve_reason(comparison.reports[0].report))}</p>"
    more = (f" The plot draws the first {PLOTTED_REPORTS} reports; the tables hold every one."
            if len(comparison.reports) > PLOTTED_REPORTS else "")
    right = " Right: each report's student-minus-teacher gap." if gaps else ""
    return ("<h2>Budget curves</h2><p>Success rate against queries per input and model, with 95% bands; one colour "
            f"per report, dashed: attacks on the teacher.{right}{more}</p><figure>{plots.budget_plot(curves, gaps)}</figure>")


def _curves(comparison: AttackComparison) -> tuple[list[plots.Curve], list[plots.Curve]]:
    """The success-rate curves and the gap curves of the first ``PLOTTED_REPORTS`` reports."""
    from ..attack.html import curve_series

    curves, gaps = [], []
    colours = plots.PALETTE[1:] + plots.PALETTE[:1]
    for k, report in enumerate(comparison.reports[:PLOTTED_REPORTS]):
        colour, marker = colours[k % len(colours)]
        for row in comparison.rows:
            points = report.report["attacks"][row].get("curve", [])
            if points:
                curve = curve_series(clip(f"{report.name}: {row}", CURVE_LABEL), points, colour, marker)
                curves.append(plots.Curve(curve.name, curve.budgets, curve.estimates, colour, marker, dashed=row == "teacher"))
        gap = [report.gap[b] for b in sorted(report.gap)]
        if gap:
            gaps.append(plots.Curve(clip(f"{report.name}: student - teacher", CURVE_LABEL), [p.queries for p in gap],
                                    [plots.Estimate(p.value, p.low, p.high) for p in gap], colour, marker))
    return curves, gaps


def _reports_html(comparison: AttackComparison) -> str:
    from .html import _e

    rows = "".join(f"<tr><td>{_e(r.name)}</td><td><code>{_e(r.report['run']['config'].get('student'))}</code></td>"
                   f"<td><code>{_e(r.report['run']['config'].get('teacher'))}</code></td>"
                   f"<td>{_e(r.report['run']['config'].get('strategy'))}</td>"
                   f"<td class=\"n\">{_e(r.report['run']['config'].get('seed'))}</td><td><code>{_e(r.folder, 2 * MAX_TEXT)}</code></td></tr>"
                   for r in comparison.reports)
    return ("<table><tr><th>report</th><th>student</th><th>teacher</th><th>strategy</th><th>seed</th><th>folder</th></tr>"
            f"{rows}</table>")
