"""Every script under scripts/ runs in a tiny smoke mode, so an API change that breaks one fails here.

Each runs in a subprocess with this checkout's code first on PYTHONPATH, on tiny models built on
the fly (or ../shared where the script exists to measure it). A script "cannot run" when it
ends with a traceback or an exit code it does not document; scripts that print figures must
print the command line and the versions with them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
#: modules the scripts import, not scripts themselves
HELPERS = {"bench_support.py"}


@dataclass(frozen=True)
class Smoke:
    script: str
    args: tuple[str, ...] = ()
    figures: bool = True  # prints figures, so the command line and versions too
    exit_codes: tuple[int, ...] = (0,)  # 1 where the script reports a failed check by it
    needs_shared: bool = False


SMOKES = {
    "bench_attack": Smoke("bench_attack.py", ("--pairs", "2", "--budget", "8", "--layers", "2")),
    "bench_audit": Smoke("bench_audit.py", ("--limit", "3", "--layers", "2", "--relations", "swap-operands")),
    "bench_inference": Smoke("bench_inference.py", ("--limit", "8", "--repeat", "1", "--batch-size", "4")),
    "bench_relations": Smoke("bench_relations.py", ("--languages", "python", "--limit", "2", "--repeat", "1",
                                                     "--relations", "swap-operands,compose", "--clock", "cpu")),
    "bench_relations_shared": Smoke("bench_relations.py", ("--languages", "java,c", "--limit", "2", "--repeat", "1",
                                                            "--relations", "rename-identifiers", "--shared", "{shared}"),
                                    needs_shared=True),
    "bench_strategies": Smoke("bench_strategies.py", (
        # one real model in both roles: --model-root points one spec's files wherever ../shared is
        "--teacher", "configs/models/compressor-devign.toml", "--student", "configs/models/compressor-devign.toml",
        "--model-root", "{shared}/models/compressor-codebert-devign-3mb", "--task", "vulnerability-prediction",
        "--data", "{shared}/data/devign-test/test_subs_0_400.jsonl", "--limit", "2", "--budget", "4",
        "--bootstrap", "0", "--entries", "random,beam", "--out", "{tmp}/strategies"), needs_shared=True),
    "doc_figures": Smoke("doc_figures.py", ("--check", "docs/statistics.md"), figures=False),
    "bench_store": Smoke("bench_store.py", ("--tiny", "--limit", "2", "--relations", "swap-operands"), exit_codes=(0, 1)),
    "build_demo_models": Smoke("build_demo_models.py", ("--quick", "--out", "{tmp}/demo")),
    "corpora": Smoke("corpora.py", ("--languages", "python")),
    "eval_students": Smoke("eval_students.py", ("--only", "avatar-devign", "--limit", "4", "--device", "cpu",
                                                "--shared", "{shared}"), needs_shared=True),
    "grammar_words": Smoke("grammar_words.py", ("tests/data/keyword_lexer.c",), figures=False),
    "gpu_check": Smoke("gpu_check.py", figures=False),  # run without CUDA: says so and checks nothing
    "import_graph": Smoke("import_graph.py", figures=False, exit_codes=(0, 1)),
    "readme_examples": Smoke("readme_examples.py", ("--check",), figures=False, exit_codes=(0, 1)),
    "relation_coverage": Smoke("relation_coverage.py", ("--languages", "python", "--limit", "2",
                                                         "--relations", "swap-operands")),
}
#: these load torch and build or load models: seconds each
SLOW = {"bench_attack", "bench_audit", "bench_strategies", "bench_inference", "bench_store", "build_demo_models", "eval_students", "gpu_check"}


def test_every_script_has_a_smoke_run():
    scripts = {path.name for path in SCRIPTS.glob("*.py")} - HELPERS
    covered = {smoke.script for smoke in SMOKES.values()}
    assert scripts - covered == set(), "give the new script a smoke run in tests/test_scripts.py"
    assert covered - scripts == set(), "a smoke run names a script that no longer exists"


def test_provenance_names_the_command_and_the_versions(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    import bench_support

    monkeypatch.setattr(sys, "argv", ["scripts/bench_x.py", "--limit", "3"])
    lines = bench_support.provenance().splitlines()
    assert lines[0].startswith("command: ") and lines[0].endswith("scripts/bench_x.py --limit 3")
    assert lines[1].startswith("versions: python ") and "tree-sitter " in lines[1] and "metacompress " in lines[1]


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in SMOKES])
def test_script_runs_its_smoke_mode(name, tmp_path, request):
    smoke = SMOKES[name]
    shared = request.getfixturevalue("shared_dir") if smoke.needs_shared else None
    args = [a.format(tmp=tmp_path, shared=shared) for a in smoke.args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "CUDA_VISIBLE_DEVICES": "", "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(SCRIPTS / smoke.script), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode in smoke.exit_codes and "Traceback" not in output, output[-3000:]
    if smoke.figures:
        assert f"command: {Path(sys.executable).name} {SCRIPTS / smoke.script}" in done.stdout, done.stdout[-2000:]
        assert "versions: python " in done.stdout
