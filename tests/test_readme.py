"""The README and the documentation pages cannot rot: their generated sections are current and
every command in them runs."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, shared_root
from metacompress.cli import cli

PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
NEEDS_SHARED = ("../shared", "configs/models/", "configs/clone-detection", "configs/vulnerability-prediction",
                "configs/code-classification")
DEMO_MODELS = ".cache/demo/"  # what `make demo` builds; the tests build a quick copy instead


def _script():
    spec = importlib.util.spec_from_file_location("readme_examples", REPO / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


def _without_generated_sections(text: str) -> str:
    for section in SCRIPT.SECTIONS.values():
        head, found, rest = text.partition(section.start)
        if found:
            text = head + rest.partition(section.end)[2]
    return text


def _commands() -> list[tuple[str, str]]:
    """(page, command) for every `$ metacompress` line a reader is shown, once each; the
    generated gallery's commands are checked by test_generated_sections_match_what_the_tool_does."""
    seen: dict[str, str] = {}
    for page in PAGES:
        for line in _without_generated_sections(page.read_text(encoding="utf-8")).splitlines():
            if line.startswith("$ metacompress "):
                seen.setdefault(line[2:], page.relative_to(REPO).as_posix())
    return [(page, command) for command, page in seen.items()]


COMMANDS = _commands()


def _page(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def _needs_shared(command: str) -> None:
    if any(marker in command for marker in NEEDS_SHARED) and not (shared_root() / "models").is_dir():
        pytest.skip(f"needs the real checkpoints and data in {shared_root()}")


@pytest.fixture(scope="module")
def demo_models(tmp_path_factory) -> Path:
    """The demo's teacher and student, built quickly in a subprocess as `make demo` builds them."""
    out = tmp_path_factory.mktemp("demo") / "models"
    command = [sys.executable, str(REPO / "scripts" / "build_demo_models.py"), "--out", str(out), "--quick"]
    subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return out


@pytest.mark.parametrize("document", SCRIPT.DOCUMENTS, ids=lambda path: path.name)
def test_generated_sections_match_what_the_tool_does(document):
    text = document.read_text(encoding="utf-8")
    assert any(section.start in text for section in SCRIPT.SECTIONS.values()), f"{document} lost its markers"
    assert SCRIPT.render(text) == text, "run: python scripts/readme_examples.py"


def test_every_relation_task_and_metric_is_documented():
    from metacompress.metrics import METRICS
    from metacompress.relations import RELATIONS
    from metacompress.tasks import TASKS

    readme, gallery, metrics = _page("README.md"), _page("docs/relations-gallery.md"), _page("docs/metrics.md")
    for name in [*RELATIONS.names(), *TASKS.names()]:
        assert f"`{name}`" in readme, name
    for name in RELATIONS.names():
        assert f"## `{name}`" in gallery, f"{name}: add an example to EXAMPLES in scripts/readme_examples.py"
    metric_names = METRICS.names() if hasattr(METRICS, "names") else list(METRICS)
    for name in metric_names:
        assert f"`{name}`" in metrics, name


def test_make_targets_named_in_the_pages_exist():
    makefile = _page("Makefile")
    for page in PAGES:
        for target in re.findall(r"^make ([\w-]+)", page.read_text(encoding="utf-8"), flags=re.MULTILINE):
            assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"{page.name}: make {target}"


def test_readme_audits_the_models_make_demo_builds():
    demo_folder = re.search(r"^DEMO\s*:=\s*(\S+)", _page("Makefile"), flags=re.MULTILINE).group(1)
    audits = [command for page, command in COMMANDS if page == "README.md" and command.startswith("metacompress run")]
    assert audits, "the README shows no audit"
    assert all(f"{demo_folder}/teacher" in c and f"{demo_folder}/student" in c for c in audits)
    assert not any(marker in c for c in audits for marker in NEEDS_SHARED), "the README's audit must run on a fresh clone"


@pytest.mark.slow
@pytest.mark.parametrize("page,command", COMMANDS, ids=[f"{p}: {c[:60]}" for p, c in COMMANDS])
def test_documented_command_runs(page, command, tmp_path, monkeypatch, request):
    _needs_shared(command)
    monkeypatch.chdir(REPO)
    demo = str(request.getfixturevalue("demo_models")) + "/" if DEMO_MODELS in command else None
    arguments = []
    for argument in shlex.split(command)[1:]:
        if argument.startswith("runs/"):
            argument = str(tmp_path / argument)
        elif demo and argument.startswith(DEMO_MODELS):
            argument = demo + argument[len(DEMO_MODELS):]
        arguments.append(argument)
    if arguments[0] == "run" and "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "report")]
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert "Traceback" not in result.output
    if arguments[0] == "run":
        # A --fail-on gate may be breached: 1 is a finding, not a failure.
        assert result.exit_code in (0, 1), result.output
        out = Path(arguments[arguments.index("--out") + 1])
        assert (out / "report.json").is_file() and (out / "samples.csv").is_file()
    else:
        assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_documented_library_example_runs(tmp_path, monkeypatch):
    if not (shared_root() / "models").is_dir():
        pytest.skip(f"needs the real checkpoints and data in {shared_root()}")
    block = re.search(r"```python\n(.*?)```", _page("docs/getting-started.md"), flags=re.DOTALL).group(1)
    monkeypatch.chdir(REPO)
    code = block.replace('"runs/notebook"', repr(str(tmp_path / "notebook")))
    namespace: dict = {}
    exec(compile(code, "docs/getting-started.md", "exec"), namespace)
    assert (Path(tmp_path) / "notebook" / "report.json").is_file()
    assert namespace["result"].report.all_relations.metrics["discrepancy_rate"].value is not None
