"""Compile and run the executable corpus (and rewritten variants of it) in batches.

A conformance run has hundreds of program variants, so the runners are built for batches:
Java variants are compiled and run inside long-lived JVMs (tests/support/JavaBatch.java, since a
javac plus JVM start per variant costs about a second), C variants are compiled with gcc and
Python variants run with the current interpreter; two workers each. Identical sources run once.

What counts as a program's behaviour: its stdout and its exit status (for Java, "exit 0" or the
class of the uncaught exception: the corpus never calls System.exit).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
JAVA_HARNESS = Path(__file__).resolve().parent / "support" / "JavaBatch.java"
EXTENSIONS = {"java": ".java", "c": ".c", "python": ".py"}
TIMEOUT_S = 10
WORKERS = 2


@dataclass(frozen=True)
class Outcome:
    """What running one program did. ``status`` is e.g. "exit 0", "compile-error ..." or "timeout"."""

    stdout: str
    status: str

    @property
    def ran(self) -> bool:
        return self.status.startswith(("exit ", "exception "))


def corpus_programs(language: str) -> list[Path]:
    return sorted((CORPUS / language).glob("*" + EXTENSIONS[language]))


def source_key(code: str) -> str:
    return hashlib.sha1(code.encode("utf-8")).hexdigest()[:16]


def toolchain_missing(language: str) -> str | None:
    """Why programs of this language cannot run here, or None when they can."""
    needed = {"java": ("javac", "java"), "c": ("gcc",), "python": ()}[language]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not installed" if missing else None


def run_programs(language: str, programs: dict[str, tuple[str, str]]) -> dict[str, Outcome]:
    """Run ``{key: (file_name, code)}``; returns ``{key: Outcome}``. Equal codes run once."""
    by_source: dict[str, tuple[str, str]] = {}
    for file_name, code in programs.values():
        by_source.setdefault(source_key(file_name + "\0" + code), (file_name, code))
    runner = {"java": _run_java, "c": _run_c, "python": _run_python}[language]
    with tempfile.TemporaryDirectory(prefix=f"metacompress-{language}-") as tmp:
        outcomes = runner(Path(tmp), by_source)
    return {key: outcomes[source_key(name + "\0" + code)] for key, (name, code) in programs.items()}


def _write_sources(root: Path, sources: dict[str, tuple[str, str]]) -> dict[str, Path]:
    paths = {}
    for key, (file_name, code) in sources.items():
        folder = root / key
        folder.mkdir()
        paths[key] = folder / file_name
        paths[key].write_text(code, encoding="utf-8")
    return paths


def _run_process(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired as exc:
        return Outcome((exc.stdout or b"").decode("utf-8", "replace"), "timeout")
    return Outcome(done.stdout.decode("utf-8", "replace"), f"exit {done.returncode}")


def _run_c(root: Path, sources: dict[str, tuple[str, str]]) -> dict[str, Outcome]:
    paths = _write_sources(root, sources)

    def one(key: str) -> Outcome:
        binary = paths[key].with_suffix(".bin")
        built = subprocess.run(
            ["gcc", "-std=gnu11", "-O0", "-w", "-o", str(binary), str(paths[key])],
            capture_output=True,
            timeout=60,
        )
        if built.returncode != 0:
            return Outcome("", "compile-error\n" + built.stderr.decode("utf-8", "replace")[-2000:])
        return _run_process([str(binary)], paths[key].parent)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(paths, pool.map(one, paths)))


def _run_python(root: Path, sources: dict[str, tuple[str, str]]) -> dict[str, Outcome]:
    paths = _write_sources(root, sources)
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}

    def one(key: str) -> Outcome:
        try:
            compile(paths[key].read_text(encoding="utf-8"), str(paths[key]), "exec")
        except SyntaxError as exc:
            return Outcome("", f"compile-error\nline {exc.lineno}: {exc.msg}")
        return _run_process([sys.executable, str(paths[key])], paths[key].parent, env)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(paths, pool.map(one, paths)))


@functools.cache
def _java_harness_classes() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="metacompress-javabatch-"))
    subprocess.run(["javac", "-d", str(folder), str(JAVA_HARNESS)], check=True, capture_output=True)
    return folder


def _run_java(root: Path, sources: dict[str, tuple[str, str]]) -> dict[str, Outcome]:
    paths = _write_sources(root, sources)
    results = root / "results"
    results.mkdir()
    keys = list(paths)
    shares = [keys[i::WORKERS] for i in range(WORKERS) if keys[i::WORKERS]]
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda share: _java_batch(root, paths, share, results), enumerate(shares)))
    return {
        key: Outcome(
            (results / f"{key}.out").read_bytes().decode("utf-8", "replace"),
            (results / f"{key}.status").read_text(encoding="utf-8"),
        )
        for key in paths
    }


def _java_batch(root: Path, paths: dict[str, Path], share: tuple[int, list[str]], results: Path) -> None:
    """One JVM runs a share of the programs; restarted after a program that timed out."""
    number, pending = share
    jobs = root / f"jobs{number}.txt"
    while pending:
        jobs.write_text("".join(f"{key}\t{paths[key]}\n" for key in pending), encoding="utf-8")
        command = [
            "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m",
            "-cp", str(_java_harness_classes()), "JavaBatch", str(jobs), str(results), str(TIMEOUT_S * 1000),
        ]  # fmt: skip
        subprocess.run(command, capture_output=True, timeout=TIMEOUT_S * (len(pending) + 5))
        done = {key for key in pending if (results / f"{key}.status").exists()}
        if not done:
            raise RuntimeError(f"the Java batch runner made no progress on {paths[pending[0]]}")
        pending = [key for key in pending if key not in done]
