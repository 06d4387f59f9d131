"""Registration by decorator, the built-in tables, and loaders that claim their own sources."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import pytest

from metacompress.errors import ModelLoadError, UsageError
from metacompress.models import LOADERS, ModelLoader, load_model, loader_for, loader_order, register_loader
from metacompress.registry import PluginError
from metacompress.relations import RELATIONS
from metacompress.tasks import TASKS

C_IF_ELSE = "int f(int a) {\n  if (a > 0) {\n    return 1;\n  } else {\n    return 2;\n  }\n}\n"


@pytest.mark.parametrize("registry", [RELATIONS, TASKS, LOADERS], ids=lambda r: r.kind)
def test_each_built_in_is_registered_by_its_own_module_under_the_name_it_states(registry):
    declared = registry.builtins()
    assert declared
    for name, module in declared.items():
        entry = registry.get(name)  # imports the module; its decorator must fill the entry
        assert entry.name == name and entry.__module__ == module
    for module in set(declared.values()):
        importlib.import_module(module)
    assert set(registry.names()) == set(declared)  # no module registered a name the table lacks


def test_a_table_entry_its_module_does_not_register_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "holder.py").write_text(textwrap.dedent("""
        from metacompress.registry import Registry
        THINGS = Registry("thing")
        register_thing = THINGS.decorator(lambda cls: cls.name)
    """))
    (tmp_path / "things.py").write_text(textwrap.dedent("""
        from holder import register_thing

        @register_thing
        class Thing:
            name = "what-the-class-says"
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    from holder import THINGS

    THINGS.declare({"what-the-table-says": "things"})
    with pytest.raises(PluginError, match="built-in thing 'what-the-table-says' .* importing things registered no thing"):
        THINGS.get("what-the-table-says")
    assert THINGS.get("what-the-class-says").__name__ == "Thing"
    with pytest.raises(UsageError, match="Unknown thing 'what-the-class'. Did you mean 'what-the-class-says'"):
        THINGS.get("what-the-class")


def test_the_same_name_twice_is_refused():
    with pytest.raises(ValueError, match="relation 'swap-if-else' is already registered"):
        @RELATIONS.decorator(lambda cls: cls.name)
        class Impostor:
            name = "swap-if-else"


# ---- loaders ---------------------------------------------------------------------------------


@pytest.fixture
def onnx_loader():
    """A loader registered at run time for folders holding model.onnx."""
    @register_loader
    class OnnxFolder(ModelLoader):
        name = "onnx-folder"

        def can_load(self, source: str) -> bool:
            return (__import__("pathlib").Path(source) / "model.onnx").is_file()

        def load(self, source, *, model_root=None, trust_remote_code=False):
            return ("loaded by onnx-folder", source)

    yield OnnxFolder
    LOADERS.remove("onnx-folder")


def test_a_registered_loader_is_asked_first_and_chosen(onnx_loader, tmp_path):
    assert loader_order() == ["onnx-folder", "spec", "huggingface"]
    folder = tmp_path / "exported"
    folder.mkdir()
    with pytest.raises(ModelLoadError, match="is a folder without config.json"):
        load_model(str(folder))
    (folder / "model.onnx").write_bytes(b"")
    assert loader_for(str(folder)) == "onnx-folder"
    assert load_model(str(folder)) == ("loaded by onnx-folder", str(folder))
    (folder / "config.json").write_text("{}")  # a Hugging Face folder too: the newer loader still wins
    assert loader_for(str(folder)) == "onnx-folder"


def test_a_broken_loader_plugin_never_stops_the_built_in_loaders(tmp_path):
    LOADERS.register("broken-loader", "no_such_package.loader:Loader")
    try:
        spec = tmp_path / "m.toml"
        spec.write_text("")
        assert loader_for(str(spec)) == "spec"
        with pytest.raises(ModelLoadError, match=r"model path .*missing does not exist \(.*broken-loader.* cannot be loaded"):
            loader_for(str(tmp_path / "missing"))
    finally:
        LOADERS.remove("broken-loader")


# ---- import weight ---------------------------------------------------------------------------


IMPORT_CHECK = """
import sys
from click.testing import CliRunner
from metacompress.cli import cli
result = CliRunner().invoke(cli, {args!r}, input={stdin!r})
assert result.exit_code == 0, result.output
print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'pandas', 'transformers')))
"""


@pytest.mark.parametrize("args, stdin", [
    (["--help"], None),
    (["transform", "--help"], None),
    (["transform", "-l", "c", "-r", "swap-if-else"], C_IF_ELSE),
    (["transform", "-l", "c", "-r", "swap-if-else", "--input", "-"], json.dumps({"code": C_IF_ELSE}) + "\n"),
    (["relations"], None),
], ids=["help", "transform-help", "transform", "transform-batch", "relations"])
def test_light_commands_import_neither_torch_nor_pandas(args, stdin):
    done = subprocess.run([sys.executable, "-c", IMPORT_CHECK.format(args=args, stdin=stdin)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
