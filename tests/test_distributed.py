"""Sharded runs (metacompress.distributed): the same results as one process, and clean failures.

The fast tests simulate a team in one process (every rank's share run in turn); the slow ones
launch two real processes with ``accelerate launch`` over gloo on the CPU.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audit_fixtures import build_models, write_pairs
from metacompress import distributed
from metacompress.distributed import StoppedElsewhere, Team
from metacompress.errors import InputError, UsageError
from metacompress.inference import InferenceSettings, predict_proba
from metacompress.rewriting import rewrite_all
from metacompress.tasks.base import Example
from test_inference import CharClassifier, snippets

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class Simulated(Team):
    """A team whose every rank runs here, one after the other: what gather would collect."""

    def run_everywhere(self, step):
        parts = []
        for rank in range(self.size):
            self.rank = rank
            parts.append(step())
        self.rank = 0
        return parts


@pytest.fixture
def team_of(monkeypatch):
    def make(size: int) -> Team:
        team = Simulated(rank=0, size=size, device="cpu")
        monkeypatch.setattr(distributed, "_TEAM", team)
        return team

    return make


@pytest.mark.parametrize("count, size", [(0, 2), (1, 2), (7, 2), (10, 3), (5, 8)])
def test_shares_are_contiguous_and_cover_every_item_once(count, size):
    shares = [Team(rank, size).share(count) for rank in range(size)]
    assert [i for share in shares for i in share] == list(range(count))


@pytest.mark.parametrize("size", [2, 3])
def test_sharded_predictions_equal_one_process(team_of, size):
    model = CharClassifier("sequence")
    texts = snippets(30)
    texts = texts + texts[:9] + ["\ud800 cannot be encoded"]  # duplicates and one the tokenizer rejects
    settings = InferenceSettings(batch_size=4, device="cpu", progress=False)
    alone = predict_proba(model, texts, settings)
    team_of(size)
    shared = distributed.predict_proba(model, texts, settings)
    np.testing.assert_allclose(shared.probs, alone.probs, atol=1e-6, rtol=0)  # the engine's batching contract
    assert np.array_equal(shared.digests, alone.digests)
    assert np.array_equal(shared.truncated, alone.truncated)
    assert shared.failed == alone.failed
    assert shared.distinct_sequences == alone.distinct_sequences
    assert shared.device == "cpu"


def test_sharded_pair_predictions_equal_one_process(team_of):
    model = CharClassifier("pair-concat", labels=2, seed=1)
    texts = snippets(12)
    pairs = [(texts[i], texts[(i * 5) % 12]) for i in range(12)] + [[texts[0], texts[0]]]
    settings = InferenceSettings(batch_size=3, device="cpu", progress=False)
    alone = predict_proba(model, pairs, settings)
    team_of(2)
    shared = distributed.predict_proba(model, pairs, settings)
    np.testing.assert_allclose(shared.probs, alone.probs, atol=1e-6, rtol=0)
    assert np.array_equal(shared.digests, alone.digests)
    assert shared.distinct_sequences == alone.distinct_sequences


def test_sharded_rewrites_equal_one_process(team_of):
    code = [s["code"] for s in map(json.loads, (REPO / "examples/clone-detection/methods.jsonl").read_text().splitlines())]
    examples = [Example(f"e{i}", (code[i], code[-i - 1]), None) for i in range(7)]
    relations = ["rename-identifiers", "insert-dead-code", "swap-if-else"]
    alone = rewrite_all(examples, relations, "java", (0, 1), 3, progress=False)
    team_of(3)
    assert distributed.rewrite_all(examples, relations, "java", (0, 1), 3, progress=False) == alone


def test_an_error_on_one_process_is_reported_by_the_main_one_and_stops_the_others():
    failed = [(1, (InputError, "data.jsonl: line 3 is not JSON"))]
    main = Team(0, 2)._failure(failed, None)
    assert isinstance(main, InputError) and str(main) == "process 1: data.jsonl: line 3 is not JSON"
    other = Team(1, 2)._failure(failed, InputError("data.jsonl: line 3 is not JSON"))
    assert isinstance(other, StoppedElsewhere) and other.exit_code == 2
    bug = Team(0, 2)._failure([(1, (KeyError, "'x'"))], None)
    assert isinstance(bug, RuntimeError) and "process 1: KeyError" in str(bug)
    own = UsageError("--limit must be at least 1")
    assert Team(0, 2)._failure([(0, (UsageError, str(own)))], own) is own


def _accelerate_imported(*args: str, block: bool = False) -> subprocess.CompletedProcess:
    """Run the CLI with ``args`` in a fresh process; the last line of stdout says whether accelerate
    was imported. ``block`` makes accelerate impossible to import, as if it were not installed."""
    script = (
        "import sys\n"
        + ("sys.modules['accelerate'] = None\n" if block else "")
        + "from metacompress.cli import cli\n"
        f"try:\n    cli.main({list(args)!r}, standalone_mode=False)\n"
        "finally:\n    print('accelerate' in sys.modules and sys.modules['accelerate'] is not None)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("WORLD_SIZE", None)
    return subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, env=env, timeout=300, cwd=REPO)


def test_help_and_transform_do_not_import_accelerate(tmp_path):
    snippet = tmp_path / "A.java"
    snippet.write_text("class A { int f(int a) { return a + 1; } }\n")
    for args in (["--help"], ["transform", "--relation", "rename-identifiers", str(snippet)]):
        done = _accelerate_imported(*args)
        assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == "False", (args, done.stderr)


def test_one_process_runs_without_accelerate(tmp_path):
    # transformers imports accelerate by itself when it is installed; metacompress must not need it
    models = build_models(tmp_path / "models")
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=4)
    done = _accelerate_imported(*_run_args(models, pairs, tmp_path / "out"), block=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "out" / "report.json").exists()


def test_a_launch_without_accelerate_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setitem(sys.modules, "accelerate", None)
    monkeypatch.setattr(distributed, "_TEAM", None)
    with pytest.raises(UsageError, match="metacompress\\[distributed\\]"):
        distributed.current_team("cpu")


# ---- two real processes ---------------------------------------------------------------------------


def _run_args(models, pairs, out, *extra) -> list[str]:
    return ["run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
            "--task", "clone-detection", "--data", str(pairs), "--device", "cpu",
            "--relations", "insert-dead-code,add-unused-variable,rename-identifiers", "--bootstrap", "50",
            "--quiet", "--out", str(out), *extra]


def _launch(args: list[str], processes: int, port: int, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [PYTHON, "-m", "metacompress", *args]
    if processes > 1:
        command = [PYTHON, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
                   "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                   "--main_process_port", str(port), "-m", "metacompress", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO)


@pytest.fixture(scope="module")
def launch_inputs(tmp_path_factory):
    pytest.importorskip("accelerate")
    root = tmp_path_factory.mktemp("shard")
    return build_models(root / "models"), write_pairs(root / "pairs.jsonl", count=12)


UNSHARED = {"command", "created", "timings_s", "inference_seconds", "out"}


def _close(a, b, where: str = "") -> None:
    """Equal documents, with floats within the engine's 1e-6 (batch composition differs by shard)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            if key not in UNSHARED:
                _close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, abs_tol=1e-6) or (math.isnan(a) and math.isnan(b)), (where, a, b)
    else:
        assert a == b, (where, a, b)


def _cell(text: str):
    """A samples.csv cell as a value: numbers and probability lists compared as numbers."""
    try:
        return float(text)
    except ValueError:
        pass
    if text.startswith("[") and text.endswith("]"):
        return [float(x) for x in ast.literal_eval(text)]
    return text


def _samples(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k: _cell(v) for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.mark.slow
def test_two_processes_write_the_report_of_one(launch_inputs, tmp_path):
    models, pairs = launch_inputs
    clock = time.perf_counter()
    alone = _launch(_run_args(models, pairs, tmp_path / "one"), 1, 0)
    one_s = time.perf_counter() - clock
    assert alone.returncode == 0, alone.stderr
    clock = time.perf_counter()
    shared = _launch(_run_args(models, pairs, tmp_path / "two"), 2, 29631)
    two_s = time.perf_counter() - clock
    assert shared.returncode == 0, shared.stderr
    print(f"wall time: 1 process {one_s:.1f} s, 2 processes {two_s:.1f} s")
    assert shared.stdout.count("report:") == 1  # only the main process prints
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    two = json.loads((tmp_path / "two" / "report.json").read_text())
    _close(one, two)
    _close(_samples(tmp_path / "one" / "samples.csv"), _samples(tmp_path / "two" / "samples.csv"))
    assert (tmp_path / "one" / "rewrites.jsonl").read_bytes() == (tmp_path / "two" / "rewrites.jsonl").read_bytes()


@pytest.mark.slow
def test_a_usage_error_under_launch_stops_every_process_with_one_message(launch_inputs, tmp_path):
    models, pairs = launch_inputs
    clock = time.perf_counter()
    done = _launch(_run_args(models, pairs, tmp_path / "r", "--limit", "0"), 2, 29632, timeout=120)
    assert time.perf_counter() - clock < 110
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "--limit" in errors[0], done.stderr
    assert not (tmp_path / "r").exists()


class Beside(Team):
    """A team whose other processes' outcomes are given: ``gather`` puts this one's among them."""

    def __init__(self, rank: int, others: list):
        super().__init__(rank, len(others) + 1)
        self.others = others

    def gather(self, part):
        return self.others[: self.rank] + [part] + self.others[self.rank :]


def test_together_raises_on_every_process_when_one_fails():
    broken = (distributed._portable(InputError("pairs.jsonl: no usable examples")), None)
    with pytest.raises(InputError, match="^process 1: pairs.jsonl: no usable examples$"):
        Beside(0, [broken]).together(lambda: "fine here")
    with pytest.raises(StoppedElsewhere) as stopped:
        Beside(1, [broken, (None, None)]).together(lambda: "fine here")
    assert stopped.value.exit_code == 2
    assert Beside(0, [(None, None)]).together(lambda: "fine") == "fine"
    assert Beside(1, [(None, "a")]).run_everywhere(lambda: "b") == ["a", "b"]
