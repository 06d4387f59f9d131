"""Run small programs before and after a rewrite, for the relation unit tests.

Each relation test keeps one or two hand-made programs full of traps; this module compiles and
runs every distinct variant (javac once for all Java variants, gcc per C variant, python3 per
Python one) and returns what each printed, so a test can demand identical output.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metacompress.relations import transform

TIMEOUT = 60


def variants(code: str, language: str, relation: str, seeds: range, **options: str) -> list[str]:
    """Distinct rewritten programs over ``seeds``; fails when the relation never applies."""
    found: list[str] = []
    for seed in seeds:
        rewrite = transform(code, language, relation, seed=seed, **options)
        assert rewrite.applied or "internal" not in rewrite.reason, rewrite.reason
        if rewrite.applied and rewrite.code not in found:
            found.append(rewrite.code)
    assert found, f"{relation} never applied"
    return found


def outputs(language: str, programs: list[str], tmp_path: Path) -> list[str]:
    """What each program prints; a compile error or crash fails the test with its message."""
    if language == "java":
        return _run_java(programs, tmp_path)
    runner = _run_c if language == "c" else _run_python
    return [runner(program, tmp_path / f"v{index}") for index, program in enumerate(programs)]


def assert_same_behaviour(language: str, original: str, rewritten: list[str], tmp_path: Path) -> None:
    expected, *got = outputs(language, [original, *rewritten], tmp_path)
    assert expected.strip(), "the original program printed nothing"
    for program, output in zip(rewritten, got):
        assert output == expected, f"output changed for:\n{program}"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def _check(result: subprocess.CompletedProcess, program: str) -> str:
    assert result.returncode == 0, f"{result.stderr}\n--- program ---\n{program}"
    return result.stdout


def _run_c(program: str, folder: Path) -> str:
    gcc = _require("gcc")
    folder.mkdir(parents=True)
    (folder / "prog.c").write_text(program)
    built = subprocess.run(
        [gcc, "-std=gnu11", "-w", "-o", str(folder / "prog"), str(folder / "prog.c"), "-lm"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    _check(built, program)
    return _check(subprocess.run([str(folder / "prog")], capture_output=True, text=True, timeout=TIMEOUT), program)


def _run_python(program: str, folder: Path) -> str:
    folder.mkdir(parents=True)
    (folder / "prog.py").write_text(program)
    ran = subprocess.run([sys.executable, str(folder / "prog.py")], capture_output=True, text=True, timeout=TIMEOUT)
    return _check(ran, program)


def _run_java(programs: list[str], tmp_path: Path) -> list[str]:
    """One javac for every variant: each gets its public class renamed ``Name<i>``."""
    javac, java = _require("javac"), _require("java")
    match = re.search(r"public\s+class\s+(\w+)", programs[0])
    assert match, "the Java program needs a public class"
    name = match.group(1)
    folder = tmp_path / "java"
    folder.mkdir(parents=True)
    files = []
    for index, program in enumerate(programs):
        path = folder / f"{name}{index}.java"
        path.write_text(re.sub(rf"\b{name}\b", f"{name}{index}", program))
        files.append(str(path))
    built = subprocess.run([javac, "-nowarn", "-d", str(folder), *files], capture_output=True, text=True, timeout=TIMEOUT * 3)
    assert built.returncode == 0, built.stderr
    results = []
    for index, program in enumerate(programs):
        ran = subprocess.run([java, "-cp", str(folder), f"{name}{index}"], capture_output=True, text=True, timeout=TIMEOUT)
        results.append(_check(ran, program))
    return results
