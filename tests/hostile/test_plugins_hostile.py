"""Plugins that fail in every way a plugin can, click's usage errors, and warning noise.

A broken plugin (an exception, ``sys.exit``, ``KeyboardInterrupt`` at import, a raising
``can_load``) is reported in one line naming it and changes neither the exit code, ``--help`` nor
the built-ins; one the user selects is a one-line exit 2. Plugins are throw-away distributions
on PYTHONPATH of a subprocess, as in tests/test_plugins.py.
"""

from __future__ import annotations

import json
import signal
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models
from metacompress.cli import cli
from metacompress.models import LOADERS, ModelLoader, load_model, loader_for, register_loader
from metacompress.errors import PluginWarning
from metacompress.registry import PluginError
from metacompress.report import plots
from test_plugins import run_python, write_distribution

FAULTS = {
    "raises": "raise RuntimeError('plugin bug')\n",
    "exit-0": "import sys\nsys.exit(0)\n",
    "exit-3": "import sys\nsys.exit(3)\n",
    "ctrl-c": "raise KeyboardInterrupt\n",
}
SAID = {"raises": "RuntimeError: plugin bug", "exit-0": "it called sys.exit(0)",
        "exit-3": "it called sys.exit(3)", "ctrl-c": "it raised KeyboardInterrupt"}
REAL_CTRL_C = "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Per fault: one site with a task, a relation and a metric plugin failing that way at import."""
    made = {}
    for fault, code in FAULTS.items():
        site = tmp_path_factory.mktemp(fault)
        entry_points = ("[metacompress.tasks]\nbad-task = mc_bad.task\n\n"
                        "[metacompress.relations]\nbad-relation = mc_bad.relation\n\n"
                        "[metacompress.metrics]\nbad-metric = mc_bad.metric\n")
        write_distribution(site, "mc-bad-plugin", entry_points, {
            "mc_bad/__init__.py": "", "mc_bad/task.py": code, "mc_bad/relation.py": code, "mc_bad/metric.py": code})
        made[fault] = site
    return made


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", ["run", "attack"])
def test_a_task_plugin_failing_at_import_leaves_help_usable(sites, fault, command):
    done = run_python(sites[fault], "-m", "metacompress", command, "--help")
    assert done.returncode == 0, done.stderr
    assert "--task" in done.stdout and "clone-detection" in done.stdout


@pytest.mark.parametrize("fault", FAULTS)
def test_a_relation_plugin_failing_at_import_is_left_out_of_the_run_and_listed_as_unusable(sites, fault):
    script = ("from metacompress.config import select_relations\n"
              "chosen = select_relations(None, 'c')\n"
              "print('swap-if-else' in chosen, 'bad-relation' in chosen)\n")
    done = run_python(sites[fault], "-c", script)
    assert (done.returncode, done.stdout) == (0, "True False\n"), done.stderr
    listed = run_python(sites[fault], "-m", "metacompress", "relations", "--format", "json")
    assert listed.returncode == 0
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert not any(info["supported"] for info in rows["bad-relation"]["languages"].values())
    assert rows["swap-if-else"]["summary"]
    warning = [line for line in listed.stderr.splitlines() if "bad-relation" in line]
    assert len(warning) == 1 and "mc-bad-plugin" in warning[0] and SAID[fault] in warning[0]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_selected_plugin_that_fails_at_import_is_a_one_line_exit_2(sites, fault):
    done = run_python(sites[fault], "-m", "metacompress", "transform", "-l", "c", "-r", "bad-relation", "-")
    assert done.returncode == 2
    assert done.stderr == (f"Error: relation 'bad-relation' from plugin mc-bad-plugin (mc_bad.relation) "
                           f"cannot be loaded: {SAID[fault]}\n")


@pytest.mark.parametrize("fault", FAULTS)
def test_a_metric_plugin_failing_at_import_leaves_the_built_in_metrics(sites, fault):
    script = ("from metacompress.metrics import METRICS\n"
              "print('discrepancy_rate' in METRICS)\n")
    done = run_python(sites[fault], "-W", "always", "-c", script)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr
    assert "bad-metric from mc-bad-plugin" in done.stderr and SAID[fault] in done.stderr


def test_a_real_ctrl_c_while_a_plugin_loads_still_interrupts(tmp_path):
    write_distribution(tmp_path, "mc-slow-plugin", "[metacompress.relations]\nslow = mc_slow\n",
                       {"mc_slow.py": REAL_CTRL_C})
    # a shell starting the suite in the background leaves SIGINT ignored, and a child inherits
    # that: this Ctrl-C is meant to reach a process that listens for one
    listening = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    done = run_python(tmp_path, "-m", "metacompress", "transform", "-l", "c", "-r", "slow", "-", preexec_fn=listening)
    assert done.returncode == 130 and "interrupted" in done.stderr


# ---- loaders ---------------------------------------------------------------------------------


@pytest.fixture
def raising_loader():
    """A loader that fails when asked, and one that calls sys.exit when loading."""
    @register_loader
    class AsksBadly(ModelLoader):
        name = "asks-badly"

        def can_load(self, source: str) -> bool:
            raise RuntimeError("cannot tell")

    @register_loader
    class ExitsOnLoad(ModelLoader):
        name = "exits-on-load"

        def can_load(self, source: str) -> bool:
            return source.endswith(".exits")

        def load(self, source, *, model_root=None, trust_remote_code=False):
            raise SystemExit(0)

    yield
    LOADERS.remove("asks-badly")
    LOADERS.remove("exits-on-load")


def test_a_loader_whose_can_load_raises_is_left_out_with_one_warning(raising_loader, tmp_path):
    spec = tmp_path / "m.toml"
    spec.write_text("")
    with pytest.warns(PluginWarning, match=r"model loader 'asks-badly' failed in can_load.*RuntimeError: cannot tell; spec loads"):
        assert loader_for(str(spec)) == "spec"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # left out from now on: no second warning
        assert loader_for(str(spec)) == "spec"


def test_a_plugin_loader_exiting_in_load_is_an_error_naming_it(raising_loader, tmp_path):
    with pytest.raises(PluginError, match=r"model loader .exits-on-load. failed to load .*: it called sys.exit\(0\)"), \
            pytest.warns(PluginWarning, match="asks-badly"):
        load_model(str(tmp_path / "model.exits"))


def test_a_loader_plugin_whose_can_load_raises_is_exit_2_not_70(tmp_path):
    code = ("from metacompress.models import ModelLoader, register_loader\n"
            "@register_loader\nclass Bad(ModelLoader):\n    name = 'bad-loader'\n"
            "    def can_load(self, source):\n        raise RuntimeError('cannot tell')\n")
    write_distribution(tmp_path, "mc-loader-plugin", "[metacompress.loaders]\nbad-loader = mc_loader\n",
                       {"mc_loader.py": code})
    done = run_python(tmp_path, "-m", "metacompress", "inspect", str(tmp_path / "absent"))
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "does not exist" in done.stderr and "mc-loader-plugin" in done.stderr and "cannot tell" in done.stderr


# ---- click's usage errors --------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--bogus"], ["no-such-command"], ["run", "--bogus"], ["run"], ["run", "--teacher", "t", "--precision", "fp8"],
    ["attack", "--bogus"], ["compare"], ["relations", "--format", "xml"], ["transform", "-l", "c"],
    ["transform", "-r", "swap-if-else", "-l", "cobol"], ["inspect"], ["convert", "spec.toml"], ["cache", "nope"],
    ["cache", "info", "--bogus"],
], ids=" ".join)
def test_every_usage_error_is_one_line_exit_2(args):
    result = CliRunner().invoke(cli, args, prog_name="metacompress")
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: metacompress") and "--help" in lines[0]


# ---- warning noise ---------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [
    lambda: plots.forest_plot(["a", "b"], [plots.Series("T", [plots.Estimate(None)] * 2, plots.TEACHER)], "rate"),
    lambda: plots.forest_plot(["x" * 300], [plots.Series("T", [plots.Estimate(0.1)], plots.TEACHER)], "rate"),
], ids=["no-value", "long-label"])
def test_a_figure_with_nothing_to_show_draws_without_warnings(draw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert draw().startswith("<svg")


@pytest.mark.slow
def test_an_audit_where_no_rewrite_applies_has_no_warning_on_stderr(tmp_path):
    models = build_models(tmp_path / "models")
    data = tmp_path / "no-if.jsonl"
    data.write_text("".join(json.dumps({"id1": f"a{k}", "id2": f"b{k}", "code1": f"int f() {{ return {k}; }}",
                                        "code2": "int g() { return 2; }", "label": 0}) + "\n" for k in range(3)))
    done = run_python(tmp_path, "-m", "metacompress", "run", "--teacher", str(models["teacher"]),
                      "--student", str(models["perturbed"]), "--task", "clone-detection", "--data", str(data),
                      "--relations", "swap-if-else", "--bootstrap", "20", "--quiet", "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "report.html").is_file()
    assert "Warning" not in done.stderr, done.stderr


def test_a_relation_calling_sys_exit_while_rewriting_is_an_error_naming_it_not_its_exit_code():
    from metacompress.batch import apply_relation
    from metacompress.registry import PluginError
    from metacompress.relations import Relation

    class Exiting(Relation):
        name = "exits-while-rewriting"
        summary = "calls sys.exit(0) from its edits"
        languages = ("java",)

        def _edits(self, parsed, rng, options):
            raise SystemExit(0)

    with pytest.raises(PluginError, match=r"exits-while-rewriting.*sys\.exit\(0\)"):
        apply_relation(Exiting(), "class A { int f() { return 1; } }", "java", seed=0, options={})
