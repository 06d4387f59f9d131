"""`metacompress run` through click's CliRunner: exit codes, streams and config files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress.cli import cli


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=10)


def invoke(*args: str):
    return CliRunner().invoke(cli, ["run", *args], catch_exceptions=False)


def base_args(models, pairs, out, student="perturbed"):
    return ["--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(pairs), "--relations", "insert-dead-code,add-unused-variable", "--bootstrap", "50",
            "--quiet", "--out", str(out)]


def test_passing_run_exits_0_and_prints_the_summary(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r", student="same"), "--fail-on", "discrepancy_rate>0.0")
    assert result.exit_code == 0, result.output
    assert "all relations" in result.stdout and "insert-dead-code" in result.stdout
    assert "report:" in result.stdout
    assert result.stderr == ""
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["gates"][0]["status"] == "passed"


def test_breached_gate_exits_1_after_writing_the_report(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), "--fail-on", "discrepancy_rate>0.01",
                    "--fail-on", "insert-dead-code:prediction_agreement<0.999")
    assert result.exit_code == 1
    assert "gate(s) breached" in result.stderr and "Traceback" not in result.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [g["status"] for g in report["gates"]] == ["breached", "breached"]


def test_gates_on_the_induced_discrepancy(models, pairs, tmp_path):
    # an identical student induces no discrepancy: the first gate passes, the second holds at 0
    result = invoke(*base_args(models, pairs, tmp_path / "r", student="same"),
                    "--fail-on", "induced_discrepancy_rate>0.05", "--fail-on", "induced_discrepancy_rate>=0")
    assert result.exit_code == 1 and "induced_discrepancy_rate>=0" in result.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [(g["value"], g["status"]) for g in report["gates"]] == [(0.0, "passed"), (0.0, "breached")]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--fail-on", "discrepancy_rat>0.1"], "did you mean"),
        (["--relations", "rename-identifers"], "Did you mean 'rename-identifiers'"),
        (["--task", "clone-detect"], "Unknown task"),
        (["--teacher", "/nonexistent/model"], "does not exist"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(models, pairs, tmp_path, extra, message):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), *extra)
    assert result.exit_code == 2
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "report.json").exists()


def test_config_file_with_flag_override(models, pairs, tmp_path):
    config = tmp_path / "audit.toml"
    config.write_text(
        f'teacher = "{models["teacher"]}"\nstudent = "{models["same"]}"\ntask = "clone-detection"\n'
        f'data = "{pairs}"\nrelations = ["add-unused-variable"]\nbootstrap = 50\nseed = 4\nout = "./cfg-out"\n'
    )
    result = invoke("--config", str(config), "--seed", "9", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "cfg-out" / "report.json").read_text())  # ./ resolves beside the config
    assert report["run"]["seed"] == 9 and report["run"]["relations"] == ["add-unused-variable"]


def test_config_file_with_unknown_key_is_a_usage_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('teacher = "x"\nstudnet = "y"\n')
    result = invoke("--config", str(config))
    assert result.exit_code == 2 and "unknown key 'studnet'" in result.stderr
