"""The prediction store: outputs saved per model and input, reused only for the same model,
tokenizer, precision and device, written batch by batch so a killed run resumes to the same report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from conftest import REPO
from metacompress import store as store_module
from metacompress.cli import cli
from metacompress.inference import InferenceSettings, predict_proba
from metacompress.models import load_model
from metacompress.store import ModelKey, PredictionStore, input_key, model_key, predict_with_store

RELATIONS = "insert-dead-code,add-unused-variable,swap-if-else"
QUIET = InferenceSettings(batch_size=3, device="cpu", progress=False)
SLOW_RUN = """
import sys, time
from metacompress import inference
pad = inference._Runner._pad
def slow_pad(self, rows):
    time.sleep(0.05)
    return pad(self, rows)
inference._Runner._pad = slow_pad
from metacompress.cli import main
main(sys.argv[1:])
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=24)


@pytest.fixture(scope="module")
def inputs(pairs):
    records = [json.loads(line) for line in pairs.read_text().splitlines()]
    return [(r["code1"], r["code2"]) for r in records]


def run_args(models, pairs, out, *extra: str, student: str = "perturbed") -> list[str]:
    return ["run", "--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(pairs), "--relations", RELATIONS, "--bootstrap", "50", "--quiet", "--out", str(out), *extra]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def store_rows(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(str(path), timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM outputs").fetchone()[0]
    except sqlite3.Error:  # the tables are not created yet
        return 0


def figures(out: Path) -> dict:
    """report.json without what depends on timing or on what the store held."""
    report = json.loads((out / "report.json").read_text())
    for key in ("timings_s", "created", "command"):
        report["run"].pop(key)
    report["run"]["config"].pop("out")
    for model in report["run"]["models"].values():
        for key in ("inference_seconds", "outputs_from_store", "outputs_computed", "distinct_sequences_encoded"):
            model.pop(key)
    return report


# ---- the store itself ---------------------------------------------------------------------------


def test_outputs_round_trip_exactly_and_only_under_their_own_key(tmp_path):
    key = ModelKey("sha256:aa", "sha256:bb", "fp32", "cpu")
    probs = np.array([0.1 + 1e-17, 0.9 - 2.0**-52])
    with PredictionStore(tmp_path / "s.sqlite") as store:
        row = store.model_id(key, "teacher-folder")
        store.write(row, [(input_key("int f();"), probs, True, 2**64 - 1)])
        found = store.lookup(row, [input_key("int f();"), input_key("int g();")])
        assert list(found) == [input_key("int f();")]
        assert found[input_key("int f();")].probs.tobytes() == probs.tobytes()
        assert found[input_key("int f();")].truncated is True and found[input_key("int f();")].digest == 2**64 - 1
        for other in (ModelKey("sha256:ab", "sha256:bb", "fp32", "cpu"), ModelKey("sha256:aa", "sha256:bc", "fp32", "cpu"),
                      ModelKey("sha256:aa", "sha256:bb", "bf16", "cpu"), ModelKey("sha256:aa", "sha256:bb", "fp32", "cuda")):
            assert store.lookup(store.model_id(other), [input_key("int f();")]) == {}


def test_input_keys_tell_singles_and_pairs_apart():
    assert input_key("ab") != input_key(("a", "b"))
    assert input_key(("a", "bc")) != input_key(("ab", "c"))
    assert input_key(("a", "b")) == input_key(("a", "b"))


def test_default_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert store_module.default_path() == tmp_path / "metacompress" / "predictions.sqlite"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert store_module.default_path() == Path.home() / ".cache" / "metacompress" / "predictions.sqlite"


# ---- inference through the store ---------------------------------------------------------------


def test_on_batch_hands_over_every_input_once_with_the_returned_values(models, inputs):
    model = load_model(str(models["teacher"]))
    seen = []
    result = predict_proba(model, inputs + inputs[:3], QUIET, on_batch=seen.append)
    assert len(seen) > 3  # one call per finished batch, not one at the end
    indices = np.concatenate([s.indices for s in seen])
    assert sorted(indices.tolist()) == list(range(len(inputs) + 3))
    for finished in seen:
        assert np.array_equal(finished.probs, result.probs[finished.indices])
        assert np.array_equal(finished.digests, result.digests[finished.indices])
        assert np.array_equal(finished.truncated, result.truncated[finished.indices])


def test_a_warm_store_gives_the_cold_values_without_running_the_model(models, inputs, tmp_path, monkeypatch):
    model = load_model(str(models["teacher"]))
    with PredictionStore(tmp_path / "s.sqlite") as store:
        cold, counts = predict_with_store(model, inputs + inputs[:2], QUIET, store)
        assert (counts.from_store, counts.computed) == (0, len(inputs))
        np.testing.assert_allclose(cold.probs, predict_proba(model, inputs + inputs[:2], QUIET).probs, atol=1e-6, rtol=0)

        def refuse(*args, **kwargs):
            raise AssertionError("the model ran although the store holds every output")

        monkeypatch.setattr("metacompress.inference.predict_proba", refuse)
        warm, counts = predict_with_store(model, inputs + inputs[:2], QUIET, store)
    assert (counts.from_store, counts.computed) == (len(inputs), 0)
    assert warm.probs.tobytes() == cold.probs.tobytes()
    assert np.array_equal(warm.digests, cold.digests) and np.array_equal(warm.truncated, cold.truncated)


def test_changed_weights_tokenizer_or_precision_never_reuse_an_output(models, inputs, tmp_path):
    teacher = load_model(str(models["teacher"]))
    retokenised = tmp_path / "retokenised"  # the teacher's weights with another max length
    shutil.copytree(models["teacher"], retokenised)
    settings = json.loads((retokenised / "tokenizer_config.json").read_text())
    settings["model_max_length"] = 40
    (retokenised / "tokenizer_config.json").write_text(json.dumps(settings))
    retokenised = load_model(str(retokenised))
    perturbed = load_model(str(models["perturbed"]))
    same = load_model(str(models["same"]))  # a copy of the teacher folder: the same model
    assert retokenised.info.fingerprint == teacher.info.fingerprint
    assert retokenised.info.preprocessing_fingerprint != teacher.info.preprocessing_fingerprint
    assert model_key(teacher, "fp32", "cpu") != model_key(teacher, "bf16", "cpu")
    assert model_key(teacher, "fp32", "cpu") != model_key(teacher, "fp32", "cuda")
    with PredictionStore(tmp_path / "s.sqlite") as store:
        predict_with_store(teacher, inputs, QUIET, store)
        for other in (retokenised, perturbed):
            result, counts = predict_with_store(other, inputs, QUIET, store)
            assert counts.from_store == 0
            np.testing.assert_allclose(result.probs, predict_proba(other, inputs, QUIET).probs, atol=1e-6, rtol=0)
        assert predict_with_store(same, inputs, QUIET, store)[1].from_store == len(inputs)
        fp16 = store.model_id(model_key(teacher, "fp16", "cuda"))
        assert store.lookup(fp16, [input_key(x) for x in inputs]) == {}


def test_a_model_without_a_preprocessing_fingerprint_is_not_stored(models, inputs, tmp_path):
    model = load_model(str(models["teacher"]))
    model.info.preprocessing_fingerprint = ""
    with PredictionStore(tmp_path / "s.sqlite") as store:
        for _ in range(2):
            assert predict_with_store(model, inputs, QUIET, store)[1].from_store == 0
        assert store.count() == 0


# ---- run, cache info, cache prune ----------------------------------------------------------------


def test_a_second_run_takes_every_output_from_the_store(models, pairs, tmp_path):
    cache = tmp_path / "c.sqlite"
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(cache))).exit_code == 0
    assert invoke(*run_args(models, pairs, tmp_path / "b", "--cache", str(cache))).exit_code == 0
    first = json.loads((tmp_path / "a" / "report.json").read_text())["run"]["models"]
    second = json.loads((tmp_path / "b" / "report.json").read_text())["run"]["models"]
    for role in ("teacher", "student"):
        assert first[role]["outputs_from_store"] == 0 and first[role]["outputs_computed"] > 0
        assert second[role]["outputs_from_store"] == first[role]["outputs_computed"]
        assert second[role]["outputs_computed"] == 0
    assert figures(tmp_path / "a") == figures(tmp_path / "b")
    assert (tmp_path / "a" / "samples.csv").read_bytes() == (tmp_path / "b" / "samples.csv").read_bytes()
    assert "cache" not in json.loads((tmp_path / "a" / "report.json").read_text())["run"]["config"]


def test_the_default_store_lies_under_xdg_cache_home_and_no_cache_leaves_it_alone(models, pairs, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--no-cache")).exit_code == 0
    assert not (tmp_path / "xdg").exists()
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["run"]["models"]["teacher"]["outputs_from_store"] == 0
    assert invoke(*run_args(models, pairs, tmp_path / "b")).exit_code == 0
    assert store_rows(tmp_path / "xdg" / "metacompress" / "predictions.sqlite") > 0


def test_a_copy_of_the_teacher_as_student_is_all_store_hits(models, pairs, tmp_path):
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(tmp_path / "c.sqlite"), student="same")).exit_code == 0
    used = json.loads((tmp_path / "a" / "report.json").read_text())["run"]["models"]
    assert used["student"]["outputs_computed"] == 0
    assert used["student"]["outputs_from_store"] == used["teacher"]["outputs_computed"]


def test_cache_info_and_prune(models, pairs, tmp_path):
    cache = str(tmp_path / "c.sqlite")
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--cache", cache)).exit_code == 0
    teacher = load_model(str(models["teacher"])).info.fingerprint
    shown = invoke("cache", "info", "--cache", cache)
    assert shown.exit_code == 0
    assert "from 2 model(s)" in shown.output and teacher[:19] in shown.output and str(models["perturbed"]) in shown.output
    total = store_rows(Path(cache))
    pruned = invoke("cache", "prune", "--cache", cache, "--model", teacher.removeprefix("sha256:")[:12])
    assert pruned.exit_code == 0 and "of 1 model(s)" in pruned.output
    assert 0 < store_rows(Path(cache)) < total
    assert invoke("cache", "prune", "--cache", cache, "--older-than", "1").output.startswith("removed 0 output(s)")
    assert invoke("cache", "prune", "--cache", cache, "--all").exit_code == 0
    assert store_rows(Path(cache)) == 0
    nothing = invoke("cache", "prune", "--cache", cache)
    assert nothing.exit_code == 2 and "--all" in nothing.output


def test_a_file_that_is_not_a_store_is_a_one_line_error(models, pairs, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database at all, just text that is long enough\n" * 20)
    for args in (["cache", "info", "--cache", str(bad)], run_args(models, pairs, tmp_path / "a", "--cache", str(bad))):
        result = invoke(*args)
        assert result.exit_code == 2
        assert f"{bad}: not a usable prediction store" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "a").exists()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(str(other)) as connection:
        connection.execute("CREATE TABLE t (x)")
    result = invoke("cache", "info", "--cache", str(other))
    assert result.exit_code == 2 and "not a metacompress prediction store" in result.output


def test_a_locked_store_is_a_one_line_error(models, pairs, tmp_path, monkeypatch):
    cache = tmp_path / "c.sqlite"
    PredictionStore(cache).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(str(cache), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = invoke("cache", "prune", "--cache", str(cache), "--all")
        assert result.exit_code == 2 and "locked by another process" in result.output
        result = invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(cache)))
        assert result.exit_code == 2 and "locked by another process" in result.output
    finally:
        holder.execute("ROLLBACK")
        holder.close()


OPEN_AT_ONCE = """
import sys, time
from metacompress.store import PredictionStore
first, gap, paths = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
for k, path in enumerate(paths):
    time.sleep(max(0.0, first + k * gap - time.time()))
    PredictionStore(path).close()
"""


def test_processes_creating_one_store_at_the_same_moment_all_open_it(tmp_path):
    # Two runs (or the processes of one sharded attack) creating the same store at once: SQLite
    # refuses a switch to WAL at once, without waiting, while another process switches. Every
    # round below starts three processes on a fresh file in the same instant.
    paths = [str(tmp_path / f"s{k}.sqlite") for k in range(15)]
    first = time.time() + 2.0
    children = [subprocess.Popen([sys.executable, "-c", OPEN_AT_ONCE, str(first), "0.15", *paths],
                                 cwd=REPO, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    problems = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], "\n".join(problems)
    for path in paths:
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_and_no_cache_together_are_refused(models, pairs, tmp_path):
    result = invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(tmp_path / "c"), "--no-cache"))
    assert result.exit_code == 2 and "--no-cache" in result.output


# ---- resume -------------------------------------------------------------------------------------


def test_ctrl_c_keeps_the_store_consistent_and_says_how_to_resume(models, pairs, tmp_path, monkeypatch):
    cache = tmp_path / "c.sqlite"
    from metacompress import inference

    pad, calls = inference._Runner._pad, []

    def interrupted_pad(self, rows):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return pad(self, rows)

    monkeypatch.setattr(inference._Runner, "_pad", interrupted_pad)
    result = CliRunner().invoke(cli, run_args(models, pairs, tmp_path / "a", "--cache", str(cache), "--batch-size", "2"))
    assert result.exit_code == 130
    assert f"saved in {cache}" in result.output and "run the same command again to resume" in result.output
    assert store_rows(cache) == 10  # five committed batches of two
    with sqlite3.connect(str(cache)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    monkeypatch.setattr(inference._Runner, "_pad", pad)
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(cache), "--batch-size", "2")).exit_code == 0
    resumed = json.loads((tmp_path / "a" / "report.json").read_text())["run"]["models"]["teacher"]
    assert resumed["outputs_from_store"] == 10


def test_a_killed_run_resumes_to_the_report_of_an_uninterrupted_one(models, pairs, tmp_path):
    cache = tmp_path / "resumed.sqlite"
    args = run_args(models, pairs, tmp_path / "resumed", "--cache", str(cache), "--batch-size", "2")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", SLOW_RUN, *args], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while store_rows(cache) < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed: " + process.stderr.read().decode()[-2000:]
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    saved = store_rows(cache)
    assert saved >= 8 and not (tmp_path / "resumed" / "report.json").exists()

    done = subprocess.run([sys.executable, "-m", "metacompress", *args], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    whole = run_args(models, pairs, tmp_path / "whole", "--cache", str(tmp_path / "whole.sqlite"), "--batch-size", "2")
    done = subprocess.run([sys.executable, "-m", "metacompress", *whole], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]

    resumed = json.loads((tmp_path / "resumed" / "report.json").read_text())["run"]["models"]
    assert resumed["teacher"]["outputs_from_store"] > 0
    assert sum(m["outputs_from_store"] for m in resumed.values()) >= saved // 2  # teacher and student rows of the killed run
    assert figures(tmp_path / "resumed") == figures(tmp_path / "whole")
    assert (tmp_path / "resumed" / "samples.csv").read_bytes() == (tmp_path / "whole" / "samples.csv").read_bytes()


def test_a_pair_concat_head_saves_each_pair_once_both_functions_are_encoded(inputs, tmp_path):
    from models_fixtures import build_tiny_checkpoint

    model = load_model(str(build_tiny_checkpoint(tmp_path / "pair", "pair-concat-cls")))
    assert model.head == "pair-concat" and model.info.preprocessing_fingerprint
    pairs = inputs + [(b, a) for a, b in inputs[:5]]
    seen = []
    reference = predict_proba(model, pairs, QUIET, on_batch=seen.append)
    assert len(seen) > 1
    assert sorted(np.concatenate([s.indices for s in seen]).tolist()) == list(range(len(pairs)))
    for finished in seen:
        np.testing.assert_allclose(finished.probs, reference.probs[finished.indices], atol=1e-6, rtol=0)
    with PredictionStore(tmp_path / "s.sqlite") as store:
        cold, counts = predict_with_store(model, pairs, QUIET, store)
        warm, again = predict_with_store(model, pairs, QUIET, store)
    assert (counts.computed, again.from_store, again.computed) == (len(pairs), len(pairs), 0)
    assert warm.probs.tobytes() == cold.probs.tobytes()
    np.testing.assert_allclose(cold.probs, reference.probs, atol=1e-6, rtol=0)


def test_cache_info_imports_neither_torch_nor_pandas(tmp_path):
    PredictionStore(tmp_path / "s.sqlite").close()
    code = ("import sys\nfrom metacompress.cli import main\ntry:\n    main(['cache', 'info', '--cache', sys.argv[1]])\n"
            "except SystemExit:\n    pass\nassert 'torch' not in sys.modules and 'pandas' not in sys.modules, 'heavy import'\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.sqlite")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert "outputs: 0 from 0 model(s)" in done.stdout
