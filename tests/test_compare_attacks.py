"""`metacompress compare` across attack reports: the rates per budget as the reports wrote them,
a paired McNemar test recomputed here from adversarial.jsonl, and one-line refusals (exit 2) of a
mix with audits, of incomparable attacks and of malformed files."""

from __future__ import annotations

import json
import math
import re
import shutil

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from hostile.test_injection import HOSTILE_NAME
from metacompress.attack import run_attack
from metacompress.cli import cli
from metacompress.report.format import number
from test_attack import config, read_records
from test_attack_html import PAGE_TAGS, page_tags


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Attacks of the same pairs: greedy and random search (comparable), one with another budget;
    and an audit of the same pairs."""
    root = tmp_path_factory.mktemp("compare-attacks")
    models = build_models(root / "models")
    pairs = write_pairs(root / "pairs.jsonl", count=6)
    out = {}
    for name, settings in (("greedy", {}), (f"random {HOSTILE_NAME}", dict(strategy="random")),
                           ("budget-8", dict(budget=8))):
        out[name.split()[0]] = root / name
        run_attack(config(models, pairs, root / name, **settings))
    out["audit"] = root / "audit"
    result = CliRunner().invoke(cli, ["run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
                                      "--task", "clone-detection", "--data", str(pairs), "--relations",
                                      "rename-identifiers", "--bootstrap", "20", "--out", str(out["audit"]), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def invoke(*args):
    return CliRunner().invoke(cli, ["compare", *map(str, args)])


def exact_mcnemar(b: int, c: int) -> float | None:
    """Two-sided exact McNemar p-value, from the binomial distribution at 1/2."""
    if b + c == 0:
        return None
    tail = sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c)
    return min(1.0, 2 * tail)


def with_report_edited(folder, copy, edit):
    """A copy of an attack folder whose report.json ``edit`` changed in place."""
    shutil.copytree(folder, copy)
    report = json.loads((copy / "report.json").read_text())
    edit(report)
    (copy / "report.json").write_text(json.dumps(report))
    return copy


@pytest.fixture(scope="module")
def compared(folders, tmp_path_factory):
    out = tmp_path_factory.mktemp("compared") / "cmp"
    result = invoke(folders["greedy"], folders["random"], "--out", out)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_the_rates_per_budget_are_each_reports_own(folders, compared):
    out, terminal = compared
    document = json.loads((out / "compare.json").read_text())
    assert document["kind"] == "attack" and document["attacks"] == ["teacher", "student"]
    names = [r["name"] for r in document["reports"]]
    markdown = (out / "compare.md").read_text()
    for name, folder in zip(names, (folders["greedy"], folders["random"])):
        report = json.loads((folder / "report.json").read_text())
        for row in ("teacher", "student"):
            for point in report["attacks"][row]["curve"]:
                assert document["curves"][row][str(point["queries"])][name] == point["success_rate"]
            full = report["attacks"][row]["metrics"]["success_rate"]
            assert document["table"][row]["success_rate"][name] == full
            assert f"{number(full['value'], 'rate')}" in markdown
    assert document["budgets"] == [1, 2, 5, 10, 12]
    assert any("differ in strategy" in n for n in document["notes"])
    assert "Comparing 2 attacks" in terminal


@pytest.mark.slow
def test_the_paired_test_is_mcnemar_on_per_input_success(folders, compared):
    out, _ = compared
    document = json.loads((out / "compare.json").read_text())
    first, second = read_records(folders["greedy"]), read_records(folders["random"])
    tests = {t["attack"]: t for t in document["paired_tests"]}
    assert set(tests) == {"teacher", "student"}
    discordant = 0
    for row, test in tests.items():
        pairs = [(x["attacks"][row], y["attacks"][row]) for x, y in zip(first, second)
                 if {x["attacks"][row]["status"], y["attacks"][row]["status"]} <= {"success", "failed"}]
        b = sum(x["success"] and not y["success"] for x, y in pairs)
        c = sum(y["success"] and not x["success"] for x, y in pairs)
        assert (test["shared_inputs"], test["a_only"], test["b_only"]) == (len(pairs), b, c)
        expected = exact_mcnemar(b, c)
        assert test["p_value"] == pytest.approx(expected) if expected is not None else test["p_value"] is None
        discordant += b + c
    assert discordant > 0  # the two searches disagree somewhere: the test is exercised


@pytest.mark.slow
def test_compare_html_plots_every_curve_and_keeps_folder_names_as_text(compared):
    out, _ = compared
    page = (out / "compare.html").read_text()
    assert page.count("<svg") == 1 and "Budget curves" in page
    assert "Paired tests of success at the full budget" in page
    for tag, attributes in page_tags(page):
        assert tag in PAGE_TAGS, tag
        assert all(not name.startswith("on") for name, _ in attributes)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the hostile folder name, as text
    svg = re.search(r"<svg.*?</svg>", page, flags=re.S).group(0)
    assert "<img" not in svg


def one_line_exit_2(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    return result.output


@pytest.mark.slow
def test_a_mix_of_audit_and_attack_is_refused_in_one_line(folders):
    output = one_line_exit_2(invoke(folders["audit"], folders["greedy"]))
    assert f"{folders['greedy'] / 'report.json'}: a report of metacompress attack" in output
    assert str(folders["audit"] / "report.json") in output


@pytest.mark.slow
def test_attacks_with_another_budget_are_refused_naming_it(folders):
    output = one_line_exit_2(invoke(folders["greedy"], folders["budget-8"]))
    assert "different budget (8 vs 12)" in output


@pytest.mark.slow
@pytest.mark.parametrize("edit, expected", [
    (lambda r: r["attacks"]["student"]["curve"][1]["success_rate"].update(value="high"),
     "$.attacks.student.curve[1].success_rate.value: expected number or null"),
    (lambda r: r["run"].pop("config"), "$.run: missing 'config'"),
    (lambda r: r["attacks"]["student"]["metrics"]["success_rate"].update(n=float("nan")),
     "$.attacks.student.metrics.success_rate.n: nan is not a number"),
])
def test_a_malformed_attack_report_is_one_line_exit_2_naming_file_and_place(folders, tmp_path, edit, expected):
    copy = with_report_edited(folders["random"], tmp_path / "copy", edit)
    output = one_line_exit_2(invoke(folders["greedy"], copy))
    assert f"{copy / 'report.json'}: not a report of metacompress attack: {expected}" in output


@pytest.mark.slow
def test_a_malformed_adversarial_record_is_one_line_exit_2_naming_its_line(folders, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folders["random"], copy)
    lines = (copy / "adversarial.jsonl").read_text().splitlines()
    (copy / "adversarial.jsonl").write_text("\n".join(lines[:2] + ['{"id": "x"}']) + "\n")
    output = one_line_exit_2(invoke(folders["greedy"], copy))
    assert f"{copy / 'adversarial.jsonl'}:3: not an adversarial.jsonl record" in output


@pytest.mark.slow
@pytest.mark.parametrize("edit", [
    lambda r: r["attacks"]["student"]["curve"][2]["success_rate"].update(value=0.9),  # the rate alone
    lambda r: r["attacks"]["student"]["curve"][-1]["success_rate"].update(count=0, value=0.0),  # count and rate
])
def test_a_curve_that_disagrees_with_adversarial_jsonl_is_refused(folders, tmp_path, edit):
    """compare shows report.json's curves: it first checks them against the records they count."""
    copy = with_report_edited(folders["random"], tmp_path / "copy", edit)
    output = one_line_exit_2(invoke(folders["greedy"], copy))
    assert f"{copy / 'report.json'}: the student curve at " in output and "the two files disagree" in output
