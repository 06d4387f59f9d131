"""Accuracy and F1 of the four real students on the full shared test sets.

Checks the model loader end to end against the figures an independent re-implementation
measured (shared/MODELS.md): if a spec's head, label order or preprocessing were wrong, accuracy
would fall to chance. Usage::

    .venv/bin/python scripts/eval_students.py [--shared ../shared] [--only compressor-clone] [--limit N]
        [--device auto] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# spec name -> (test-set folder, positive label name, expected accuracy from MODELS.md)
STUDENTS = {
    "compressor-clone": ("bigclonebench-test", "clone", 0.9537),
    "compressor-devign": ("devign-test", "vulnerable", 0.5944),
    "avatar-clone": ("bigclonebench-test", "clone", 0.9147),
    "avatar-devign": ("devign-test", "vulnerable", 0.6146),
}
TOLERANCE = 0.005


@dataclass
class Result:
    model: str
    n: int
    correct: int
    accuracy: float
    f1: float
    expected: float
    truncated: int
    seconds: float

    @property
    def ok(self) -> bool:
        return abs(self.accuracy - self.expected) <= TOLERANCE


def read_test_set(folder: Path, limit: int | None = None) -> list[dict]:
    """Rows of every ``*.jsonl`` file, files ordered by the first number in their name."""
    files = sorted(folder.glob("*.jsonl"), key=lambda f: int(re.search(r"\d+", f.name).group()))
    rows = [json.loads(line) for file in files for line in file.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def inputs_and_truth(rows: list[dict]) -> tuple[list, np.ndarray]:
    """Model inputs and whether each row is positive (clone, or vulnerable: target 1)."""
    if "code1" in rows[0]:
        return [(r["code1"], r["code2"]) for r in rows], np.array([int(r["label"]) == 1 for r in rows])
    return [r["func"] for r in rows], np.array([int(r["target"]) == 1 for r in rows])


def evaluate(name: str, shared: Path, limit: int | None, device: str) -> Result:
    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models import load_model

    data, positive, expected = STUDENTS[name]
    model = load_model(str(REPO / "configs" / "models" / f"{name}.toml"), model_root=shared / "models" / _folder(name))
    inputs, truth = inputs_and_truth(read_test_set(shared / "data" / data, limit))
    start = time.perf_counter()
    predictions = predict_proba(model, inputs, InferenceSettings(device=device, progress=sys.stderr.isatty()))
    seconds = time.perf_counter() - start
    predicted = predictions.probs.argmax(axis=1) == model.info.labels.index(positive)
    return Result(
        model=name,
        n=len(truth),
        correct=int((predicted == truth).sum()),
        accuracy=float((predicted == truth).mean()),
        f1=f1_score(truth, predicted),
        expected=expected,
        truncated=int(predictions.truncated.sum()),
        seconds=round(seconds, 1),
    )


def f1_score(truth: np.ndarray, predicted: np.ndarray) -> float:
    true_positive = int((truth & predicted).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * true_positive / denominator if denominator else 0.0


def _folder(name: str) -> str:
    """The checkpoint folder a shipped spec points to (its root's last component)."""
    from metacompress.models.spec import read_spec

    return read_spec(REPO / "configs" / "models" / f"{name}.toml").root.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("METACOMPRESS_SHARED", REPO.parent / "shared")))
    parser.add_argument("--only", choices=sorted(STUDENTS), action="append", help="evaluate only these students")
    parser.add_argument("--limit", type=int, help="first N examples only (the expected figures hold for the full sets)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()
    results = [evaluate(name, args.shared, args.limit, args.device) for name in args.only or STUDENTS]
    print(f"{'model':<18} {'n':>5} {'correct':>7} {'accuracy':>8} {'expected':>8} {'F1':>6} {'trunc':>6} {'seconds':>7}")
    for r in results:
        flag = "" if args.limit or r.ok else "  <-- off by more than 0.005"
        print(f"{r.model:<18} {r.n:>5} {r.correct:>7} {r.accuracy:>8.4f} {r.expected:>8.4f} {r.f1:>6.3f} "
              f"{r.truncated:>6} {r.seconds:>7}{flag}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if args.limit or all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
