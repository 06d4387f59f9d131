#!/usr/bin/env python
"""Does a warm prediction store make a second student's audit cost only the student?

Three audits of the same data against the same teacher, each a fresh `metacompress run` process:

1. cold:   student A, empty store (teacher and student A computed and saved);
2. warm:   student B, the same store (the teacher's outputs come from it);
3. alone:  student B with --no-cache, whose time minus the teacher's inference time is what the
           audit costs with the teacher for free ("student-only time").

It prints each phase's time (run_audit's own total, and the process's wall time with imports and
model loading), the student's inference time, and checks warm <= student-only x 1.10.

Student B is student A with every weight perturbed (a copy written to a temporary folder, with a
spec pointing at it), so it is a different model with the same architecture and cost.

Example (real students from ../shared; the teacher is the 12-layer Compressor student):
    python scripts/bench_store.py --limit 400 --relations rename-identifiers,insert-dead-code,swap-if-else --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "configs" / "models"


def perturbed_copy(spec: Path, folder: Path) -> Path:
    """A spec of ``spec``'s model with noise added to every floating-point weight, in ``folder``
    (or, for a model folder, a perturbed copy of the folder)."""
    import torch

    if spec.is_dir():
        return perturbed_folder(spec, folder)
    text = spec.read_text(encoding="utf-8")
    root = (spec.parent / re.search(r'^root = "(.*)"', text, flags=re.MULTILINE).group(1)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    weights = torch.load(root / "model.bin", map_location="cpu", weights_only=True)
    generator = torch.Generator().manual_seed(7)
    noisy = {k: v + 0.05 * torch.randn(v.shape, generator=generator) if v.is_floating_point() else v
             for k, v in weights.items()}
    torch.save(noisy, folder / "model.bin")
    for tokenizer in root.glob("*.json"):
        shutil.copy(tokenizer, folder / tokenizer.name)
    copy = folder / "student-b.toml"
    copy.write_text(re.sub(r'^root = ".*"', f'root = "{folder}"', text, flags=re.MULTILINE), encoding="utf-8")
    return copy


def perturbed_folder(model: Path, folder: Path) -> Path:
    import torch
    from safetensors.torch import load_file, save_file

    shutil.copytree(model, folder, dirs_exist_ok=True)
    weights = load_file(str(folder / "model.safetensors"))
    generator = torch.Generator().manual_seed(7)
    noisy = {k: v + 0.05 * torch.randn(v.shape, generator=generator) if v.is_floating_point() else v
             for k, v in weights.items()}
    save_file(noisy, str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder


def audit(teacher: Path, student: Path, args, out: Path, *cache: str) -> dict:
    command = [sys.executable, "-m", "metacompress", "run", "--teacher", str(teacher), "--student", str(student),
               "--task", "clone-detection", "--data", str(args.data), "--limit", str(args.limit), "--seed", "0",
               "--bootstrap", "200", "--device", "cpu", "--quiet", "--out", str(out), *cache]
    if args.relations:
        command += ["--relations", args.relations]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"audit failed ({done.returncode}): {done.stderr[-2000:]}")
    run = json.loads((out / "report.json").read_text())["run"]
    return {"wall": wall, "total": run["timings_s"]["total"], "timings": run["timings_s"], "models": run["models"]}


def describe(name: str, result: dict) -> str:
    models = result["models"]
    parts = [f"{role} {m['inference_seconds']:.1f} s inference ({m.get('outputs_from_store', 0)} from store, "
             f"{m.get('outputs_computed', 0)} computed)" for role, m in models.items()]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in result["timings"].items() if k != "total")
    return (f"{name:<6} run_audit {result['total']:7.1f} s   process {result['wall']:7.1f} s   " + "; ".join(parts)
            + f"\n       stages (s): {stages}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", type=Path, default=SPECS / "compressor-clone.toml")
    parser.add_argument("--student", type=Path, default=SPECS / "avatar-clone.toml")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "bigclonebench-test")
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--relations", default="", help="comma-separated relations (default: all for Java)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the warm and the no-cache audit this many times, interleaved, and keep the fastest "
                             "(on a shared machine the load moves more than the store does)")
    parser.add_argument("--tiny", action="store_true",
                        help="two tiny random 2-layer models and clone pairs of the example methods (smoke test)")
    args = parser.parse_args()
    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()

    with tempfile.TemporaryDirectory(prefix="bench-store-") as scratch:
        scratch = Path(scratch)
        if args.tiny:
            from bench_support import build_tiny_models, write_clone_pairs

            teacher, student = build_tiny_models(scratch / "tiny", layers=2)
            args.teacher, args.student = Path(teacher), Path(student)
            args.data = Path(write_clone_pairs(scratch / "pairs.jsonl", args.limit))
        student_b = perturbed_copy(args.student, scratch / "student-b")
        cold_store = scratch / "store.sqlite"
        cold = audit(args.teacher, args.student, args, scratch / "cold", "--cache", str(cold_store))
        print(describe("cold", cold), flush=True)
        warms, alones = [], []
        for attempt in range(args.repeat):  # interleaved, so a busy spell of the machine hits both
            store = scratch / f"warm{attempt}.sqlite"  # each warm run starts from the cold run's store
            shutil.copy(cold_store, store)
            warms.append(audit(args.teacher, student_b, args, scratch / f"warm{attempt}", "--cache", str(store)))
            print(describe("warm", warms[-1]), flush=True)
            alones.append(audit(args.teacher, student_b, args, scratch / f"alone{attempt}", "--no-cache"))
            print(describe("alone", alones[-1]), flush=True)
    warm = min(warms, key=lambda r: r["total"])
    alone = min(alones, key=lambda r: r["total"] - r["models"]["teacher"]["inference_seconds"])
    if args.repeat > 1:
        print(f"fastest of {args.repeat}: warm {warm['total']:.1f} s, alone {alone['total']:.1f} s")

    student_only = alone["total"] - alone["models"]["teacher"]["inference_seconds"]
    print(f"student-only time (no-cache run minus the teacher's inference): {student_only:.1f} s "
          f"(student B inference alone: {alone['models']['student']['inference_seconds']:.1f} s)")
    print(f"warm run: {warm['total']:.1f} s = {warm['total'] / student_only:.1%} of the student-only time; "
          f"teacher inference cold {cold['models']['teacher']['inference_seconds']:.1f} s -> "
          f"warm {warm['models']['teacher']['inference_seconds']:.2f} s")
    ok = warm["total"] <= 1.10 * student_only
    print("PASS: warm <= student-only + 10%" if ok else "FAIL: warm > student-only + 10%")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
