"""``metacompress inspect`` and ``convert`` through click: output, files, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from metacompress.cli import cli
from metacompress.models import load_model
from models_fixtures import build_tiny_checkpoint


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cli-models")
    return {
        "seq": build_tiny_checkpoint(base / "seq", "sequence-classification", seed=3),
        "pair": build_tiny_checkpoint(base / "pair", "pair-concat-cls", seed=4),
    }


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_inspect_prints_one_line_per_fact(specs):
    result = run("inspect", str(specs["pair"]))
    assert result.exit_code == 0, result.output
    info = load_model(str(specs["pair"])).info
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert {k: v.strip() for k, v in lines.items()} == {
        "source": str(specs["pair"]),
        "format": "spec",
        "head": "pair-concat",
        "parameters": f"{info.num_parameters:,}",
        "size": f"{info.size_bytes / 1e6:.1f} MB ({info.size_bytes:,} bytes)",
        "architecture": "roberta, layers 1, hidden 16, heads 2, intermediate 32, vocab " + str(info.architecture["vocab"]),
        "labels": "0=no, 1=yes",
        "max length": "32 tokens",
        "fingerprint": info.fingerprint,
    }
    assert result.stderr == ""


def test_inspect_json_is_the_model_info(specs):
    result = run("inspect", str(specs["seq"]), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    info = load_model(str(specs["seq"])).info
    assert data["fingerprint"] == info.fingerprint and data["labels"] == ["no", "yes"]
    assert data["head"] == "sequence" and data["max_length"] == 32 and data["architecture"]["hidden"] == 16


def test_inspect_model_root_option_redirects_the_specs_paths(specs, tmp_path):
    moved = tmp_path / "spec.toml"
    moved.write_text(specs["seq"].read_text())
    assert run("inspect", str(moved)).exit_code == 2
    result = run("inspect", str(moved), "--model-root", str(specs["seq"].parent), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["fingerprint"] == load_model(str(specs["seq"])).info.fingerprint


def test_inspect_missing_model_is_a_one_line_error_with_exit_2(tmp_path):
    result = run("inspect", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: model path {tmp_path / 'absent'} does not exist\n"


def test_convert_writes_a_folder_that_inspects_to_the_same_fingerprint(specs, tmp_path):
    out = tmp_path / "hf"
    result = run("convert", str(specs["seq"]), str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}\n"
    converted = json.loads(run("inspect", str(out), "--format", "json").stdout)
    assert converted["format"] == "huggingface"
    assert converted["fingerprint"] == load_model(str(specs["seq"])).info.fingerprint


def test_convert_refuses_a_non_empty_folder_without_overwrite(specs, tmp_path):
    out = tmp_path / "hf"
    assert run("convert", str(specs["seq"]), str(out)).exit_code == 0
    again = run("convert", str(specs["seq"]), str(out))
    assert again.exit_code == 2 and "pass --overwrite" in again.stderr and len(again.stderr.splitlines()) == 1
    assert run("convert", str(specs["seq"]), str(out), "--overwrite").exit_code == 0


def test_convert_of_a_pair_head_explains_why_not(specs, tmp_path):
    result = run("convert", str(specs["pair"]), str(tmp_path / "hf"))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "pair-concat-cls" in result.stderr and "spec loader" in result.stderr
