"""scripts/bench_attack.py sets the default attack and ALERT's side by side on the same inputs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from metacompress.attack.config import DEFAULT_STRATEGY

REPO = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "CUDA_VISIBLE_DEVICES": "", "TMPDIR": str(tmp_path)}
    return subprocess.run([sys.executable, str(REPO / "scripts" / "bench_attack.py"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def _table(stdout: str) -> list[list[str]]:
    rows = [line.strip("|").split("|") for line in stdout.splitlines() if line.startswith("| --recipe")]
    return [[cell.strip() for cell in row] for row in rows]


@pytest.mark.slow
def test_both_recipes_attack_the_same_inputs_and_are_timed_beside_the_bare_forward(tmp_path):
    done = _run(tmp_path, "--pairs", "2", "--budget", "6", "--layers", "2")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    rows = _table(done.stdout)
    assert [row[0] for row in rows] == [f"--recipe default --strategy {DEFAULT_STRATEGY}", "--recipe alert (alert search)"]
    assert {row[1] for row in rows} == {"2"}  # the same two inputs
    for row in rows:
        queries, per_input, rate, bare_rate = int(row[3]), float(row[4]), row[6], row[7]
        assert queries > 0 and per_input > 0 and rate != "-" and bare_rate != "-"
    assert done.stdout.count("candidate preparation:") == 2


def test_an_unknown_recipe_is_refused_before_any_model_is_built(tmp_path):
    done = _run(tmp_path, "--recipes", "default,nope")
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr
    assert "command:" not in done.stdout
