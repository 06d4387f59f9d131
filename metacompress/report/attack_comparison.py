"""Views of an ``AttackComparison`` (metacompress.compare_attacks): terminal table, compare.md,
compare.html. Every figure is read from the compared reports as written."""

from __future__ import annotations

from typing import Any

from ..compare_attacks import ATTACK_MUST_MATCH, AttackComparison, AttackPairedTest
from . import plots
from .escape import MARKDOWN_LIMIT, MAX_TEXT, Section, cap_sections, clip, md_text
from .format import MISSING, interval, number

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


def _p(test: AttackPairedTest) -> str:
    if test.p_value is None:
        return MISSING
    return "<0.001" if test.p_value < 0.001 else f"{test.p_value:.3f}"


def _test_line(test: AttackPairedTest) -> str:
    return (f"{test.attack}: {test.a} alone {test.a_only}, {test.b} alone {test.b_only} of {test.shared_inputs} "
            f"inputs both searched, p = {_p(test)}")


def render_attack_comparison_terminal(comparison: AttackComparison) -> str:
    """Per attacked model: budgets down, reports across (success rate with interval)."""
    names = [r.name for r in comparison.reports]
    lines = [f"Comparing {len(names)} attacks: " + ", ".join(names)]
    lines += [f"note: {n}" for n in comparison.notes]
    for row in comparison.rows:
        table = [[str(b), *(rate_text(r.curve(row).get(b), with_counts=False) for r in comparison.reports)]
                 for b in comparison.budgets]
        table += [[m, *(rate_text(comparison.value(r, row, m), _kind(m), False) for r in comparison.reports)]
                  for m in comparison.metrics]
        header = [f"{row}: queries", *names]
        widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header))]
        lines += ["", "  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in table]
    if comparison.paired:
        lines += ["", "Paired exact McNemar tests of success at the full budget (inputs both searched):"]
        lines += [f"  {_test_line(t)}" for t in comparison.paired]
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


def render_attack_comparison_html(comparison: AttackComparison) -> str:
    from ..attack.html import no_curve_reason
    from .html import _e, page

    body = ["<h1>metacompress comparison of attacks</h1>", _reports_html(comparison),
            f"<p class=\"muted\">Comparable: the same {_e(', '.join(what for what, _ in ATTACK_MUST_MATCH), 1000)}.</p>"]
    body += [f"<p class=\"muted\">note: {_e(n, 500)}</p>" for n in comparison.notes]
    curves = _curves(comparison)
    body.append("<h2>Budget curves</h2>" + ("<p>Success rate against queries per input and model, with 95% bands; one "
                f"colour per report, dashed: attacks on the teacher.</p><figure>{plots.budget_plot(curves)}</figure>"
                if curves else f"<p class=\"muted\">{_e(no_curve_reason(comparison.reports[0].report))}</p>"))
    head = "".join(f"<th>{_e(r.name)}</th>" for r in comparison.reports)
    for row in comparison.rows:
        curve = "".join(f"<tr><td class=\"n\">{b}</td>" + "".join(
            f"<td class=\"n\">{_e(rate_text(r.curve(row).get(b)))}</td>" for r in comparison.reports) + "</tr>"
            for b in comparison.budgets)
        figures = "".join(f"<tr><td><code>{_e(m)}</code></td>" + "".join(
            f"<td class=\"n\">{_e(rate_text(comparison.value(r, row, m), _kind(m)))}</td>" for r in comparison.reports)
            + "</tr>" for m in comparison.metrics)
        body.append(f"<h2>Attacks on the {_e(row)}</h2><table><tr><th>queries</th>{head}</tr>{curve}</table>"
                    f"<table><tr><th>at the full budget</th>{head}</tr>{figures}</table>")
    if comparison.paired:
        rows = "".join(f"<tr><td>{_e(t.attack)}</td><td>{_e(t.a)} vs {_e(t.b)}</td><td class=\"n\">{t.shared_inputs}</td>"
                       f"<td class=\"n\">{t.a_only}</td><td class=\"n\">{t.b_only}</td><td class=\"n\">{_e(_p(t))}</td></tr>"
                       for t in comparison.paired)
        body.append("<h2>Paired tests of success at the full budget</h2><p>Exact McNemar test on the inputs both "
                    "attacks searched: <i>A alone</i> counts inputs A's attack won and B's did not.</p>"
                    "<table><tr><th>attacked model</th><th>A vs B</th><th>inputs</th><th>A alone</th><th>B alone</th>"
                    f"<th>p</th></tr>{rows}</table>")
    return page("metacompress comparison of attacks", "\n".join(body))


def _curves(comparison: AttackComparison) -> list[plots.Curve]:
    from ..attack.html import curve_series

    curves = []
    for report, (colour, marker) in zip(comparison.reports, plots.PALETTE[1:] + plots.PALETTE[:1]):
        for row in comparison.rows:
            points = report.report["attacks"][row].get("curve", [])
            if points:
                curve = curve_series(clip(f"{report.name}: {row}", CURVE_LABEL), points, colour, marker)
                curves.append(plots.Curve(curve.name, curve.budgets, curve.estimates, colour, marker, dashed=row == "teacher"))
    return curves


def _reports_html(comparison: AttackComparison) -> str:
    from .html import _e

    rows = "".join(f"<tr><td>{_e(r.name)}</td><td><code>{_e(r.report['run']['config'].get('student'))}</code></td>"
                   f"<td><code>{_e(r.report['run']['config'].get('teacher'))}</code></td>"
                   f"<td>{_e(r.report['run']['config'].get('strategy'))}</td>"
                   f"<td class=\"n\">{_e(r.report['run']['config'].get('seed'))}</td><td><code>{_e(r.folder, 2 * MAX_TEXT)}</code></td></tr>"
                   for r in comparison.reports)
    return ("<table><tr><th>report</th><th>student</th><th>teacher</th><th>strategy</th><th>seed</th><th>folder</th></tr>"
            f"{rows}</table>")
