#!/usr/bin/env python
"""How much does a full audit cost above the models' own forward passes?

Runs ``run_audit`` end to end, then a bare batched forward pass of both models over exactly the
token sequences the audit had to encode (each distinct sequence once, length-sorted batches,
pre-tokenised, nothing else), and prints samples per second of each and the overhead:

    overhead = (audit time without model loading) / (bare forward time) - 1

Example (real students from ../shared):
    python scripts/bench_audit.py --teacher configs/models/compressor-devign.toml \\
        --student configs/models/avatar-devign.toml --task vulnerability-prediction \\
        --data ../shared/data/devign-test --limit 200
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def bare_forward_seconds(model, inputs, batch_size: int) -> tuple[float, int]:
    import torch

    if model.head == "pair-concat":
        texts = list(dict.fromkeys(t for pair in inputs for t in pair))
        ids, step = model.encode(texts).ids, model.embed
    elif isinstance(inputs[0], tuple):
        ids, step = model.encode_pairs(list(dict.fromkeys(inputs))).ids, model.logits
    else:
        ids, step = model.encode(list(dict.fromkeys(inputs))).ids, model.logits
    ids = sorted(ids, key=len, reverse=True)
    model.module.to("cpu").eval()
    start = time.perf_counter()
    with torch.inference_mode():
        for first in range(0, len(ids), batch_size):
            rows = ids[first : first + batch_size]
            width = max(map(len, rows))
            batch = np.full((len(rows), width), model.pad_id, dtype=np.int64)
            for k, row in enumerate(rows):
                batch[k, : len(row)] = row
            input_ids = torch.from_numpy(batch)
            step(input_ids, (input_ids != model.pad_id).long())
    return time.perf_counter() - start, len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--relations", default=None, help="comma-separated (default: all)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from metacompress.audit import AuditConfig, run_audit
    from metacompress.models import load_model
    from metacompress.rewriting import rewrite_all
    from metacompress.tasks import get_task, sample

    config = AuditConfig(
        teacher=args.teacher, student=args.student, task=args.task, data=args.data, limit=args.limit,
        relations=args.relations.split(",") if args.relations else None, batch_size=args.batch_size,
        seed=args.seed, device="cpu", progress=False,
    )
    result = run_audit(config)
    timings = result.report["run"]["timings_s"]
    audit_seconds = timings["total"] - timings["load_models"]
    rows = len(result.samples)
    model_inputs = len(result.samples[result.samples["applied"]]) + result.report["run"]["data"]["examples_audited"]

    task = get_task(args.task)
    language = result.report["run"]["language"]
    examples = sample(task.load(args.data, language=language).examples, args.limit, args.seed)
    relations = result.report["run"]["relations"]
    sides = task.rewrite_sides("both") if task.is_pair else (0,)
    rewrites = rewrite_all(examples, relations, language, sides, args.seed, progress=False)
    inputs = [task.model_input(e.code) for e in examples] + [task.model_input(r.code) for r in rewrites if r.applied]
    bare = 0.0
    for source in (args.teacher, args.student):
        seconds, sequences = bare_forward_seconds(load_model(source), inputs, args.batch_size)
        print(f"bare forward {source}: {sequences} distinct sequences in {seconds:.2f} s")
        bare += seconds

    print(f"audit: {rows} example x relation rows, {model_inputs} model inputs per model")
    print(f"audit stages (s): {timings}")
    print(f"full audit without model loading: {audit_seconds:.2f} s = {model_inputs / audit_seconds:.1f} inputs/s")
    print(f"bare forward passes (both models): {bare:.2f} s = {model_inputs / bare:.1f} inputs/s")
    print(f"overhead above pure inference: {100 * (audit_seconds / bare - 1):+.1f}%")


if __name__ == "__main__":
    main()
