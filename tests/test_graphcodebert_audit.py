"""End to end: a tiny random GraphCodeBERT teacher audited against the AVATAR clone student.

Every relation rewrites the code and the attack searches rewrites; the teacher's graph is
rebuilt from each rewritten function, so both work on GraphCodeBERT unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphcodebert_fixtures import graph_spec, softmax_twin
from metacompress.models.convert import convert_spec
from metacompress.cli import cli

pytestmark = pytest.mark.slow
STUDENT = Path(__file__).resolve().parents[1] / "configs" / "models" / "avatar-clone.toml"


def student_spec(shared: Path, folder: Path) -> Path:
    """The shipped AVATAR spec, its root pointed at ``shared`` wherever that is."""
    text = STUDENT.read_text(encoding="utf-8")
    root = next(line for line in text.splitlines() if line.startswith("root"))
    spec = folder / STUDENT.name
    spec.write_text(text.replace(root, f'root = "{shared / "models" / root.split("/")[-1].rstrip(chr(34))}"'))
    return spec


def audit(command: str, shared: Path, out: Path, teacher: Path, *options: str):
    args = [command, "--teacher", str(teacher), "--student", str(student_spec(shared, teacher.parent)), "--task", "clone-detection",
            "--data", str(shared / "data" / "bigclonebench-test" / "test_subs_0_500.jsonl"),
            "--out", str(out), "--seed", "1", "--cache", str(out.parent / "store.sqlite"), *options]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_run_audits_a_graphcodebert_teacher(shared_dir, tmp_path):
    teacher = graph_spec(tmp_path, "clone")
    report = audit("run", shared_dir, tmp_path / "run", teacher, "--limit", "4", "--bootstrap", "0", "--quiet")
    assert report["run"]["models"]["teacher"]["max_length"] == 512 + 128  # read as a GraphCodeBERT input
    judged = {name: entry["judged"] for name, entry in report["relations"].items()}
    assert judged["rename-identifiers"] == 4 and judged["insert-dead-code"] == 4
    assert report["baseline"]["n"] == 4


def test_attack_searches_rewrites_against_a_graphcodebert_teacher(shared_dir, tmp_path):
    teacher = graph_spec(tmp_path, "clone")
    report = audit("attack", shared_dir, tmp_path / "attack", teacher, "--limit", "3", "--budget", "4",
                   "--objective", "flip-teacher")
    assert report["attacks"]["teacher"]["metrics"]["success_rate"]["n"] == 3
    assert (tmp_path / "attack" / "adversarial.jsonl").is_file()


def test_a_graphcodebert_teacher_saved_as_a_hugging_face_folder_is_audited_and_attacked(shared_dir, tmp_path):
    (tmp_path / "twin").mkdir()
    folder = convert_spec(softmax_twin(tmp_path / "twin"), tmp_path / "teacher-hf")
    student = Path(__file__).resolve().parents[1] / "configs" / "models" / "avatar-devign.toml"
    text = student.read_text(encoding="utf-8")
    root = next(line for line in text.splitlines() if line.startswith("root"))
    (tmp_path / student.name).write_text(
        text.replace(root, f'root = "{shared_dir / "models" / root.split("/")[-1].rstrip(chr(34))}"'))
    common = ["--teacher", str(folder), "--student", str(tmp_path / student.name), "--task",
              "vulnerability-prediction", "--data", str(shared_dir / "data" / "devign-test" / "test_subs_0_400.jsonl"),
              "--limit", "3", "--seed", "1", "--bootstrap", "0", "--cache", str(tmp_path / "store.sqlite")]
    ran = CliRunner().invoke(cli, ["run", *common, "--relations", "rename-identifiers,insert-dead-code",
                                   "--out", str(tmp_path / "run"), "--quiet"])
    assert ran.exit_code == 0, ran.output
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["models"]["teacher"]["max_length"] == 384 + 128  # read as a GraphCodeBERT input
    assert report["relations"]["insert-dead-code"]["judged"] == 3
    attacked = CliRunner().invoke(cli, ["attack", *common, "--budget", "4", "--objective", "flip-teacher",
                                        "--out", str(tmp_path / "attack")])
    assert attacked.exit_code == 0, attacked.output
    assert json.loads((tmp_path / "attack" / "report.json").read_text())["attacks"]["teacher"]["metrics"][
        "success_rate"]["n"] == 3
