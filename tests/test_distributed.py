"""Sharded runs (metacompress.distributed): the same results as one process, and clean failures.

The fast tests simulate a team in one process (every rank's share run in turn); the slow ones
launch two real processes with ``accelerate launch`` over gloo on the CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from audit_fixtures import build_models, methods, store_counts, write_pairs
from metacompress import distributed
from metacompress.distributed import StoppedElsewhere, Team
from metacompress.errors import InputError, UsageError
from metacompress.inference import InferenceSettings
from metacompress.rewriting import rewrite_all
from metacompress.tasks.base import Example
from test_inference import CharClassifier, snippets

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class Simulated(Team):
    """A team whose every rank runs here, one after the other: what gather would collect. The
    ranks share this process's state, so a step every process runs on its own runs once."""

    def run_everywhere(self, step):
        parts = []
        for rank in range(self.size):
            self.rank = rank
            parts.append(step())
        self.rank = 0
        return parts

    def together(self, step):
        return step()

    def gather(self, part):
        return [part] * self.size


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


def _finished(model, inputs, settings) -> list[tuple]:
    """What ``on_batch`` is handed, call by call, as plain values."""
    seen = []
    predicted = distributed.predict_proba(model, inputs, settings, on_batch=seen.append)
    return predicted, [(f.indices.tolist(), f.probs.tobytes(), f.truncated.tolist(), f.digests.tolist()) for f in seen]


def _same(shared, alone) -> None:
    """Bitwise equal Predictions (timings aside)."""
    assert shared.probs.tobytes() == alone.probs.tobytes()
    assert np.array_equal(shared.digests, alone.digests)
    assert np.array_equal(shared.truncated, alone.truncated)
    assert shared.failed == alone.failed
    assert shared.distinct_sequences == alone.distinct_sequences
    assert shared.device == alone.device == "cpu"


@pytest.mark.parametrize("size", [2, 3])
def test_sharded_predictions_are_bitwise_those_of_one_process(team_of, size):
    model = CharClassifier("sequence")
    texts = snippets(30)
    texts = texts + texts[:9] + ["\ud800 cannot be encoded"]  # duplicates and one the tokenizer rejects
    settings = InferenceSettings(batch_size=4, device="cpu", progress=False)
    alone, handed_alone = _finished(model, texts, settings)
    encoded_alone, model.rows_encoded = model.rows_encoded, 0
    team_of(size)
    shared, handed_shared = _finished(model, texts, settings)
    _same(shared, alone)
    assert handed_shared == handed_alone  # the store saves the same inputs after the same batches
    assert model.rows_encoded == encoded_alone  # no unit is encoded by two processes


def test_sharded_pair_predictions_are_bitwise_those_of_one_process(team_of):
    model = CharClassifier("pair-concat", labels=2, seed=1)
    texts = snippets(12)
    pairs = [(texts[i], texts[(i * 5) % 12]) for i in range(12)] + [[texts[0], texts[0]]]
    settings = InferenceSettings(batch_size=3, device="cpu", progress=False)
    alone, handed_alone = _finished(model, pairs, settings)
    team_of(2)
    shared, handed_shared = _finished(model, pairs, settings)
    _same(shared, alone)
    assert handed_shared == handed_alone


def test_each_process_computes_every_size_th_batch_and_all_consume_them_in_order(team_of):
    team = team_of(3)
    computed_by: dict[int, int] = {}

    def compute(batch):
        computed_by[batch[0]] = team.rank
        return torch.tensor(batch)

    consumed = []
    team.run_batches([[b] for b in range(7)], compute, lambda batch, result: consumed.append(result.tolist()))
    assert computed_by == {b: b % 3 for b in range(7)}
    assert consumed == [[b] for b in range(7)]


def test_an_error_while_consuming_a_round_stops_the_next_one(team_of):
    team = team_of(2)
    computed = []

    def consume(batch, result):
        if batch == [1]:
            raise InputError("store.sqlite: disk full")

    with pytest.raises(InputError, match="disk full"):
        team.run_batches([[b] for b in range(6)], lambda batch: computed.append(batch) or torch.zeros(1), consume)
    assert computed == [[0], [1]]  # the round after the failing one computed nothing


def test_a_sharded_run_takes_stored_outputs_from_the_main_process_and_computes_only_the_rest(team_of, tmp_path):
    from models_fixtures import build_tiny_checkpoint

    from metacompress.models import load_model
    from metacompress.store import PredictionStore, predict_with_store

    model = load_model(str(build_tiny_checkpoint(tmp_path / "pair", "pair-concat-cls")))
    texts = [m["code"] for m in methods()]
    pairs = [(texts[i], texts[(i * 7 + 3) % len(texts)]) for i in range(20)]
    settings = InferenceSettings(batch_size=3, device="cpu", progress=False)
    with PredictionStore(tmp_path / "alone.sqlite") as store:
        predict_with_store(model, pairs[:8], settings, store)
        alone, _ = predict_with_store(model, pairs, settings, store)
    team_of(2)
    with PredictionStore(tmp_path / "shared.sqlite") as store:
        predict_with_store(model, pairs[:8], settings, store)
        shared, counts = predict_with_store(model, pairs, settings, store)
        assert (counts.from_store, counts.computed) == (8, 12)
        warm, counts = predict_with_store(model, pairs, settings, store)
        assert (counts.from_store, counts.computed) == (20, 0)
    assert shared.probs.tobytes() == alone.probs.tobytes() == warm.probs.tobytes()


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


def _launch(args: list[str], processes: int, port: int, timeout: int = 300,
            script: Path | None = None) -> subprocess.CompletedProcess:
    """``metacompress ARGS`` (or ``python SCRIPT ARGS``), as one process or launched as several."""
    # CPU kernels may round differently with another thread count, and torchrun gives each of
    # several processes one thread: one process gets one too, so the two runs can agree bitwise
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    target = [str(script)] if script else ["-m", "metacompress"]
    command = [PYTHON, *target, *args]
    if processes > 1:
        command = [PYTHON, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
                   "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                   "--main_process_port", str(port), *target, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO)


@pytest.fixture(scope="module")
def launch_inputs(tmp_path_factory):
    pytest.importorskip("accelerate")
    root = tmp_path_factory.mktemp("shard")
    return build_models(root / "models"), write_pairs(root / "pairs.jsonl", count=12)


#: what differs between any two runs: when, how long, how it was started, where it wrote
UNSHARED = {"command", "created", "timings_s", "inference_seconds", "out", "cache"}
STORE_COUNTS = {"outputs_from_store", "outputs_computed", "distinct_sequences_encoded"}


def _figures(folder: Path, leave_out: set[str] = frozenset()) -> dict:
    """report.json without what differs between two runs of the same audit."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in UNSHARED | leave_out}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads((folder / "report.json").read_text()))


def _same_report(one: Path, two: Path, leave_out: set[str] = frozenset()) -> None:
    assert _figures(one, leave_out) == _figures(two, leave_out)
    assert (one / "samples.csv").read_bytes() == (two / "samples.csv").read_bytes()
    assert (one / "rewrites.jsonl").read_bytes() == (two / "rewrites.jsonl").read_bytes()


def _timed(args: list[str], processes: int, port: int) -> float:
    clock = time.perf_counter()
    done = _launch(args, processes, port)
    assert done.returncode == 0, done.stderr
    if processes > 1:
        assert done.stdout.count("report:") == 1  # only the main process prints
    return time.perf_counter() - clock


@pytest.mark.slow
def test_two_processes_write_the_report_of_one_and_share_its_store(launch_inputs, tmp_path):
    models, pairs = launch_inputs
    # small batches, so that a process computing another batch plan than one process would
    # (other batch members, other padding) gives other last bits
    one_store, two_store = (f"--cache={tmp_path / name}.sqlite --batch-size=5".split() for name in ("one", "two"))
    one_s = _timed(_run_args(models, pairs, tmp_path / "one", *one_store), 1, 0)
    two_s = _timed(_run_args(models, pairs, tmp_path / "two", *two_store), 2, 29631)
    print(f"wall time, cold store: 1 process {one_s:.1f} s, 2 processes {two_s:.1f} s")
    _same_report(tmp_path / "one", tmp_path / "two")
    computed = store_counts(tmp_path / "one")
    assert all(hits == 0 and made > 0 for hits, made in computed.values())
    # a warm store (written by one process) leaves two processes nothing to compute
    _timed(_run_args(models, pairs, tmp_path / "warm-two", *one_store), 2, 29633)
    assert store_counts(tmp_path / "warm-two") == {role: (made, 0) for role, (_, made) in computed.items()}
    _same_report(tmp_path / "one", tmp_path / "warm-two", STORE_COUNTS)
    # and the store two processes filled leaves one process nothing to compute
    _timed(_run_args(models, pairs, tmp_path / "warm-one", *two_store), 1, 0)
    assert store_counts(tmp_path / "warm-one") == {role: (made, 0) for role, (_, made) in computed.items()}
    _same_report(tmp_path / "one", tmp_path / "warm-one", STORE_COUNTS)


@pytest.mark.slow
def test_two_processes_match_one_for_a_pair_concat_head_and_for_single_snippets(tmp_path):
    pytest.importorskip("accelerate")
    from models_fixtures import build_tiny_checkpoint

    # a pair-concat head encodes each function once, then classifies pairs from the two vectors
    heads = {role: build_tiny_checkpoint(tmp_path / role, "pair-concat-cls", seed=seed)
             for role, seed in (("teacher", 0), ("perturbed", 1))}
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=10, seed=3)
    for processes, port in ((1, 0), (2, 29634)):
        _timed(_run_args(heads, pairs, tmp_path / f"pairs-{processes}", "--no-cache", "--batch-size", "3"),
               processes, port)
    _same_report(tmp_path / "pairs-1", tmp_path / "pairs-2")
    # a single-snippet task
    models = build_models(tmp_path / "models")
    snippets_file = tmp_path / "snippets.jsonl"
    snippets_file.write_text("".join(json.dumps({"key": f"m{k}", "code": m["code"], "label": k % 2}) + "\n"
                                     for k, m in enumerate(methods()[:10])), encoding="utf-8")
    for processes, port in ((1, 0), (2, 29635)):
        args = _run_args(models, snippets_file, tmp_path / f"single-{processes}", "--batch-size", "4",
                         f"--cache={tmp_path / f'single-{processes}.sqlite'}")
        args[args.index("clone-detection")] = "code-classification"
        args += ["--language", "java", "--task-option", "label_names=not-clone,clone", "--task-option", "id-field=key"]
        _timed(args, processes, port)
    _same_report(tmp_path / "single-1", tmp_path / "single-2")


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


#: run under the launcher: joins the team, imports what loading a RoBERTa model imports, gathers
#: once, and says at exit how many threads are left (this handler, registered before the team
#: is joined, runs after the team's own)
AT_EXIT_SCRIPT = """
import atexit
import os
import torch.distributed as dist
from metacompress.distributed import current_team

threads = lambda: len(os.listdir("/proc/self/task"))
alone = threads()
atexit.register(lambda: print(f"at exit: group open {dist.is_initialized()}, threads {threads()} of {alone}", flush=True))
team = current_team("cpu")
import torch.distributed.nn  # transformers imports it with RoBERTa, after the group exists
print(f"gathered {team.gather(team.rank)}", flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counting threads needs Linux's /proc")
def test_every_process_closes_its_process_group_and_its_threads_before_it_exits(tmp_path):
    # gloo's threads left running past the interpreter now and then abort a finished run (exit -6)
    pytest.importorskip("accelerate")
    script = tmp_path / "join.py"
    script.write_text(AT_EXIT_SCRIPT, encoding="utf-8")
    done = _launch([], 2, 29637, timeout=120, script=script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("gathered [0, 1]") == 2, done.stdout
    assert done.stdout.count("at exit: group open False, threads 1 of 1") == 2, done.stdout


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


def _attack_args(models, pairs, out, *extra) -> list[str]:
    return ["attack", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
            "--task", "clone-detection", "--data", str(pairs), "--device", "cpu", "--objective", "flip-both",
            "--strategy", "genetic", "--budget", "12", "--limit", "7", "--bootstrap", "50", "--batch-size", "4",
            "--out", str(out), *extra]


@pytest.mark.slow
def test_two_processes_write_the_attack_of_one_and_share_its_store(launch_inputs, tmp_path):
    models, pairs = launch_inputs
    store = f"--cache={tmp_path / 'store.sqlite'}"
    one_s = _timed(_attack_args(models, pairs, tmp_path / "one", "--no-cache"), 1, 0)
    two_s = _timed(_attack_args(models, pairs, tmp_path / "two", store), 2, 29636)
    print(f"attack wall time: 1 process {one_s:.1f} s, 2 processes {two_s:.1f} s")
    for name in ("adversarial.jsonl", "report.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert _figures(tmp_path / "one", STORE_COUNTS | {"no_cache"}) == _figures(tmp_path / "two", STORE_COUNTS | {"no_cache"})
    filled = store_counts(tmp_path / "two")
    assert all(hits == 0 and made > 0 for hits, made in filled.values())
    # each process stored its own searches: one process later finds every output there
    _timed(_attack_args(models, pairs, tmp_path / "warm", store), 1, 0)
    assert store_counts(tmp_path / "warm") == {role: (made, 0) for role, (_, made) in filled.items()}
    assert (tmp_path / "warm" / "adversarial.jsonl").read_bytes() == (tmp_path / "one" / "adversarial.jsonl").read_bytes()
