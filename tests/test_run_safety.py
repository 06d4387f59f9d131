"""What a CI job relies on when things go wrong: settings fail fast, bad records are skipped and
counted, reports are never half-written, one --out serves one run at a time, exit codes mean
what they say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

import metacompress.audit
import metacompress.store
from audit_fixtures import build_models, methods, write_pairs
from metacompress.audit import AuditConfig, run_audit
from metacompress.cli import cli
from metacompress.errors import OutputError, UsageError
from metacompress.outdir import lock_out, lock_path

RELATIONS = "insert-dead-code,add-unused-variable"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=6)


def invoke(*args: str):
    return CliRunner().invoke(cli, ["run", *args], catch_exceptions=False)


def run_args(models, data, out, *extra: str):
    return ["--teacher", str(models["teacher"]), "--student", str(models["perturbed"]), "--task", "clone-detection",
            "--data", str(data), "--relations", RELATIONS, "--bootstrap", "20", "--quiet", "--out", str(out), *extra]


def config(models, data, out=None, **overrides):
    settings = dict(teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
                    data=str(data), relations=RELATIONS.split(","), bootstrap=20, progress=False,
                    out=None if out is None else str(out))
    settings.update(overrides)
    return AuditConfig(**settings)


def leftovers(out) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


# ---- fail fast: every setting is checked before data or models load ---------------------------

NOWHERE = ["--teacher", "/nonexistent/teacher", "--student", "/nonexistent/student", "--task", "clone-detection",
           "--data", "/nonexistent/data.jsonl", "--quiet"]


@pytest.mark.parametrize("extra, message", [
    (["--fail-on", "discrepancy_rate>nan"], "threshold must be a finite number, not 'nan'"),
    (["--fail-on", "discrepancy_rate>inf"], "threshold must be a finite number, not 'inf'"),
    (["--seed", "-1"], "--seed must be at least 0, not -1"),
    (["--bootstrap", "-5"], "--bootstrap must be at least 0, not -5"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--limit", "0"], "--limit must be at least 1"),
    (["--ece-bins", "0"], "--ece-bins must be at least 1"),
    (["--js-threshold", "nan"], "--js-threshold must be a number in [0, 1]"),
    (["--relations", ""], "--relations is empty"),
    (["--relations", " , "], "--relations is empty"),
    (["--relations", "swap-if-else", "--option", "rename-identifiers:style=words"],
     "relation 'rename-identifiers' is not in this run (relations: swap-if-else)"),
    (["--relations", "rename-identifiers", "--option", "rename-identifiers:styel=words"], "has no option 'styel'"),
    (["--label-map", "pupil=a,b"], "unknown role 'pupil'"),
])
def test_bad_settings_fail_before_anything_loads(tmp_path, monkeypatch, extra, message):
    monkeypatch.setattr("metacompress.models.load_model", _never_called)
    result = invoke(*NOWHERE, "--out", str(tmp_path / "r"), *extra)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and not (tmp_path / "r").exists()


def _never_called(*args, **kwargs):
    raise AssertionError("a model was loaded before the settings were checked")


def test_unwritable_out_fails_before_anything_loads(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = invoke(*NOWHERE, "--out", str(blocker / "report"))
    assert result.exit_code == 2 and "cannot be created" in result.stderr and "a-file is a file" in result.stderr


def test_out_holding_other_files_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke(*NOWHERE, "--out", str(tmp_path), "--overwrite")
    assert result.exit_code == 2 and "not part of a report (notes.txt)" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("line, message", [
    ("seed = 1.5", "seed must be a whole number, not 1.5"),
    ("bootstrap = true", "bootstrap must be a whole number, not True"),
    ("js-threshold = \"high\"", "js-threshold must be a number"),
    ("overwrite = 1", "overwrite must be true or false"),
    ("fail-on = 3", "fail-on must be a string or a list of strings"),
])
def test_config_file_values_of_the_wrong_type_name_the_key_and_file(tmp_path, line, message):
    path = tmp_path / "audit.toml"
    path.write_text(line + "\n")
    result = invoke("--config", str(path), *NOWHERE)
    assert result.exit_code == 2
    assert message in result.stderr and "audit.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_config_file_fail_on_may_be_one_string(models, pairs, tmp_path):
    path = tmp_path / "audit.toml"
    path.write_text('fail-on = "discrepancy_rate>=0"\n')
    result = invoke("--config", str(path), *run_args(models, pairs, tmp_path / "r"))
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [g["condition"] for g in report["gates"]] == ["discrepancy_rate>=0"]


def test_library_validate_refuses_a_float_or_bool_seed(models, pairs):
    for seed in (1.5, True):
        with pytest.raises(UsageError, match="--seed must be a whole number"):
            config(models, pairs, seed=seed).validate()
    with pytest.raises(UsageError, match="--relations is empty"):
        config(models, pairs, relations=[]).validate()
    with pytest.raises(UsageError, match="--device must be auto, cpu, cuda, cuda:N or mps"):
        config(models, pairs, device="gpu").validate()


# ---- one bad record never ends an audit ---------------------------------------------------------


def test_deeply_nested_and_surrogate_records_are_skipped_and_counted(models, tmp_path):
    data = write_pairs(tmp_path / "pairs.jsonl", count=5)
    other = json.dumps(methods()[0]["code"])
    deep = "public int f(int a) { return " + "(" * 1000 + "a" + ")" * 1000 + "; }"
    with data.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id1": "deep", "id2": "x", "code1": deep, "code2": methods()[0]["code"], "label": 0}) + "\n")
        handle.write('{"id1": "lone", "id2": "y", "code1": "int g() { return \\"\\ud800\\".length(); }", '
                     f'"code2": {other}, "label": 0}}\n')
    result = invoke(*run_args(models, data, tmp_path / "r"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    reason = "holds a lone surrogate (\\ud800), which is not valid Unicode text"
    assert report["run"]["data"]["skip_reasons"] == {reason: 1}
    assert report["run"]["data"]["skipped_records"] == [{"where": "pairs.jsonl:7", "reason": reason}]
    assert report["run"]["data"]["examples_audited"] == 6  # the deeply nested one is audited
    assert f"skipped records: 1 ({reason} (1))" in result.stdout
    markdown = (tmp_path / "r" / "report.md").read_text()
    assert "## Skipped records (1, not audited)" in markdown and "pairs.jsonl:7" in markdown


def test_a_relation_crashing_on_one_snippet_skips_that_row(models, pairs, monkeypatch):
    from metacompress.relations.dead_code import InsertDeadCode

    original = InsertDeadCode.apply

    def flaky(self, code, language, seed=0, **options):
        if "for" in code:
            raise RecursionError("maximum recursion depth exceeded")
        return original(self, code, language, seed=seed, **options)

    monkeypatch.setattr(InsertDeadCode, "apply", flaky)
    result = run_audit(config(models, pairs))
    row = result.report.relations["insert-dead-code"]
    assert row.not_applicable > 0
    assert any(reason.startswith("internal error in insert-dead-code: RecursionError") for reason in row.skip_reasons)
    assert result.report.relations["add-unused-variable"].applied == 6
    from metacompress.report import render_terminal

    assert (f"rows skipped for a failure: {row.not_applicable} (insert-dead-code: internal error in insert-dead-code"
            in render_terminal(result.report))


def test_a_tokenizer_failing_on_one_text_skips_only_that_input(models, pairs, monkeypatch):
    from metacompress.models.hf import HFClassifier

    original = HFClassifier._encode
    victim = methods()[0]["code"].split()[3]

    def picky(self, batch):
        if any("var0" in text or victim in text for item in batch for text in item):
            raise ValueError("cannot tokenise this")
        return original(self, batch)

    monkeypatch.setattr(HFClassifier, "_encode", picky)
    result = run_audit(config(models, pairs, relations=["rename-identifiers", "insert-dead-code"]))
    rename = result.report.relations["rename-identifiers"]
    assert rename.applied == 0  # every rename introduces var0
    assert any("the rewrite cannot be given to the models: teacher: the tokenizer failed (ValueError: cannot "
               "tokenise this)" in reason for reason in rename.skip_reasons)
    assert result.report.relations["insert-dead-code"].applied > 0


# ---- files: atomic, locked ----------------------------------------------------------------------


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_a_failed_write_keeps_the_previous_report_and_blocks_no_rerun(models, pairs, tmp_path, monkeypatch):
    out = tmp_path / "r"
    run_audit(config(models, pairs, out, seed=1))
    before = (out / "report.json").read_text()
    monkeypatch.setattr("metacompress.report.write_samples_csv", _disk_full)
    with pytest.raises(OutputError, match="No space left on device"):
        run_audit(config(models, pairs, out, seed=2, overwrite=True))
    assert (out / "report.json").read_text() == before
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md", "rewrites.jsonl",
                                                     "samples.csv"]
    assert leftovers(out) == []
    monkeypatch.undo()
    run_audit(config(models, pairs, out, seed=2, overwrite=True))
    assert json.loads((out / "report.json").read_text())["run"]["seed"] == 2


def test_a_failed_first_write_leaves_no_folder_and_exits_2(models, pairs, tmp_path, monkeypatch):
    monkeypatch.setattr("metacompress.report.write_samples_csv", _disk_full)
    result = invoke(*run_args(models, pairs, tmp_path / "r"))
    assert result.exit_code == 2 and "cannot write the report (No space left on device)" in result.stderr
    assert not (tmp_path / "r").exists() and leftovers(tmp_path / "r") == []


def test_two_concurrent_runs_on_one_out_do_not_both_succeed(models, pairs, tmp_path, monkeypatch):
    out = tmp_path / "r"
    started, release = threading.Event(), threading.Event()
    real = metacompress.audit.rewrite_all

    def slow(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(metacompress.audit, "rewrite_all", slow)
    outcome = {}
    first = threading.Thread(target=lambda: outcome.setdefault("first", run_audit(config(models, pairs, out))))
    first.start()
    try:
        assert started.wait(30)
        result = invoke(*run_args(models, pairs, out, "--overwrite"))
    finally:
        release.set()
        first.join(60)
    assert result.exit_code == 2
    assert f"another metacompress run (pid {os.getpid()}) is writing this folder" in result.stderr
    assert outcome["first"].out_dir == out and (out / "report.json").is_file()
    assert not lock_path(out).exists()


def test_a_lock_left_by_a_dead_run_is_taken_over(models, pairs, tmp_path):
    out = tmp_path / "r"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock_path(out).write_text(dead.stdout.strip())
    result = invoke(*run_args(models, pairs, out))
    assert result.exit_code == 0, result.output
    assert not lock_path(out).exists()


def test_a_run_killed_between_its_renames_gets_its_previous_report_back(tmp_path):
    out = tmp_path / "r"
    aside = tmp_path / ".r.old-12345"
    aside.mkdir()
    (aside / "report.json").write_text("{}")
    (tmp_path / ".r.tmp-0123456789abcdef").mkdir()
    with lock_out(out):
        assert (out / "report.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_lock_names_the_holder(tmp_path):
    out = tmp_path / "r"
    with lock_out(out):
        with pytest.raises(UsageError, match=rf"pid {os.getpid()}"):
            with lock_out(out):
                pass
    with lock_out(out):  # released: free again
        pass


# ---- exit codes ---------------------------------------------------------------------------------


def test_interrupt_exits_130_and_leaves_nothing_behind(models, pairs, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("metacompress.report.write_samples_csv", interrupted)
    out = tmp_path / "r"
    result = invoke(*run_args(models, pairs, out))
    assert result.exit_code == 130
    store = metacompress.store.default_path()  # the outputs were saved: the same command resumes
    assert result.stderr.strip().splitlines() == [
        f"metacompress: the outputs computed so far are saved in {store}; run the same command again to resume from them",
        "metacompress: interrupted"]
    assert not out.exists() and leftovers(out) == []


def test_internal_error_exits_70_with_one_line_and_a_saved_traceback(models, pairs, tmp_path, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(metacompress.audit, "_samples_table", bug)
    result = invoke(*run_args(models, pairs, tmp_path / "r"))
    assert result.exit_code == 70
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith("Error: internal error: ZeroDivisionError: division by zero (please report; traceback in ")
    saved = line.split("traceback in ")[1].split(" or rerun")[0]
    assert "ZeroDivisionError" in open(saved, encoding="utf-8").read()
    os.remove(saved)
    with pytest.raises(ZeroDivisionError):
        CliRunner().invoke(cli, ["--debug", "run", *run_args(models, pairs, tmp_path / "s")], catch_exceptions=False)


def test_bootstrap_0_switches_intervals_off_and_says_so(models, pairs, tmp_path):
    result = invoke(*run_args(models, pairs, tmp_path / "r", "--bootstrap", "0"))
    assert result.exit_code == 0, result.output
    assert "intervals: off (--bootstrap 0)" in result.stdout
    assert "intervals: off (--bootstrap 0)" in (tmp_path / "r" / "report.md").read_text()


def test_help_lists_the_exit_codes():
    for args in ([], ["run"]):
        text = CliRunner().invoke(cli, [*args, "--help"]).output
        assert "70" in text and "130" in text and "interrupted" in text


def test_reader_skips_json_nested_too_deeply_to_read(tmp_path):
    from metacompress.tasks import get_task

    data = write_pairs(tmp_path / "pairs.jsonl", count=3)
    with data.open("a") as handle:
        handle.write("[" * 100_000 + "]" * 100_000 + "\n")
    loaded = get_task("clone-detection").load(str(data))
    assert len(loaded.examples) == 3
    assert [(s.where, s.reason) for s in loaded.skipped] == [("pairs.jsonl:4", "JSON nested too deeply to read")]


def test_predict_proba_isolates_a_text_the_tokenizer_fails_on(tmp_path, monkeypatch):
    import numpy as np

    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models import load_model
    from models_fixtures import TEXTS, build_tiny_checkpoint

    model = load_model(str(build_tiny_checkpoint(tmp_path, "pair-concat-cls")))
    pairs = [(TEXTS[0], TEXTS[1]), (TEXTS[2], "BROKEN"), (TEXTS[3], TEXTS[4]), ("BROKEN", TEXTS[0])]
    settings = InferenceSettings(device="cpu", progress=False)
    clean = predict_proba(model, [p for p in pairs if "BROKEN" not in p], settings)
    real = type(model).encode

    def fragile(self, texts):
        if "BROKEN" in texts:
            raise BaseException("a Rust panic, as pyo3 raises it")
        return real(self, texts)

    monkeypatch.setattr(type(model), "encode", fragile)
    predicted = predict_proba(model, pairs, settings)
    assert sorted(predicted.failed) == [1, 3]
    assert predicted.failed[1] == "the tokenizer failed (BaseException: a Rust panic, as pyo3 raises it)"
    assert np.isnan(predicted.probs[[1, 3]]).all()
    np.testing.assert_allclose(predicted.probs[[0, 2]], clean.probs, rtol=1e-6)
