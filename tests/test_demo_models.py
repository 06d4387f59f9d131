"""The demo's data and models: real Java, a reproducible split, loadable cached models.

Builds run in a subprocess, exactly as ``make demo`` runs them, so that the build's global torch
settings (thread count, deterministic kernels) never leak into the rest of the suite.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from metacompress.code.parsing import ParsedCode

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_demo_models.py"
EXAMPLES = REPO / "examples" / "clone-detection"


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_demo_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def methods(builder):
    return builder.load_methods(EXAMPLES / "methods.jsonl")


def run_build(out: Path, *flags: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), "--out", str(out), *flags]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)


@pytest.fixture(scope="module")
def quick_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "models"
    run_build(out, "--quick")
    return out


def test_methods_are_many_styles_of_each_functionality(methods):
    ids = [m.id for m in methods]
    assert len(set(ids)) == len(ids)
    per_functionality = {}
    for method in methods:
        per_functionality.setdefault(method.functionality, set()).add(method.code)
    assert len(per_functionality) >= 10
    assert all(len(codes) >= 4 for codes in per_functionality.values())


def test_methods_parse_without_errors(methods):
    failing = [m.id for m in methods if ParsedCode.parse(m.code, "java").error_ranges]
    assert failing == []


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not installed")
def test_methods_compile(methods, tmp_path):
    sources = []
    for index, method in enumerate(methods):
        source = tmp_path / f"Method{index}.java"
        imports = "import java.math.BigInteger;\nimport java.util.*;\n\n"
        source.write_text(f"{imports}class Method{index} {{\n{method.code}}}\n")
        sources.append(str(source))
    result = subprocess.run(["javac", "-d", str(tmp_path / "classes"), *sources], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_committed_audit_pairs_are_the_held_out_split(builder, methods):
    split = builder.split_pairs(methods)
    committed = [json.loads(line) for line in (EXAMPLES / "pairs.jsonl").read_text().splitlines()]
    assert committed == [pair.record() for pair in split.audit]
    assert sum(row["label"] for row in committed) * 2 == len(committed)


def test_no_audit_pair_is_trained_on_in_either_order(builder, methods):
    split = builder.split_pairs(methods)
    unordered = lambda pair: frozenset((pair.first.id, pair.second.id))  # noqa: E731
    held_out = {unordered(p) for p in split.audit}
    assert held_out.isdisjoint(unordered(p) for p in split.train + split.unlabelled)
    labels = [p.label for p in split.train]
    assert labels.count(1) == labels.count(0)


def test_quick_build_loads_as_huggingface_classifiers(quick_build):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    pair = json.loads((EXAMPLES / "pairs.jsonl").read_text().splitlines()[0])
    sizes = {}
    for role in ("teacher", "student"):
        tokenizer = AutoTokenizer.from_pretrained(quick_build / role)
        model = AutoModelForSequenceClassification.from_pretrained(quick_build / role).eval()
        assert (model.config.id2label[0], model.config.id2label[1]) == ("not-clone", "clone")
        encoded = tokenizer(pair["code1"], pair["code2"], truncation=True, return_tensors="pt")
        assert tokenizer.decode(encoded["input_ids"][0]).count("</s></s>") == 1
        with torch.no_grad():
            assert model(**encoded).logits.shape == (1, 2)
        sizes[role] = model.num_parameters()
    assert sizes["student"] < sizes["teacher"] / 4


def test_second_call_reuses_the_cache(quick_build):
    before = (quick_build / "manifest.json").read_text()
    started = time.perf_counter()
    result = run_build(quick_build, "--quick")
    assert "up to date" in result.stdout
    assert time.perf_counter() - started < 5
    assert (quick_build / "manifest.json").read_text() == before


def test_same_seed_gives_identical_files(builder, quick_build, tmp_path):
    run_build(tmp_path / "again", "--quick")
    first = builder.file_digests(quick_build)
    assert "teacher/model.safetensors" in first and "student/model.safetensors" in first
    assert builder.file_digests(tmp_path / "again") == first


def test_changed_inputs_or_files_invalidate_the_cache(builder, quick_build, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(quick_build, copy)
    key = json.loads((copy / "manifest.json").read_text())["key"]
    assert builder.up_to_date(copy, key) is not None
    assert builder.up_to_date(copy, {**key, "seed": key["seed"] + 1}) is None
    with (copy / "student" / "model.safetensors").open("ab") as weights:
        weights.write(b"\0")
    assert builder.up_to_date(copy, key) is None


@pytest.mark.slow
def test_full_build_teacher_beats_chance_and_student_differs(tmp_path):
    run_build(tmp_path / "full")
    figures = json.loads((tmp_path / "full" / "manifest.json").read_text())["figures"]
    assert figures["teacher_accuracy"] >= 0.75  # chance is 0.5: the audit set is balanced
    assert figures["agreement"] < 1.0  # the demo needs a student that departs from its teacher


def test_unusable_methods_file_is_a_one_line_error(tmp_path):
    broken = tmp_path / "methods.jsonl"
    broken.write_text('{"id": "a", "functionality": "f", "code": "int f() { return 1; }"}\nnot json\n')
    for methods in (tmp_path / "missing.jsonl", broken):
        command = [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out"), "--methods", str(methods)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {methods}") and result.stderr.count("\n") == 1
    assert "methods.jsonl:2:" in result.stderr
    assert not (tmp_path / "out").exists()
