"""Issue 18: the files beside one --out are never another run's, whatever characters --out holds.

Clean-up used ``glob(".<name>.old-*")``: an --out of ``exp?`` or ``v[12]`` matched the files of
``exp1`` or ``v1``, and a prefix match let ``a`` take those of ``a.tmp-b``. Each test plants or
runs the other name's files and checks they are left exactly as they were.
"""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from metacompress.cli import cli
from metacompress.errors import UsageError
from metacompress.outdir import check_out, lock_out, publish

#: (this run's --out, another run's --out in the same folder that the first used to match)
NEIGHBOURS = [("exp?", "exp1"), ("v[12]", "v1"), ("a", "a.tmp-b"), ("a", "a.old-1"), ("*", "x")]
STAGING_SUFFIX = ".tmp-0123456789abcdef"  # the shape publish gives its staging folders


def plant_report(folder, text: str):
    folder.mkdir()
    (folder / "report.json").write_text(text)
    return folder


def snapshot(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() if p.is_file() else "<folder>" for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("mine, other", NEIGHBOURS)
def test_clean_up_leaves_another_runs_set_aside_report_and_staging_alone(tmp_path, mine, other):
    plant_report(tmp_path / f".{other}.old-4242", "other's previous report")
    plant_report(tmp_path / f".{other}{STAGING_SUFFIX}", "other's report being written")
    before = snapshot(tmp_path)
    with lock_out(tmp_path / mine):
        pass
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("mine, other", NEIGHBOURS)
def test_overwrite_never_destroys_another_runs_previous_report(tmp_path, mine, other):
    plant_report(tmp_path / mine, "my previous report")
    plant_report(tmp_path / f".{other}.old-4242", "other's previous report")
    out = check_out(str(tmp_path / mine), overwrite=True, files=("report.json",))
    with lock_out(out):
        publish(out, lambda folder: (folder / "report.json").write_text("my new report"))
    assert (tmp_path / mine / "report.json").read_text() == "my new report"
    assert (tmp_path / f".{other}.old-4242" / "report.json").read_text() == "other's previous report"


@pytest.mark.parametrize("mine, other", NEIGHBOURS)
def test_two_runs_publishing_at_once_both_keep_their_reports(tmp_path, mine, other):
    writing, release = threading.Event(), threading.Event()
    outcome = {}

    def slow_write(folder):
        (folder / "report.json").write_text("other's report")
        writing.set()
        release.wait(10)

    def other_run():
        with lock_out(tmp_path / other):
            publish(tmp_path / other, slow_write)
        outcome["other"] = "published"

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert writing.wait(10)
        with lock_out(tmp_path / mine):  # its clean-up runs while the other run's staging folder is live
            publish(tmp_path / mine, lambda folder: (folder / "report.json").write_text("my report"))
    finally:
        release.set()
        thread.join(10)
    assert outcome == {"other": "published"}
    assert (tmp_path / other / "report.json").read_text() == "other's report"
    assert (tmp_path / mine / "report.json").read_text() == "my report"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine, other])


def test_own_leftovers_are_still_cleaned_and_the_previous_report_restored(tmp_path):
    plant_report(tmp_path / ".exp?.old-17", "my previous report")
    plant_report(tmp_path / f".exp?{STAGING_SUFFIX}", "half written")
    with lock_out(tmp_path / "exp?"):
        assert (tmp_path / "exp?" / "report.json").read_text() == "my previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp?"]


@pytest.mark.parametrize("name", [".a.old-123", f".a{STAGING_SUFFIX}", ".a.lock"])
def test_an_out_named_like_another_runs_temporary_folder_is_refused(tmp_path, name):
    with pytest.raises(UsageError, match="reserved for metacompress's lock and temporary folders"):
        check_out(str(tmp_path / name), overwrite=False)


@pytest.mark.slow
def test_a_real_run_with_a_glob_out_leaves_the_neighbours_files_intact(tmp_path):
    from audit_fixtures import build_models, write_pairs

    models = build_models(tmp_path / "models")
    data = write_pairs(tmp_path / "pairs.jsonl", count=4)
    runs = tmp_path / "runs"
    runs.mkdir()
    plant_report(runs / "exp1", "exp1's report")
    plant_report(runs / ".exp1.old-4242", "exp1's previous report")
    plant_report(runs / f".exp1{STAGING_SUFFIX}", "exp1's report being written")
    before = snapshot(runs)
    result = CliRunner().invoke(cli, [
        "run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]), "--task", "clone-detection",
        "--data", str(data), "--relations", "insert-dead-code", "--bootstrap", "0", "--quiet",
        "--out", str(runs / "exp?")])
    assert result.exit_code == 0, result.output
    assert (runs / "exp?" / "report.json").is_file()
    assert {k: v for k, v in snapshot(runs).items() if not k.startswith("exp?")} == before


def test_out_dot_locks_its_own_folder_not_one_lock_shared_by_every_sibling(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    monkeypatch.chdir(first)
    out_first = check_out(".", overwrite=False)
    with lock_out(out_first):
        monkeypatch.chdir(second)
        out_second = check_out(".", overwrite=False)
        with lock_out(out_second):  # used to be the same '..lock' beside both: "another run is writing"
            publish(out_second, lambda folder: (folder / "report.json").write_text("second's report"))
    assert (second / "report.json").read_text() == "second's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "second"]


@pytest.mark.slow
def test_two_audits_whose_outs_are_glob_patterns_of_each_other_run_at_once_and_keep_their_reports(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from audit_fixtures import build_models, write_pairs

    models = build_models(tmp_path / "models")
    data = write_pairs(tmp_path / "pairs.jsonl", count=4)
    runs = tmp_path / "runs"
    runs.mkdir()

    def audit(out: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "metacompress", "run", "--teacher", str(models["teacher"]),
                   "--student", str(models["perturbed"]), "--task", "clone-detection", "--data", str(data),
                   "--relations", "insert-dead-code", "--bootstrap", "0", "--quiet", "--no-cache",
                   "--overwrite", "--out", str(runs / out)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})

    for _ in range(2):  # the second round overwrites: each run sets its previous report aside
        started = [audit("exp?"), audit("exp1")]
        for process in started:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr
    for out in ("exp?", "exp1"):
        report = json.loads((runs / out / "report.json").read_text())
        assert report["run"]["config"]["out"] == str(runs / out)
    assert sorted(p.name for p in runs.iterdir()) == ["exp1", "exp?"]  # no leftover, no lock
