"""Issue 18: `compare` on reports a user edited, truncated or mixed up, and on repeated example ids.

Every malformed report.json is one line, exit 2, naming the file and the first place where it
departs from run's report schema; --out is checked before any report is read; and the paired
tests pair each row once, so no count of unpaired rows is negative.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress.cli import cli
from metacompress.outdir import lock_out

RELATIONS = "rename-identifiers,insert-dead-code"


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    """Two audits (identical and perturbed student) of data where two examples end up with the
    same id: "x" twice, and a third record whose id is already "x#2" (the loader used to give the
    second "x" that id too; now it becomes "x#3")."""
    root = tmp_path_factory.mktemp("compare-hostile")
    models = build_models(root / "models")
    records = [json.loads(line) for line in write_pairs(root / "pairs.jsonl", count=6).read_text().splitlines()]
    colliding = {**records[1], "id1": records[0]["id1"], "id2": f"{records[0]['id2']}#2"}
    data = root / "colliding.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in [records[0], records[0], colliding, *records[2:]]))
    folders = {}
    for student in ("same", "perturbed"):
        folders[student] = root / student
        result = CliRunner().invoke(cli, [
            "run", "--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(data), "--relations", RELATIONS, "--bootstrap", "0", "--quiet", "--out", str(folders[student])])
        assert result.exit_code == 0, result.output
    return folders


def invoke(*args: str):
    return CliRunner().invoke(cli, ["compare", *(str(a) for a in args)])


def edited_copy(audits, tmp_path, file: str, text: str):
    copy = tmp_path / "edited"
    shutil.copytree(audits["perturbed"], copy)
    (copy / file).write_text(text, encoding="utf-8")
    return copy


def edited_report(edit):
    def make(report: dict) -> str:
        edit(report)
        return json.dumps(report)
    return make


def deep_in_seed(report: dict) -> str:
    return json.dumps(report).replace('"seed": 0', '"seed": ' + "[" * 100_000 + "]" * 100_000, 1)


def first_value_as(token: str):
    return lambda report: json.dumps(report).replace('"value": 0.0', f'"value": {token}', 1)


ATTACK = {"schema": "metacompress-attack", "schema_version": "1.0", "run": {}, "headline": {}, "attacks": [],
          "random_rewrites": {}, "gates": []}

CORPUS = [
    ("truncated", lambda r: json.dumps(r)[:300], "cannot read the report ("),
    ("array", lambda r: "[]", "$: expected an object, got an array"),
    ("empty object", lambda r: "{}", "$: missing 'schema_version'"),
    ("100,000 deep", lambda r: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("100,000 deep inside", deep_in_seed, "nested too deeply"),
    ("number as string", edited_report(lambda r: r["all_relations"]["metrics"]["student_flip_rate"].update(value="0.5")),
     "$.all_relations.metrics.student_flip_rate.value: expected number or null, got str"),
    ("count as string", edited_report(lambda r: r["all_relations"]["metrics"]["student_flip_rate"].update(n="12")),
     "$.all_relations.metrics.student_flip_rate.n: expected number, got str"),
    ("missing all_relations", edited_report(lambda r: r.pop("all_relations")), "$: missing 'all_relations'"),
    ("missing metrics", edited_report(lambda r: r["relations"]["insert-dead-code"].pop("metrics")),
     "$.relations.insert-dead-code: missing 'metrics'"),
    ("NaN", first_value_as("NaN"), "nan is not a number a report may hold"),
    ("Infinity", first_value_as("-Infinity"), "-inf is not a number a report may hold"),
    ("huge int", first_value_as("1" + "0" * 400), "integer too large (401 digits)"),
    ("huge seed", edited_report(lambda r: r["run"].update(seed=10 ** 400)), "$.run.seed: integer too large"),
    ("other schema version", edited_report(lambda r: r.update(schema_version="1.0")),
     "report schema '1.0', but this version reads '2.1'"),
    ("schema version as number", edited_report(lambda r: r.update(schema_version=2.0)), "$.schema_version: expected"),
    ("run as string", edited_report(lambda r: r.update(run="x")), "$.run: expected object, got str"),
    ("run.data as string", edited_report(lambda r: r["run"].update(data="x")), "$.run.data: expected object, got str"),
    ("student as list", edited_report(lambda r: r["run"]["models"].update(student=[])),
     "$.run.models.student: expected object, got list"),
    ("attack report", lambda r: json.dumps(ATTACK), "report of metacompress attack"),
    ("key with a newline", edited_report(lambda r: r["relations"].update({"evil\nError: forged": {}})),
     "$.relations.evil\\nError: forged: missing 'inputs'"),
]


@pytest.mark.parametrize("make, expected", [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_a_malformed_report_is_one_line_exit_2_naming_the_file_and_the_place(audits, tmp_path, make, expected):
    report = json.loads((audits["perturbed"] / "report.json").read_text())
    copy = edited_copy(audits, tmp_path, "report.json", make(report))
    result = invoke(audits["same"], copy)
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert f"{copy / 'report.json'}:" in result.output
    assert expected in result.output


@pytest.mark.parametrize("text, expected", [
    ("[]\n", ":1: not a rewrites.jsonl record"),
    ('{"rewritten_code": 5}\n', ":1: not a rewrites.jsonl record"),
    ("[" * 100_000 + "\n", ":1: cannot read the record (nested too deeply)"),
])
def test_a_malformed_rewrites_file_is_one_line_exit_2(audits, tmp_path, text, expected):
    copy = edited_copy(audits, tmp_path, "rewrites.jsonl", text)
    result = invoke(audits["same"], copy)
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0, result.output
    assert f"{copy / 'rewrites.jsonl'}{expected}" in result.output


@pytest.mark.parametrize("problem, expected", [
    ("a file", "exists and is not a folder"),
    ("other files", "holds files that are not part of a report"),
    ("a previous comparison", "holds a previous compare.json; pass --overwrite"),
])
def test_compare_out_is_checked_before_any_report_is_read(tmp_path, problem, expected):
    out = tmp_path / "cmp"
    if problem == "a file":
        out.write_text("not a folder")
    else:
        out.mkdir()
        (out / ("notes.txt" if problem == "other files" else "compare.json")).write_text("{}")
    result = invoke(tmp_path / "no-report-a", tmp_path / "no-report-b", "--out", out)
    assert result.exit_code == 2
    assert f"--out {out}: {expected}" in result.output and "not a report folder" not in result.output


def test_compare_out_held_by_another_run_is_refused_and_left_alone(audits, tmp_path):
    out = tmp_path / "cmp"
    with lock_out(out):
        result = invoke(audits["same"], audits["perturbed"], "--out", out)
    assert result.exit_code == 2 and "another metacompress run" in result.output
    assert not out.exists()


def test_paired_counts_with_a_repeated_example_id_pair_each_row_once(audits, tmp_path):
    import pandas as pd

    result = invoke(audits["same"], audits["perturbed"], "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    assert "not paired" not in result.output and " -" not in result.output.split("Paired McNemar")[1]
    samples = pd.read_csv(audits["same"] / "samples.csv")
    assert not samples.duplicated(["example_id", "relation"]).any()  # the loader gives each record its own id
    assert {"#2", "#3"} <= {i[-2:] for i in samples["example_id"]}  # x, x#3 and the data's own x#2
    tests = json.loads((tmp_path / "cmp" / "compare.json").read_text())["paired_tests"]
    pooled = next(t for t in tests if t["relation"] == "all relations")
    judged = samples[samples["applied"] & (samples["teacher_sees_rewrite"] | samples["student_sees_rewrite"])]
    assert pooled["shared_rows"] == len(judged) and pooled["excluded"] == {}
