"""The README cannot rot: its generated sections are current and every command in it runs."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, shared_root
from metacompress.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = [line[2:] for line in README.splitlines() if line.startswith("$ metacompress ")]
NEEDS_SHARED = ("../shared", "configs/models/", "configs/clone-detection", "configs/vulnerability-prediction",
                "configs/code-classification")


def _script():
    spec = importlib.util.spec_from_file_location("readme_examples", REPO / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_sections_match_what_the_tool_does():
    assert _script().render(README) == README, "run: python scripts/readme_examples.py"


def test_every_relation_task_and_metric_is_documented():
    from metacompress.metrics import METRICS
    from metacompress.relations import RELATIONS
    from metacompress.tasks import TASKS

    for name in [*RELATIONS.names(), *TASKS.names(), *METRICS]:
        assert f"`{name}`" in README, name


def test_make_targets_in_the_readme_exist():
    makefile = (REPO / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", README, flags=re.MULTILINE):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), target


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS, ids=[c[:70] for c in COMMANDS])
def test_readme_command_runs(command, tmp_path, monkeypatch):
    if any(marker in command for marker in NEEDS_SHARED) and not (shared_root() / "models").is_dir():
        pytest.skip(f"needs the real checkpoints and data in {shared_root()}")
    monkeypatch.chdir(REPO)
    arguments = [str(tmp_path / a) if a.startswith("runs/") else a for a in shlex.split(command)[1:]]
    if arguments[0] == "run" and "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "report")]
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert "Traceback" not in result.output
    if arguments[0] == "run":
        # The example configs carry a --fail-on gate: 1 (breached) is a finding, not a failure.
        assert result.exit_code in (0, 1), result.output
        out = Path(arguments[arguments.index("--out") + 1])
        assert (out / "report.json").is_file() and (out / "samples.csv").is_file()
    else:
        assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_readme_library_example_runs(tmp_path, monkeypatch):
    if not (shared_root() / "models").is_dir():
        pytest.skip(f"needs the real checkpoints and data in {shared_root()}")
    block = re.search(r"```python\n(.*?)```", README, flags=re.DOTALL).group(1)
    monkeypatch.chdir(REPO)
    code = block.replace('"runs/notebook"', repr(str(tmp_path / "notebook")))
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (Path(tmp_path) / "notebook" / "report.json").is_file()
    assert namespace["result"].report.all_relations.metrics["discrepancy_rate"].value is not None
