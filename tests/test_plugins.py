"""Relations from an installed package: listed by name, loaded on use, audited like built-ins.

Nothing is installed: each test writes a throw-away distribution (a package plus a
``*.dist-info`` folder with METADATA and entry_points.txt) under tmp_path and puts that folder
on PYTHONPATH for a subprocess, which is all ``importlib.metadata`` needs to find it.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.relations import RELATIONS

REPO = Path(__file__).resolve().parents[1]

RELATION_MODULE = '''
from metacompress.relations import Relation, register_relation
from metacompress.relations.base import Edit

COMMENT = {"java": "/* checked */ ", "c": "/* checked */ ", "python": "# checked\\n"}


@register_relation
class LeadingComment(Relation):
    name = "leading-comment"
    summary = "put a comment before the code (from a plugin)"

    def _edits(self, parsed, rng, options):
        return [Edit(0, 0, COMMENT[parsed.language], "added a leading comment")]
'''


METRIC_MODULE = '''
from metacompress.metrics import rate_metric

STUDENT_FLIPS = rate_metric("plugin_student_flip_rate", "Share of inputs whose student label flips (from a plugin).",
                            lambda d: d.flags["student_flip"])
'''


def write_distribution(site: Path, name: str, entry_points: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Three plugins: a relation and a metric; a relation whose module does not exist; one that
    reuses a built-in relation's name."""
    site = tmp_path_factory.mktemp("site")
    entry_points = ("[metacompress.relations]\nleading-comment = mc_comment.relation\n\n"
                    "[metacompress.metrics]\nstudent-flips = mc_comment.metric:STUDENT_FLIPS\n")
    write_distribution(site, "mc-comment-plugin", entry_points, {
        "mc_comment/__init__.py": "", "mc_comment/relation.py": RELATION_MODULE, "mc_comment/metric.py": METRIC_MODULE})
    write_distribution(site, "mc-broken-plugin", "[metacompress.relations]\nbroken-one = mc_broken.missing:Nope\n", {})
    write_distribution(site, "mc-clash-plugin", "[metacompress.relations]\nswap-if-else = mc_clash\n",
                       {"mc_clash.py": "raise SystemExit('a clashing plugin must never be imported')\n"})
    return site


def run_python(site: Path, *args: str, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(site)])}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=600, cwd=site,
                          **options)


def test_a_plugin_relation_is_listed_without_importing_it_and_loads_on_use(site):
    script = (
        "import sys\n"
        "from metacompress.relations import RELATIONS, transform\n"
        "names = RELATIONS.names()\n"
        "assert 'leading-comment' in names and 'broken-one' in names and 'swap-if-else' in names, names\n"
        "assert 'mc_comment.relation' not in sys.modules\n"
        "print(transform('int f() { return 1; }', 'c', 'leading-comment').code)\n"
        "assert 'mc_comment.relation' in sys.modules\n"
        "print(RELATIONS.usable() == [n for n in names if n != 'broken-one'])\n"
        "from metacompress.config import select_relations\n"
        "chosen = select_relations(None, 'c')  # a run without --relations: every usable relation\n"
        "print('leading-comment' in chosen, 'broken-one' in chosen, 'swap-if-else' in chosen)\n"
    )
    done = run_python(site, "-c", script)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "/* checked */ int f() { return 1; }\nTrue\nTrue False True\n"


def test_relations_command_lists_the_plugin_and_reports_the_broken_one_in_one_line(site):
    done = run_python(site, "-m", "metacompress", "relations", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["leading-comment"]["summary"] == "put a comment before the code (from a plugin)"
    assert all(info["supported"] for info in rows["leading-comment"]["languages"].values())
    builtins = ["add-braces", "compose", "rename-identifiers", "swap-if-else", "ternary-to-if"]
    assert all(rows[name]["summary"] for name in builtins)  # the broken plugin hides none of them
    warning = [line for line in done.stderr.splitlines() if "broken-one" in line]
    assert len(warning) == 1 and "mc-broken-plugin" in warning[0] and "ModuleNotFoundError" in warning[0]
    clash = [line for line in done.stderr.splitlines() if "mc-clash-plugin" in line]
    assert clash == ["warning: relation 'swap-if-else' from plugin mc-clash-plugin (mc_clash) is ignored: "
                     "a built-in has that name"]
    assert rows["swap-if-else"]["summary"] == RELATIONS.get("swap-if-else").summary
    assert "Traceback" not in done.stderr
    asked = run_python(site, "-m", "metacompress", "transform", "-l", "c", "-r", "broken-one", "-")
    assert asked.returncode == 2
    assert asked.stderr.count("\n") == 1 and "mc-broken-plugin" in asked.stderr


def test_an_audit_runs_the_plugin_relation_and_metric(site, tmp_path):
    models = build_models(tmp_path / "models")
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=8)
    out = tmp_path / "run"
    done = run_python(
        site, "-m", "metacompress", "run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
        "--task", "clone-detection", "--data", str(pairs), "--relations", "leading-comment,insert-dead-code",
        "--bootstrap", "20", "--quiet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["relations"] == ["leading-comment", "insert-dead-code"]
    assert report["relations"]["leading-comment"]["metrics"]["discrepancy_rate"]["n"] == 8
    flips = report["relations"]["leading-comment"]["metrics"]["plugin_student_flip_rate"]
    assert flips["n"] == 8 and flips["count"] == report["relations"]["leading-comment"]["metrics"]["student_flip_rate"]["count"]
    with open(out / "samples.csv", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["relation"] == "leading-comment"]
    assert len(rows) == 8 and all(row["applied"] in ("True", "true", "1") for row in rows)
