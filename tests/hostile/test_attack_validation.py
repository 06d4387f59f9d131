"""`attack` validates and reports what `run` does (issue 18): one shared check of the settings
both take, skipped records and gate status shown everywhere, gates that could never be evaluated
refused, options attack does not use not offered, and --task-option id_field that names no
record's field an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress.attack import AttackConfig, run_attack
from metacompress.cli import cli
from metacompress.config import AuditConfig
from metacompress.errors import InputError, UsageError
from metacompress.tasks import get_task

#: settings validate needs; the paths are not opened by validate
BASE = dict(teacher="teacher", student="student", task="clone-detection", data="pairs.jsonl")


def attack_refuses(**settings) -> str:
    with pytest.raises(UsageError) as caught:
        AttackConfig(**{**BASE, **settings}).validate()
    return str(caught.value)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_usage_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs_with_a_bad_record(tmp_path_factory):
    path = write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=3)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"code1": "int f() { return 1; }", "label": 1}) + "\n")  # no code2
    return path


def attack_args(models, data, out, *extra: str) -> list[str]:
    return ["attack", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
            "--task", "clone-detection", "--data", str(data), "--objective", "flip-student", "--budget", "4",
            "--bootstrap", "0", "--max-relations", "0", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def gated_attack(models, pairs_with_a_bad_record, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "gated"
    result = invoke(*attack_args(models, pairs_with_a_bad_record, out, "--fail-on", "student:success_rate>1"))
    assert result.exit_code == 0, result.output
    return result, out


# ---- skipped records and gate status, as run shows them -------------------------------------------


@pytest.mark.slow  # builds the tiny models and runs an attack
def test_attack_reports_skipped_records_on_the_terminal_in_report_md_and_report_json(gated_attack):
    result, out = gated_attack
    reason = "missing field 'code2'"
    assert "skipped records: 1 (" in result.stdout and reason in result.stdout
    markdown = (out / "report.md").read_text()
    assert "## Skipped records (1, not attacked)" in markdown and reason in markdown
    data = json.loads((out / "report.json").read_text())["run"]["data"]
    assert data["records_skipped"] == 1
    assert list(data["skip_reasons"].values()) == [1] and reason in next(iter(data["skip_reasons"]))
    assert data["skipped_records"][0]["where"].endswith("pairs.jsonl:4")


@pytest.mark.slow  # builds the tiny models and runs an attack
def test_attack_prints_each_gate_status_on_the_terminal(gated_attack):
    result, _ = gated_attack
    assert "gates: 1 passed" in result.stdout
    assert "PASSED" in result.stdout and "student:success_rate>1  [student:" in result.stdout


# ---- gates that could never be evaluated -----------------------------------------------------------


@pytest.mark.parametrize(("objective", "gate", "computed_by"), [
    ("flip-both", "disagreement_found_rate>0.1", "disagree"),
    ("flip-student", "teacher_success_rate>0.5", "flip-teacher"),
    ("flip-teacher", "student_extra_drop>0", "flip-both"),
    ("flip-both", "student:violations_per_query>0", "disagree"),
    ("flip-student", "student:transfer_rate>0.5", "flip-both"),
    ("disagree", "*:accuracy_drop>0.1", "flip-student"),
])
def test_a_gate_on_a_figure_no_attack_of_the_objective_computes_is_refused(objective, gate, computed_by):
    message = attack_refuses(objective=objective, fail_on=[gate])
    assert gate in message and "none of which computes" in message and computed_by in message


def test_the_refusal_names_the_attacks_that_run_in_one_line_exit_2(tmp_path):
    result = invoke("attack", "--teacher", "t", "--student", "s", "--task", "clone-detection", "--data", "d",
                    "--fail-on", "disagreement_found_rate>0.1", "--out", str(tmp_path / "r"))
    one_line_usage_error(result, "disagreement_found_rate>0.1", "runs the attacks teacher, student")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("gate", ["student:accuracy_drop<0.5", "student_accuracy_drop<0.5", "*:success_rate>0"])
def test_a_gate_on_a_search_figure_under_budget_0_is_refused(gate):
    message = attack_refuses(objective="flip-both", budget=0, fail_on=[gate])
    assert "--budget 0 runs no search" in message
    # a figure of the originals has a value without a search: its gate stays
    AttackConfig(**BASE, objective="flip-both", budget=0, fail_on=["student:accuracy_before<0.5"]).validate()


@pytest.mark.slow  # builds the tiny models and runs an attack
def test_budget_0_reports_no_accuracy_drop_instead_of_a_zero_one(models, tmp_path):
    data = write_pairs(tmp_path / "pairs.jsonl", count=3)
    config = AttackConfig(teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
                          data=str(data), out=str(tmp_path / "r"), objective="flip-both", budget=0, bootstrap=0)
    doc = run_attack(config).report.data
    student = doc["attacks"]["student"]["metrics"]
    assert student["accuracy_before"]["value"] is not None
    for name in ("accuracy_after", "accuracy_drop", "relative_drop"):
        assert student[name]["value"] is None and student[name]["null_reason"] == "no search (--budget 0)"
    assert doc["headline"]["student_accuracy_drop"]["value"] is None


# ---- options attack does not use ---------------------------------------------------------------------


def test_attack_offers_no_format_or_quiet_option(tmp_path):
    help_text = invoke("attack", "--help").output
    assert "--format" not in help_text and "--quiet" not in help_text
    for flag in (["--format", "json"], ["--quiet"]):
        result = invoke("attack", "--teacher", "t", "--student", "s", "--task", "clone-detection", "--data", "d",
                        *flag, "--out", str(tmp_path / "r"))
        assert result.exit_code == 2 and f"No such option '{flag[0]}'" in result.stderr


@pytest.mark.parametrize("key", ["format = 'json'", "quiet = true", "progress = false", "formats = ['json']"])
def test_a_config_file_key_attack_does_not_use_is_refused(tmp_path, key):
    config = tmp_path / "attack.toml"
    config.write_text(f"teacher = 't'\nstudent = 's'\ntask = 'clone-detection'\ndata = 'd'\n{key}\n")
    result = invoke("attack", "--config", str(config), "--out", str(tmp_path / "r"))
    one_line_usage_error(result, f"unknown key {key.split(' ')[0]!r}")


def test_the_library_refuses_formats_for_an_attack():
    assert "an attack always writes report.json" in attack_refuses(formats=["json"])


# ---- the prediction store: one check for run and attack ---------------------------------------------


@pytest.mark.parametrize(("settings", "message"), [
    (dict(cache=""), "--cache must name a file"),
    (dict(cache="   "), "--cache must name a file"),
    (dict(cache="store.sqlite", no_cache=True), "--cache and --no-cache contradict each other"),
])
def test_run_and_attack_refuse_the_same_cache_settings(settings, message):
    refusals = []
    for config_class in (AuditConfig, AttackConfig):
        with pytest.raises(UsageError, match=message) as caught:
            config_class(**BASE, **settings).validate()
        refusals.append(str(caught.value))
    assert refusals[0] == refusals[1]


def test_attack_cli_refuses_cache_with_no_cache(tmp_path):
    result = invoke("attack", "--teacher", "t", "--student", "s", "--task", "clone-detection", "--data", "d",
                    "--cache", str(tmp_path / "s.sqlite"), "--no-cache", "--out", str(tmp_path / "r"))
    one_line_usage_error(result, "--cache and --no-cache")


# ---- --task-option id_field ---------------------------------------------------------------------------


def devign(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


FUNCTION = "int f(int a) { return a + 1; }"


def test_an_id_field_no_record_has_is_an_input_error(tmp_path):
    data = devign(tmp_path / "d.jsonl", [{"func": FUNCTION, "target": 0, "idx": 1}] * 2)
    with pytest.raises(InputError, match="no record has the id field 'missing'"):
        get_task("vulnerability-prediction").load(str(data), id_field="missing")


def test_a_record_without_the_id_field_is_skipped_with_its_reason(tmp_path):
    data = devign(tmp_path / "d.jsonl", [{"func": FUNCTION, "target": 0, "name": "a"},
                                         {"func": FUNCTION, "target": 1},
                                         {"func": FUNCTION, "target": 1, "name": "c"}])
    loaded = get_task("vulnerability-prediction").load(str(data), id_field="name")
    assert [e.id for e in loaded.examples] == ["a", "c"]
    assert [(s.where, s.reason) for s in loaded.skipped] == [
        (f"{data.name}:2", "no id in field 'name' (other records have one)")]
    # without the option, a record lacking the default id field keeps its line as its id
    assert [e.id for e in get_task("vulnerability-prediction").load(str(data)).examples] == [
        f"{data.name}:{line}" for line in (1, 2, 3)]


@pytest.mark.parametrize("command", ["run", "attack"])
def test_run_and_attack_stop_on_an_id_field_no_record_has(tmp_path, command):
    data = devign(tmp_path / "d.jsonl", [{"func": FUNCTION, "target": 0}])
    result = invoke(command, "--teacher", "t", "--student", "s", "--task", "vulnerability-prediction",
                    "--data", str(data), "--task-option", "id_field=missing", "--no-cache",
                    "--out", str(tmp_path / "r"))
    one_line_usage_error(result, "no record has the id field 'missing'")
