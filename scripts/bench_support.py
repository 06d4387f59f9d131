"""What the scripts share: the provenance line printed with their figures, a clock, tiny models.

Not a script itself (tests/test_scripts.py imports it instead of running it).
"""

from __future__ import annotations

import json
import os
import platform
import random
import shlex
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
METHODS = REPO / "examples" / "clone-detection" / "methods.jsonl"
PACKAGES = ("torch", "transformers", "tree-sitter", "numpy")
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def provenance() -> str:
    """The command line, the versions and the machine's load: printed with every figure."""
    command = " ".join(shlex.quote(part) for part in [Path(sys.executable).name, *sys.argv])
    versions = [f"python {platform.python_version()}", f"metacompress {_commit()}"]
    versions += [f"{name} {_version(name)}" for name in PACKAGES]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"command: {command}\nversions: {'; '.join(versions)}\n"
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load}")


def print_provenance() -> None:
    print(provenance(), flush=True)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    """The checkout's commit, '+changes' when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "(no git)"
    return f"{head or '(no git)'}{'+changes' if dirty else ''}"


def build_tiny_models(folder: Path, hidden: int = 64, layers: int = 12, heads: int = 4,
                      max_length: int = 256) -> tuple[str, str]:
    """A teacher and a student (RoBERTa classifiers of ``layers`` layers, random weights, one
    tokenizer) for clone detection, as the test fixtures build them."""
    from metacompress.demo.tiny import build_tiny_classifier, train_bpe

    texts = [m["code"] for m in _methods()]
    tokenizer = train_bpe(texts, 500)
    sizes = dict(hidden=hidden, layers=layers, heads=heads, intermediate=4 * hidden)
    paths = []
    for role, seed in (("teacher", 0), ("student", 1)):
        build_tiny_classifier(folder / role, texts, ("not-clone", "clone"), seed=seed, tokenizer=tokenizer,
                              max_length=max_length, **sizes)
        paths.append(str(folder / role))
    return paths[0], paths[1]


def write_clone_pairs(path: Path, count: int, seed: int = 0) -> str:
    """``count`` labelled clone-detection pairs of the example methods, as JSON lines."""
    methods = _methods()
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        first, second = rng.sample(methods, 2)
        lines.append(json.dumps({"code1": first["code"], "code2": second["code"],
                                 "label": int(first["functionality"] == second["functionality"])}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _methods() -> list[dict]:
    return [json.loads(line) for line in METHODS.read_text(encoding="utf-8").splitlines() if line.strip()]
