"""The package's imports form no circle (scripts/import_graph.py builds the graph with ast)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "import_graph.py"


def load_script():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_circle_among_top_level_imports():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no import circle" in result.stdout


def test_no_circle_even_through_imports_inside_functions():
    result = subprocess.run([sys.executable, str(SCRIPT), "--strict"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_and_relations_have_no_circle_even_through_deferred_imports():
    graph = load_script().module_graph(deferred=True)
    ours = [c for c in load_script().cycles(graph) if any(m.startswith(("metacompress.code", "metacompress.relations")) for m in c)]
    assert ours == []


def test_code_analysis_never_imports_relations():
    """code/ is the analysis the relations build on: it must not depend on them."""
    graph = load_script().module_graph(deferred=True)
    back = {m: sorted(t for t in targets if t.startswith("metacompress.relations"))
            for m, targets in graph.items() if m.startswith("metacompress.code")}
    assert {m: t for m, t in back.items() if t} == {}


@pytest.mark.parametrize(
    "files, circle",
    [
        ({"a.py": "from . import b\n", "b.py": "from .a import x\n"}, ["pkg.a", "pkg.b"]),
        ({"a.py": "from .sub import c\n", "sub/__init__.py": "", "sub/c.py": "import pkg.a\n"}, ["pkg.a", "pkg.sub.c"]),
    ],
)
def test_the_check_finds_a_circle(tmp_path, files, circle):
    package = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    script = load_script()
    assert script.cycles(script.module_graph(package)) == [circle]


def test_an_import_inside_a_function_is_deferred(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from . import a\n")
    script = load_script()
    assert script.cycles(script.module_graph(package)) == []
    assert script.cycles(script.module_graph(package, deferred=True)) == [["pkg.a", "pkg.b"]]


def test_an_import_for_type_checkers_only_makes_no_circle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n")
    script = load_script()
    assert script.cycles(script.module_graph(package)) == []


def test_an_import_for_type_checkers_only_makes_no_deferred_circle_either(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n")
    script = load_script()
    assert script.cycles(script.module_graph(package, deferred=True)) == []
