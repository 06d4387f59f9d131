"""Two processes, the same command: byte-identical figures (the contract a citation relies on).

Each audit runs in a fresh interpreter with its own PYTHONHASHSEED, so anything that leaks
hash order or object addresses into rewrites or figures shows up as a difference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "configs" / "models"
VOLATILE_RUN_KEYS = ("timings_s", "created", "command", "config")

pytestmark = [pytest.mark.shared, pytest.mark.slow]

AUDITS = {
    "devign": ("compressor-devign", "avatar-devign", "vulnerability-prediction", "devign-test", 100),
    "bigclonebench": ("compressor-clone", "avatar-clone", "clone-detection", "bigclonebench-test", 60),
}


def audit_in_subprocess(shared: Path, out: Path, hash_seed: str, which: str) -> None:
    teacher, student, task, data, limit = AUDITS[which]
    command = [sys.executable, "-m", "metacompress", "run",
               "--teacher", str(SPECS / f"{teacher}.toml"), "--student", str(SPECS / f"{student}.toml"),
               "--task", task, "--data", str(shared / "data" / data), "--limit", str(limit), "--seed", "3",
               "--bootstrap", "200", "--out", str(out), "--quiet", "--no-cache"]  # both compute
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    env.pop("METACOMPRESS_MODEL_ROOT", None)  # the specs find their weights in ../shared themselves
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]


def comparable(out: Path) -> dict:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for key in VOLATILE_RUN_KEYS:
        report["run"].pop(key, None)
    for model in report["run"].get("models", {}).values():
        model.pop("inference_seconds", None)
    return report


@pytest.mark.parametrize("which", sorted(AUDITS))
def test_an_audit_gives_identical_figures_in_two_processes(shared_dir, tmp_path, which):
    if shared_dir != REPO.parent / "shared":
        pytest.skip("the model specs point at ../shared beside the repository")
    first, second = tmp_path / "first", tmp_path / "second"
    audit_in_subprocess(shared_dir, first, "1", which)
    audit_in_subprocess(shared_dir, second, "2", which)
    assert (first / "rewrites.jsonl").read_bytes() == (second / "rewrites.jsonl").read_bytes()
    assert (first / "samples.csv").read_bytes() == (second / "samples.csv").read_bytes()
    assert comparable(first) == comparable(second)
