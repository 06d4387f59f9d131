"""The attack's report.html: written by every attack, holding the budget curve (plot and table)
with report.json's figures, the student-minus-teacher gap, and data that cannot run as markup."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from audit_fixtures import build_models, write_pairs
from hostile.test_injection import HOSTILE
from metacompress.attack import run_attack
from metacompress.attack.config import ATTACK_FILES
from metacompress.attack.html import gap_points, render_attack_html
from metacompress.report.escape import HTML_LIMIT
from metacompress.report.format import interval, number
from test_attack import config, read_records

#: the tags report.html itself writes outside its SVG figures
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table", "tr", "th", "td",
             "code", "pre", "details", "summary", "ul", "li", "br", "div", "span", "figure", "figcaption", "b", "i"}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack-html")
    models = build_models(root / "models")
    pairs = write_pairs(root / "pairs.jsonl", count=6)
    out = root / "flip-both"
    run_attack(config(models, pairs, out))
    return out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def page_tags(page: str) -> list[tuple[str, list]]:
    """The page's tags outside its inline SVG figures."""
    parser = _Tags()
    parser.feed(re.sub(r"<svg.*?</svg>", "", page, flags=re.S))
    return parser.tags


def curve_table(page: str) -> dict[int, list[str]]:
    """The budget curve's table: queries -> the text of each cell after the first."""
    section = page[page.index("<h2>Budget curve</h2>"):]
    table = section[section.index("<table>"):section.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        rows[int(cells[0][0])] = [" ".join(c) for c in cells[1:]]
    return rows


@pytest.mark.slow
def test_every_attack_writes_report_html_with_the_curve_of_report_json(attacked):
    assert "report.html" in ATTACK_FILES
    page = (attacked / "report.html").read_text(encoding="utf-8")
    report = json.loads((attacked / "report.json").read_text())
    assert page.startswith("<!DOCTYPE html>") and "<h2>Budget curve</h2>" in page
    curve_section = page[page.index("<h2>Budget curve</h2>"):]
    assert curve_section.index("<svg") < curve_section.index("<table>")  # the plot, then its numbers
    table = curve_table(page)
    names = list(report["attacks"])
    assert names == ["teacher", "student"]
    budgets = [p["queries"] for p in report["attacks"]["student"]["curve"]]
    assert list(table) == budgets and budgets[-1] == report["run"]["config"]["budget"]
    for column, name in enumerate(names):
        for point in report["attacks"][name]["curve"]:
            rate = point["success_rate"]
            shown = table[point["queries"]][column]
            assert shown.startswith(number(rate["value"], "rate"))
            assert interval(rate["ci95"], "rate") in shown
            assert f"{rate['count']}/{rate['n']}" in shown
    # the last budget is the run's: its rate is the headline's success rate
    for name in names:
        assert report["attacks"][name]["curve"][-1]["success_rate"]["value"] == \
            report["attacks"][name]["metrics"]["success_rate"]["value"]


@pytest.mark.slow
def test_the_gap_column_is_student_minus_teacher_from_the_records(attacked):
    page = (attacked / "report.html").read_text(encoding="utf-8")
    report = json.loads((attacked / "report.json").read_text())
    records = read_records(attacked)
    table = curve_table(page)
    for point in report["attacks"]["student"]["curve"]:
        budget = point["queries"]

        def rate(role):
            tried = [r["attacks"][role] for r in records if r["attacks"][role]["status"] in ("success", "failed")]
            won = [a for a in tried if a["success"] and a["queries_to_success"] <= budget]
            return len(won) / len(tried)

        expected = rate("student") - rate("teacher")
        assert table[budget][2].startswith(number(expected, "rate"))
    gap = gap_points(report, records)
    assert all(p.low <= p.value + 1e-12 and p.value <= p.high + 1e-12 for p in gap if p.low is not None)
    assert "student minus teacher" in page  # the gap's panel


@pytest.mark.slow
def test_hostile_ids_names_and_code_stay_text_in_report_html(attacked):
    report = json.loads((attacked / "report.json").read_text())
    records = read_records(attacked)
    hostile = copy.deepcopy(report)
    hostile["run"]["task"] = HOSTILE[0]
    hostile["run"]["config"]["teacher"] = HOSTILE[1]
    hostile["run"]["data"]["path"] = HOSTILE[2]
    hostile["run"]["label_names"] = [HOSTILE[1], HOSTILE[0]]
    hostile["run"]["data"]["skip_reasons"] = {HOSTILE[1]: 2}
    hostile["run"]["data"]["skipped_records"] = [{"where": HOSTILE[0], "reason": HOSTILE[1]}]
    hostile["headline"]["summary"] = HOSTILE[:3]
    hostile_records = copy.deepcopy(records)
    for k, record in enumerate(hostile_records):
        record["id"] = HOSTILE[k % len(HOSTILE)] + "I" * 50_000
        for attack in record["attacks"].values():
            attack["assumptions"] = [HOSTILE[1]]
            if attack["adversarial"]:
                attack["adversarial"] = [code + "// <script>alert(1)</script>\n" + "x" * 300_000
                                         for code in attack["adversarial"]]
    page = render_attack_html(hostile, hostile_records)
    assert len(page) <= HTML_LIMIT and len(page) < 1_000_000  # the cut strings bound it, not the cap
    for tag, attributes in page_tags(page):
        assert tag in PAGE_TAGS, tag
        assert all(not name.startswith("on") and name not in ("href", "src") for name, _ in attributes)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # shown, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_report_without_search_says_so_instead_of_a_plot():
    report = {"schema": "metacompress-attack", "schema_version": "1.0",
              "run": {"task": "t", "language": "java", "label_names": ["a", "b"], "command": "x",
                      "config": {"budget": 0, "seed": 0, "assume": []},
                      "data": {"path": "d", "records_loaded": 1, "records_skipped": 0, "skip_reasons": {},
                               "skipped_records": [], "examples_attacked": 1, "inputs_with_substitutes": 0}},
              "headline": {"summary": []},
              "attacks": {"student": {"metrics": {}, "counts": {"budget 0": 1}, "curve": []}},
              "random_rewrites": {"rewrites": 0, "metrics": {}}, "gates": []}
    page = render_attack_html(report, [])
    assert "No curve: no query was spent" in page and "<svg" not in page


def test_gap_interval_resamples_inputs_in_pairs():
    """Each input is won by both models or by neither: the gap is 0 in every resample."""
    records = [{"attacks": {role: {"status": "success" if k % 2 else "failed", "queries_to_success": 3 if k % 2 else None}
                            for role in ("teacher", "student")}} for k in range(20)]
    curve = [{"queries": 2}, {"queries": 5}]
    report = {"attacks": {"teacher": {"curve": curve}, "student": {"curve": curve}},
              "run": {"config": {"seed": 1, "bootstrap": 100}}}
    points = gap_points(report, records)
    assert [p.queries for p in points] == [2, 5]
    assert all(p.value == 0 and p.low == 0 and p.high == 0 for p in points)
    records[0]["attacks"]["student"] = {"status": "success", "queries_to_success": 1}
    moved = gap_points(report, records)
    assert np.isclose(moved[0].value, 1 / 20) and moved[0].high > 0
