"""The student-minus-teacher gap at every budget: computed once by the attack into report.json's
``gap_curve`` (paired interval), read back by report.html and ``compare``, recomputed here from
adversarial.jsonl; and older reports without it still shown."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import numpy as np
import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.attack import run_attack
from metacompress.attack.figures import gap_curve
from metacompress.attack.html import gap_points, render_attack_html
from metacompress.report import schema_errors
from metacompress.report.format import number
from test_attack import config, read_records
from test_attack_html import curve_table


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack-gap")
    models = build_models(root / "models")
    pairs = write_pairs(root / "pairs.jsonl", count=6)
    out = {}
    for name, settings in (("greedy", {}), ("random", dict(strategy="random")),
                           ("student-only", dict(objective="flip-student"))):
        out[name] = root / name
        run_attack(config(models, pairs, out[name], **settings))
    return out


def read(folder):
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


def rate(records, role: str, budget: int) -> float:
    tried = [r["attacks"][role] for r in records if r["attacks"][role]["status"] in ("success", "failed")]
    won = [a for a in tried if a["success"] and a["queries_to_success"] <= budget]
    return len(won) / len(tried)


@pytest.mark.slow
def test_report_json_holds_the_gap_at_every_budget_as_recomputed_from_the_records(attacks):
    report, records = read(attacks["greedy"]), read_records(attacks["greedy"])
    assert schema_errors(report, "attack") == []
    gap = report["gap_curve"]
    assert [p["queries"] for p in gap] == [p["queries"] for p in report["attacks"]["student"]["curve"]]
    for point in gap:
        entry = point["student_minus_teacher"]
        expected = rate(records, "student", point["queries"]) - rate(records, "teacher", point["queries"])
        assert entry["value"] == pytest.approx(expected, abs=1e-12)
        assert entry["n"] == len(records) and entry["count"] is None
        if entry["ci95"] is not None:
            low, high = entry["ci95"]
            assert -1 <= low <= high <= 1
        else:
            assert entry["ci_note"]  # why there is no interval
    assert "gap_curve" not in read(attacks["student-only"])  # one model attacked: no gap


@pytest.mark.slow
def test_report_html_shows_report_jsons_gap_and_recomputes_it_for_an_older_report(attacks):
    report, records = read(attacks["greedy"]), read_records(attacks["greedy"])
    marked = copy.deepcopy(report)
    for k, point in enumerate(marked["gap_curve"]):
        point["student_minus_teacher"].update(value=-0.123 - k / 1000, ci95=[-0.5, 0.25])
    table = curve_table(render_attack_html(marked, records))
    for k, point in enumerate(marked["gap_curve"]):
        assert table[point["queries"]][2].startswith(number(-0.123 - k / 1000, "rate") + " [-50.0, 25.0]")
    older = copy.deepcopy(report)
    del older["gap_curve"]
    table = curve_table(render_attack_html(older, records))
    for point in report["gap_curve"]:
        assert table[point["queries"]][2].startswith(number(point["student_minus_teacher"]["value"], "rate"))


@pytest.mark.slow
def test_compare_shows_each_reports_own_gap_from_report_json(attacks, tmp_path):
    from click.testing import CliRunner

    from metacompress.cli import cli

    older = tmp_path / "older"
    older.mkdir()
    legacy = read(attacks["random"])
    del legacy["gap_curve"]
    (older / "report.json").write_text(json.dumps(legacy), encoding="utf-8")
    (older / "adversarial.jsonl").write_text((attacks["random"] / "adversarial.jsonl").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    out = tmp_path / "cmp"
    result = CliRunner().invoke(cli, ["compare", str(attacks["greedy"]), str(older), "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    greedy, legacy_name = (r["name"] for r in document["reports"])
    records = read_records(older)
    for point in read(attacks["greedy"])["gap_curve"]:
        budget = point["queries"]
        shown = document["gap_curves"][str(budget)]
        assert shown[greedy]["value"] == point["student_minus_teacher"]["value"]
        assert shown[legacy_name]["value"] == pytest.approx(rate(records, "student", budget) - rate(records, "teacher", budget))
    assert "student - teacher" in result.output
    assert "student-minus-teacher gap" in (out / "compare.md").read_text(encoding="utf-8")
    assert "student-minus-teacher gap" in (out / "compare.html").read_text(encoding="utf-8")


@dataclass
class Outcome:
    status: str
    success: bool
    queries_to_success: int | None


def outcomes(wins: list[bool]) -> list[Outcome]:
    return [Outcome("success" if w else "failed", w, 1 if w else None) for w in wins]


def test_the_gap_interval_resamples_both_models_on_the_same_inputs():
    """Both models won on the same 40 of 80 inputs, the student on 4 more: resampled in pairs the
    gap varies only with those 4, far less than two independent resamples would let it."""
    rng = np.random.default_rng(0)
    shared = rng.random(80) < 0.5
    extra = np.zeros(80, dtype=bool)
    extra[np.flatnonzero(~shared)[:4]] = True
    teacher, student = outcomes(list(shared)), outcomes(list(shared | extra))
    entry = gap_curve(teacher, student, budget=1, seed=3, n_bootstrap=2000)[0]["student_minus_teacher"]
    assert entry["value"] == pytest.approx(4 / 80) and entry["n"] == 80
    low, high = entry["ci95"]
    assert 0 <= low <= entry["value"] <= high
    p_t, p_s = shared.mean(), (shared | extra).mean()
    unpaired_width = 2 * 1.96 * np.sqrt(p_t * (1 - p_t) / 80 + p_s * (1 - p_s) / 80)
    assert high - low < unpaired_width / 2
    same = gap_curve(teacher, outcomes(list(shared)), budget=1, seed=3, n_bootstrap=200)[0]["student_minus_teacher"]
    assert same["value"] == 0 and same["ci95"] is None and same["ci_note"]  # no input varies it


def test_a_model_without_searched_inputs_has_no_gap_and_says_why():
    teacher = [Outcome("already wrong", False, None)] * 3
    entry = gap_curve(teacher, outcomes([True, False, True]), budget=5, seed=0, n_bootstrap=50)
    assert [p["queries"] for p in entry] == [1, 2, 5]
    assert all(p["student_minus_teacher"]["value"] is None and p["student_minus_teacher"]["null_reason"]
               for p in entry)
    assert gap_points({"gap_curve": entry, "attacks": {}}, [])[0].value is None


def edit_size_rows(page: str) -> list[list[str]]:
    import re
    from html import unescape

    section = page[page.index("<h2>Edit size of the successes</h2>"):]
    table = section[section.index("<table>"):section.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    return [[unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows[1:]]


@pytest.mark.slow
def test_report_html_shows_each_attacks_edit_size_distribution_from_report_json(attacks):
    report, records = read(attacks["greedy"]), read_records(attacks["greedy"])
    page = (attacks["greedy"] / "report.html").read_text(encoding="utf-8")
    shown = {(row[0], row[1]): row[2:] for row in edit_size_rows(page)}
    assert set(shown) == {(a, m) for a in ("teacher", "student") for m in ("identifiers_renamed", "tokens_changed",
                                                                          "codebleu")}
    assert any(r["attacks"]["student"]["success"] for r in records)  # the distributions are exercised
    for attack in ("teacher", "student"):
        wins = [r["attacks"][attack] for r in records if r["attacks"][attack]["success"]]
        for measure, d in report["attacks"][attack]["edit_size"].items():
            assert shown[attack, measure][0] == str(d["n"]) == str(len(wins))
            if wins:  # recomputed from adversarial.jsonl's per-input measures
                values = [w[measure] for w in wins]
                assert float(shown[attack, measure][1]) == pytest.approx(min(values), rel=1e-3)
                assert float(shown[attack, measure][5]) == pytest.approx(max(values), rel=1e-3)
                assert float(shown[attack, measure][3]) == pytest.approx(float(np.median(values)), rel=1e-3)
    marked = copy.deepcopy(report)
    marked["attacks"]["student"]["edit_size"]["codebleu"] = {"n": 7, "min": 0.125, "q1": 0.25, "median": 0.5,
                                                              "q3": 0.75, "max": 0.875}
    rows = {(r[0], r[1]): r[2:] for r in edit_size_rows(render_attack_html(marked, records))}
    assert rows["student", "codebleu"] == ["7", "0.125", "0.25", "0.5", "0.75", "0.875"]
    for row in marked["attacks"].values():
        del row["edit_size"]
    assert "predates edit-size distributions" in render_attack_html(marked, records)


# ---- compare.html's size bound ----------------------------------------------------------------


def hostile_text(k: int, length: int = 20_000) -> str:
    from hostile.test_injection import HOSTILE

    return HOSTILE[k % len(HOSTILE)] + "\x1b[31m" + "I" * length + str(k)


def share(value: float) -> dict:
    return {"value": value, "count": 1, "n": 2, "ci95": [0.0, 1.0], "ci_note": None, "null_reason": None}


def assert_bounded_inert_page(page: str) -> None:
    from metacompress.report.escape import HTML_LIMIT
    from test_attack_html import PAGE_TAGS, page_tags

    assert len(page) <= HTML_LIMIT
    assert "A section is left out here: compare.html would pass 2,000,000 characters" in page
    assert page.rstrip().endswith("</html>")
    for tag, attributes in page_tags(page):
        assert tag in PAGE_TAGS, tag
        assert all(not name.startswith("on") for name, _ in attributes)
    assert "\x1b" not in page and "<img" not in page and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the first name is still shown, as text


def test_compare_html_of_many_hostile_audits_stays_within_its_bound_and_says_what_it_left_out():
    from pathlib import Path

    from metacompress.compare import Audit, Comparison, PairedTest
    from metacompress.report.comparison import render_comparison_html

    relations = [hostile_text(k, 2_000) for k in range(300)]
    metrics = ["student_only_flip_rate", "induced_discrepancy_rate", "prediction_agreement"]
    row = {"metrics": {m: share(0.25) for m in metrics}}
    audits = [Audit(hostile_text(k), Path(hostile_text(k, 5_000)),
                    {"run": {"seed": hostile_text(k), "models": {"student": {"source": hostile_text(k)}}},
                     "relations": {r: row for r in relations}, "all_relations": row}) for k in range(40)]
    paired = [PairedTest(a.name, b.name, r, 10, 3, 1, 0.5) for a in audits[:10] for b in audits[:10] for r in relations[:30]]
    comparison = Comparison(audits, relations, metrics, [hostile_text(k) for k in range(100)], paired)
    assert_bounded_inert_page(render_comparison_html(comparison))


def test_compare_html_of_many_hostile_attacks_stays_within_its_bound_and_says_what_it_left_out():
    from pathlib import Path

    from metacompress.compare_attacks import AttackComparison, AttackPairedTest, AttackRun
    from metacompress.report.attack_comparison import render_attack_comparison_html

    budgets = [1, 2, 5, 10, 20, 50, 100]
    curve = [{"queries": b, "success_rate": share(0.5)} for b in budgets]
    gap = [{"queries": b, "student_minus_teacher": {**share(0.1), "count": None, "ci95": [-0.2, 0.3]}} for b in budgets]
    row = {"metrics": {"success_rate": share(0.5)}, "curve": curve}
    runs = [AttackRun(hostile_text(k), Path(hostile_text(k, 5_000)),
                      {"run": {"config": {"student": hostile_text(k), "teacher": hostile_text(k + 1),
                                          "strategy": hostile_text(k), "seed": k, "budget": 100}},
                       "attacks": {"teacher": row, "student": row}, "gap_curve": gap}, []) for k in range(80)]
    paired = [AttackPairedTest(a.name, b.name, attack, 6, 2, 1, 0.6)
              for i, a in enumerate(runs) for b in runs[i + 1:] for attack in ("teacher", "student")]
    comparison = AttackComparison(runs, ["teacher", "student"], budgets, ["success_rate"],
                                  [hostile_text(k) for k in range(100)], paired)
    page = render_attack_comparison_html(comparison)
    assert_bounded_inert_page(page)
    assert page.count("<svg") == 1  # the plot, of the first reports only


# ---- the terminal shows control characters from the data, never obeys them ---------------------

HOSTILE_FIELD = "\x1b[31mred\r\x07"


def controls(text: str) -> list[str]:
    """The characters of ``text`` a terminal would obey (a newline between lines is the program's)."""
    return [c for c in text if not c.isprintable() and c != "\n"]


def hostile_data(folder):
    pairs = write_pairs(folder / "pairs.jsonl", count=6)
    records = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines()]
    for k, record in enumerate(records):
        record["id1"] = f"\x1b[31m{k}\r"  # ids with a colour code and a carriage return
    missing = {"id1": "\x1b[2Jgone\r", "id2": "x", "code2": records[0]["code2"], HOSTILE_FIELD: 1, "label": 0}
    pairs.write_text("".join(json.dumps(r) + "\n" for r in [*records, missing]), encoding="utf-8")
    return pairs


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "attack"])
def test_run_and_attack_print_ids_field_names_and_paths_from_the_data_escaped(tmp_path, command):
    from click.testing import CliRunner

    from metacompress.cli import cli

    models = build_models(tmp_path / "models")
    data = hostile_data(tmp_path)
    extra = (["--relations", "rename-identifiers"] if command == "run" else ["--budget", "4"])
    result = CliRunner().invoke(cli, [command, "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
                                      "--task", "clone-detection", "--data", str(data), "--bootstrap", "20", *extra,
                                      "--out", str(tmp_path / f"out \x1b[31m\r{command}")])
    assert result.exit_code == 0, result.output
    assert controls(result.output) == []
    assert "skipped records: 1" in result.output
    assert repr(HOSTILE_FIELD)[1:-1] in result.output  # the field name, shown with its escapes
    assert "out \\x1b[31m\\r" in result.output  # the folder, too


def test_terminal_summaries_escape_every_string_from_a_report():
    from metacompress.attack.render import render_terminal
    from metacompress.report.terminal import visible

    doc = {"attacks": {"student": {"metrics": {"success_rate": share(0.5), f"plugin{HOSTILE_FIELD}": share(0.1)},
                                   "counts": {}}},
           "headline": {"summary": [f"the student {HOSTILE_FIELD} fooled\nforged line"]},
           "run": {"data": {"records_skipped": 2, "skip_reasons": {f"missing field {HOSTILE_FIELD}": 2}}},
           "gates": [{"condition": f"x{HOSTILE_FIELD} > 1", "relation": "all\r\x1b[2K", "metric": "x", "op": ">",
                      "threshold": 1.0, "value": None, "holds": None}]}

    class Report:
        data = doc

    text = render_terminal(Report())
    assert controls(text) == []
    assert text.count("\\x1b[31mred\\r\\x07") == 4  # the figure, the sentence, the skip reason, the gate
    assert "forged line" in text and not any(line.startswith("forged") for line in text.splitlines())
    assert visible("a\tb\u202ec\nd") == "a\\tb\\u202ec\\nd" and visible("plain text") == "plain text"
    assert visible("one\ntwo\x1b", keep_newlines=True) == "one\ntwo\\x1b"


def test_error_and_warning_lines_show_control_characters_as_escapes(tmp_path):
    """An error naming a user's path or a plugin's message cannot recolour or clear the terminal either."""
    from click.testing import CliRunner

    from metacompress.cli import cli

    hostile = tmp_path / "conf \x1b[2J\r\x07.toml"
    result = CliRunner().invoke(cli, ["run", "--config", str(hostile)])
    assert result.exit_code == 2
    assert controls(result.output.rstrip("\n")) == [] and result.output.count("\n") == 1
    assert "conf \\x1b[2J\\r\\x07.toml: does not exist" in result.output

    hostile.write_text("[run]\nteacher = 1\n")
    result = CliRunner().invoke(cli, ["run", "--config", str(hostile), f"--bogus{HOSTILE_FIELD}"])
    assert result.exit_code == 2 and controls(result.output.rstrip("\n")) == []


@pytest.mark.parametrize(("extra", "sentence"), [
    (-1.0, "the student loses no accuracy under attack; the teacher does"),
    (-0.25, "the student loses 25% less accuracy under attack than the teacher"),
    (0.62, "the student loses 62% more accuracy under attack than the teacher"),
])
def test_the_headline_sentence_on_the_extra_drop_says_what_the_figure_means(extra, sentence):
    from metacompress.attack.objectives.flip import FlipBoth
    from metacompress.metrics import Metric

    assert FlipBoth().sentences({"student_extra_drop": Metric(extra, None, 10)}, {})[0] == sentence
