"""End to end: a tiny random GraphCodeBERT teacher audited against the AVATAR clone student.

Every relation rewrites the code and the attack searches rewrites; the teacher's graph is
rebuilt from each rewritten function, so both work on GraphCodeBERT unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphcodebert_fixtures import graph_spec
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
