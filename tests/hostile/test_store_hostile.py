"""A prediction store that cannot lie: no prune, id reuse, damaged row, old code or old schema
makes a run read outputs that are not its model's own, and the cache commands refuse what would
wipe or modify more than the user asked for."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress import store as store_module
from metacompress.cli import cli
from metacompress.inference import InferenceSettings, predict_proba
from metacompress.models import load_model
from metacompress.store import ModelKey, PredictionStore, input_key, model_key, predict_with_store

QUIET = InferenceSettings(batch_size=4, device="cpu", progress=False)
TEACHER = ModelKey("sha256:" + "a" * 64, "sha256:" + "b" * 64, "fp32", "cpu")
STUDENT = ModelKey("sha256:" + "c" * 64, "sha256:" + "b" * 64, "fp32", "cpu")
SNIPPETS = [f"int f{k}() {{ return {k}; }}" for k in range(6)]
OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE models (id INTEGER PRIMARY KEY, weights TEXT NOT NULL, preprocessing TEXT NOT NULL,
    precision TEXT NOT NULL, device TEXT NOT NULL, source TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
    last_used REAL NOT NULL, UNIQUE (weights, preprocessing, precision, device));
CREATE TABLE outputs (model INTEGER NOT NULL, input BLOB NOT NULL, probs BLOB NOT NULL, truncated INTEGER NOT NULL,
    digest BLOB NOT NULL, PRIMARY KEY (model, input)) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema_version', '1');
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=12)


@pytest.fixture(scope="module")
def inputs(pairs):
    records = [json.loads(line) for line in pairs.read_text().splitlines()]
    return [(r["code1"], r["code2"]) for r in records]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_args(models, pairs, out: Path, *extra: str) -> list[str]:
    return ["run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]), "--task",
            "clone-detection", "--data", str(pairs), "--relations", "insert-dead-code", "--bootstrap", "20",
            "--quiet", "--out", str(out), *extra]


def outputs_in(path: Path) -> int:
    with sqlite3.connect(str(path)) as connection:
        return connection.execute("SELECT COUNT(*) FROM outputs").fetchone()[0]


def teacher_rows(k: int) -> list:
    return [(input_key(SNIPPETS[k]), np.array([0.9, 0.1]), False, k)]


def fill(path: Path) -> None:
    with PredictionStore(path) as store:
        for key in (TEACHER, STUDENT):
            store.write(store.model_id(key, "folder"), [(input_key(s), np.array([0.5, 0.5]), False, 1) for s in SNIPPETS])


def one_line_error(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for text in expected:
        assert text in result.output, result.output


# ---- a prune while a run writes ------------------------------------------------------------------


def test_a_prune_between_two_writes_never_gives_the_teacher_s_outputs_to_the_student(tmp_path):
    # The race a hostile tester found, made deterministic: a run registers the teacher and writes
    # a batch, `cache prune --all` runs, the run writes its next batch, then registers the student.
    # With reused row numbers the student was served the teacher's second batch.
    path = tmp_path / "s.sqlite"
    with PredictionStore(path) as store:
        teacher = store.model_id(TEACHER, "teacher")
        store.write(teacher, teacher_rows(0))
        assert invoke("cache", "prune", "--cache", str(path), "--all").exit_code == 0
        store.write(teacher, teacher_rows(1))
        student = store.model_id(STUDENT, "student")
        assert store.lookup(student, [input_key(s) for s in SNIPPETS]) == {}
        assert list(store.lookup(store.model_id(TEACHER), [input_key(s) for s in SNIPPETS])) == [input_key(SNIPPETS[1])]
        shown = {m.weights: m.entries for m in store.info().models}
    assert shown == {TEACHER.weights: 1, STUDENT.weights: 0}  # the second batch is the teacher's, and listed


def test_a_run_pruned_while_it_infers_gives_the_student_its_own_outputs(models, inputs, tmp_path, monkeypatch):
    teacher, student = load_model(str(models["teacher"])), load_model(str(models["perturbed"]))
    path = tmp_path / "s.sqlite"
    write, writes = PredictionStore.write, []

    def pruned_after_the_first_batch(store, model, rows):
        write(store, model, rows)
        writes.append(1)
        if len(writes) == 1:
            assert invoke("cache", "prune", "--cache", str(path), "--all").exit_code == 0

    monkeypatch.setattr(PredictionStore, "write", pruned_after_the_first_batch)
    with PredictionStore(path) as store:
        predict_with_store(teacher, inputs, QUIET, store)
        assert len(writes) > 1
        got, counts = predict_with_store(student, inputs, QUIET, store)
    assert counts.from_store == 0
    np.testing.assert_allclose(got.probs, predict_proba(student, inputs, QUIET).probs, atol=1e-6, rtol=0)


# ---- the code version in the key ----------------------------------------------------------------


def test_outputs_of_another_inference_version_are_never_reused_and_prune_stale_removes_them(models, inputs, tmp_path,
                                                                                           monkeypatch):
    teacher = load_model(str(models["teacher"]))
    path = tmp_path / "s.sqlite"
    monkeypatch.setattr(store_module, "INFERENCE_VERSION", 1)
    with PredictionStore(path) as store:
        predict_with_store(teacher, inputs, QUIET, store)
    monkeypatch.setattr(store_module, "INFERENCE_VERSION", 2)  # a fix to a head or preprocessing
    with PredictionStore(path) as store:
        assert predict_with_store(teacher, inputs, QUIET, store)[1].from_store == 0
        assert predict_with_store(teacher, inputs, QUIET, store)[1].from_store == len(inputs)
    shown = invoke("cache", "info", "--cache", str(path))
    assert shown.exit_code == 0
    assert f"stale: {len(inputs)} output(s) from 1 model(s)" in shown.output and "cache prune --stale" in shown.output
    pruned = invoke("cache", "prune", "--cache", str(path), "--stale")
    assert pruned.exit_code == 0 and pruned.output.startswith(f"removed {len(inputs)} output(s) of 1 model(s)")
    assert outputs_in(path) == len(inputs)
    assert "stale" not in invoke("cache", "info", "--cache", str(path)).output


def test_a_store_of_the_old_schema_is_a_one_line_error_and_left_as_it_was(models, pairs, tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(str(path)) as connection:
        connection.executescript(OLD_SCHEMA)
    before = path.read_bytes()
    for args in (run_args(models, pairs, tmp_path / "a", "--cache", str(path)), ["cache", "info", "--cache", str(path)],
                 ["cache", "prune", "--cache", str(path), "--all"]):
        one_line_error(invoke(*args), str(path), "another metacompress version", "delete it or choose another --cache")
    assert path.read_bytes() == before
    assert not (tmp_path / "a").exists()


# ---- damaged rows ----------------------------------------------------------------------------------


DAMAGE = ["x'00'", "x'000000000000f03f000000000000f03f000000000000f03f'", "'0.5,0.5'",
          "x'000000000000f87f000000000000f87f'", "zeroblob(16)"]  # short, overlong, text, NaN, sums to 0


def test_damaged_outputs_are_computed_again_never_reported(models, inputs, tmp_path):
    teacher = load_model(str(models["teacher"]))
    path = tmp_path / "s.sqlite"
    with PredictionStore(path) as store:
        cold, _ = predict_with_store(teacher, inputs, QUIET, store)
    with sqlite3.connect(str(path)) as connection:
        stored = [row[0] for row in connection.execute("SELECT input FROM outputs ORDER BY input")]
        for blob, key in zip(DAMAGE, stored):
            connection.execute(f"UPDATE outputs SET probs = {blob} WHERE input = ?", (key,))
        connection.execute("UPDATE outputs SET digest = 'text' WHERE input = ?", (stored[len(DAMAGE)],))
    with PredictionStore(path) as store:
        warm, counts = predict_with_store(teacher, inputs, QUIET, store)
        assert (counts.rejected, counts.computed, counts.from_store) == (6, 6, len(inputs) - 6)
        np.testing.assert_allclose(warm.probs, cold.probs, atol=1e-6, rtol=0)
        assert np.array_equal(warm.digests, cold.digests)
        assert predict_with_store(teacher, inputs, QUIET, store)[1].from_store == len(inputs)  # replaced


@pytest.mark.slow
def test_a_run_and_cache_info_on_a_damaged_store_exit_0_with_the_true_figures(models, pairs, tmp_path):
    path = tmp_path / "s.sqlite"
    assert invoke(*run_args(models, pairs, tmp_path / "clean", "--no-cache")).exit_code == 0
    assert invoke(*run_args(models, pairs, tmp_path / "a", "--cache", str(path))).exit_code == 0
    with sqlite3.connect(str(path)) as connection:
        stored = [row[0] for row in connection.execute("SELECT input FROM outputs ORDER BY model, input")]
        for k, key in enumerate(stored):
            connection.execute(f"UPDATE outputs SET probs = {DAMAGE[k % len(DAMAGE)]} WHERE input = ?", (key,))
        connection.execute("UPDATE models SET last_used = 'yesterday', code = 'x'")
    shown = invoke("cache", "info", "--cache", str(path))
    assert shown.exit_code == 0 and "last used unknown" in shown.output
    assert invoke(*run_args(models, pairs, tmp_path / "b", "--cache", str(path))).exit_code == 0
    clean, damaged = (json.loads((tmp_path / name / "report.json").read_text()) for name in ("clean", "b"))
    for figures in ("relations", "all_relations", "baseline"):
        assert damaged[figures] == clean[figures]
    assert (tmp_path / "b" / "samples.csv").read_bytes() == (tmp_path / "clean" / "samples.csv").read_bytes()
    assert damaged["run"]["models"]["teacher"]["outputs_from_store"] == 0


# ---- cache prune and info: nothing more than asked -----------------------------------------------


@pytest.mark.parametrize("fingerprint", ["", "  ", "sha256:", "sha256", "a", "zzzz"])
def test_prune_refuses_an_empty_or_non_hex_model_and_removes_nothing(tmp_path, fingerprint):
    path = tmp_path / "s.sqlite"
    fill(path)
    one_line_error(invoke("cache", "prune", "--cache", str(path), "--model", fingerprint), "--model", "hex digits")
    assert outputs_in(path) == 2 * len(SNIPPETS)
    assert invoke("cache", "prune", "--cache", str(path), "--model", "cccc").output.startswith(
        f"removed {len(SNIPPETS)} output(s) of 1 model(s)")


@pytest.mark.parametrize("days", ["nan", "inf", "-1"])
def test_prune_refuses_older_than_a_number_of_days_that_is_none(tmp_path, days):
    path = tmp_path / "s.sqlite"
    fill(path)
    result = invoke("cache", "prune", "--cache", str(path), "--older-than", days)
    assert result.exit_code == 2 and "--older-than" in result.output and "Traceback" not in result.output
    assert outputs_in(path) == 2 * len(SNIPPETS)


@pytest.mark.parametrize("command", ["run", "attack"])
def test_a_locked_store_stops_a_run_before_any_model_loads(models, pairs, tmp_path, monkeypatch, command):
    path = tmp_path / "s.sqlite"
    PredictionStore(path).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)

    def never(*args, **kwargs):
        raise AssertionError("the models loaded although the store is locked")

    monkeypatch.setattr("metacompress.audit.load_models", never)
    monkeypatch.setattr("metacompress.attack.run.load_models", never)
    args = run_args(models, pairs, tmp_path / "a", "--cache", str(path))
    if command == "attack":
        args = ["attack", *args[1:args.index("--relations")], *args[args.index("--bootstrap"):]]
        args.remove("--quiet")  # attack has no progress bars to silence
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        one_line_error(invoke(*args), str(path), "locked by another process")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", ["info", "prune"])
def test_cache_commands_leave_a_foreign_empty_sqlite_file_as_it_was(tmp_path, command):
    path = tmp_path / "theirs.sqlite"
    with sqlite3.connect(str(path)) as connection:
        connection.execute("PRAGMA user_version = 7")
    before = path.read_bytes()
    extra = ["--all"] if command == "prune" else []
    one_line_error(invoke("cache", command, "--cache", str(path), *extra), str(path), "not a metacompress prediction store")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite"]
