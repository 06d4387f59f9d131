"""`metacompress compare`: audits side by side, paired tests, and refusal of incomparable reports."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

import numpy as np
from audit_fixtures import build_models, write_pairs
from metacompress.cli import cli

RELATIONS = "rename-identifiers,swap-operands,insert-dead-code"


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    """Three audits of one teacher on the same pairs: an identical student, a perturbed one, and
    the perturbed one with another seed; plus one on other data."""
    root = tmp_path_factory.mktemp("compare")
    models = build_models(root / "models")
    pairs = write_pairs(root / "pairs.jsonl", count=24)
    other = write_pairs(root / "other.jsonl", count=24, seed=5)
    folders = {}
    for name, student, data, seed in (("same", "same", pairs, 0), ("perturbed", "perturbed", pairs, 0),
                                      ("reseeded", "perturbed", pairs, 3), ("other-data", "perturbed", other, 0)):
        out = root / name
        result = CliRunner().invoke(cli, [
            "run", "--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(data), "--relations", RELATIONS, "--bootstrap", "200", "--seed", str(seed), "--out", str(out),
            "--quiet"])
        assert result.exit_code == 0, result.output
        folders[name] = out
    return folders


def invoke(*args: str):
    return CliRunner().invoke(cli, ["compare", *args])


def test_the_table_shows_each_students_figures_from_its_own_report(audits, tmp_path):
    from metacompress.compare import compare_reports

    comparison = compare_reports([audits["same"], audits["perturbed"]])
    assert [a.name for a in comparison.audits] == ["same", "perturbed"]
    assert comparison.relations == RELATIONS.split(",")
    for audit in comparison.audits:
        report = json.loads((audit.folder / "report.json").read_text())
        for relation in RELATIONS.split(","):
            assert comparison.value(audit, relation, "student_only_flip_rate") == \
                report["relations"][relation]["metrics"]["student_only_flip_rate"]
    # an identical student never flips alone; the perturbed one is compared on the same rows
    same = comparison.value(comparison.audits[0], "all relations", "student_only_flip_rate")
    assert same["value"] == 0.0


def test_paired_tests_count_the_discordant_rows(audits):
    import pandas as pd

    from metacompress.compare import compare_reports

    comparison = compare_reports([audits["perturbed"], audits["same"]])
    pooled = next(t for t in comparison.paired if t.relation == "all relations")
    a = pd.read_csv(audits["perturbed"] / "samples.csv")
    judged = a[a["applied"] & (a["teacher_sees_rewrite"] | a["student_sees_rewrite"])]
    # the identical student never flips alone, so every student-only flip of A is discordant
    assert pooled.a_only == int(judged["student_only_flip"].sum())
    assert pooled.b_only == 0
    assert pooled.shared_rows == len(judged)
    assert pooled.a_only > 0  # the perturbed student does flip alone on these pairs
    discordant = judged[judged["student_only_flip"].astype(bool)]
    if discordant["example_id"].duplicated().any():  # an original flips under several relations
        assert pooled.method == "clustered"
    else:
        assert pooled.method == "exact" and pooled.p_value == pytest.approx(min(1.0, 2 * 0.5 ** pooled.a_only))


def test_cli_prints_the_table_and_writes_three_files(audits, tmp_path):
    out = tmp_path / "cmp"
    result = invoke(str(audits["same"]), str(audits["perturbed"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "student_only_flip_rate" in result.output and "perturbed" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["compare.html", "compare.json", "compare.md"]
    document = json.loads((out / "compare.json").read_text())
    assert [a["name"] for a in document["audits"]] == ["same", "perturbed"]
    page = (out / "compare.html").read_text()
    parser = _Tags()
    parser.feed(page)
    assert "svg" in parser.tags and "script" not in parser.tags
    assert not parser.remote, parser.remote
    again = invoke(str(audits["same"]), str(audits["perturbed"]), "--out", str(out))
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_a_different_seed_is_compared_with_a_note_and_fewer_pairs(audits):
    from metacompress.compare import compare_reports

    comparison = compare_reports([audits["perturbed"], audits["reseeded"]])
    assert any("seed" in note for note in comparison.notes)


@pytest.mark.parametrize("problem, expected", [
    ("other-data", "different data"),
    ("missing", "not a report folder"),
    ("one", "at least two"),
])
def test_incomparable_or_unreadable_reports_are_refused_with_the_reason(audits, tmp_path, problem, expected):
    if problem == "other-data":
        args = [str(audits["same"]), str(audits["other-data"])]
    elif problem == "missing":
        args = [str(audits["same"]), str(tmp_path / "nowhere")]
    else:
        args = [str(audits["same"])]
    result = invoke(*args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_reports_with_other_thresholds_are_refused(audits, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(audits["perturbed"], copy)
    report = json.loads((copy / "report.json").read_text())
    report["thresholds"]["js_distance"] = 0.2
    (copy / "report.json").write_text(json.dumps(report))
    result = invoke(str(audits["same"]), str(copy))
    assert result.exit_code == 2 and "different thresholds" in result.output


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.remote.append(f"{tag} {name}={value}")


def test_paired_test_is_clustered_where_an_original_holds_several_discordant_rows():
    from metacompress.compare import _mcnemar

    originals = np.array(["a", "a", "a", "b", "c", "d"])
    a_only = np.array([True, True, True, False, True, False])
    b_only = np.array([False, False, False, True, False, True])
    clustered = _mcnemar(originals, a_only, b_only)
    assert clustered.method == "clustered" and (clustered.student_only_flips, clustered.teacher_only_flips) == (4, 2)
    exact = _mcnemar(np.array(["a", "b", "c"]), np.array([True, True, False]), np.array([False, False, True]))
    assert exact.method == "exact" and exact.p_value == pytest.approx(1.0)
    # four flips of one original are one piece of evidence, not four: less sure than counting rows
    one_original = _mcnemar(np.array(["a"] * 4), np.ones(4, bool), np.zeros(4, bool))
    four_originals = _mcnemar(np.array(list("abcd")), np.ones(4, bool), np.zeros(4, bool))
    assert one_original.method == "clustered" and four_originals.method == "exact"
    assert one_original.p_value > four_originals.p_value == pytest.approx(0.125)
