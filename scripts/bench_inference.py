"""How fast is predict_proba compared with a bare batched forward pass over the same inputs?

The bare pass is what a hand-written evaluation loop does: inputs tokenised beforehand (not
timed), batches in input order padded to each batch's longest member, softmax, nothing else.
predict_proba also tokenises, deduplicates, sorts by length and restores input order, so the
ratio shows what the engine costs (above 1) or saves (below 1) per sample.

    .venv/bin/python scripts/bench_inference.py                       # a tiny model built on the fly
    .venv/bin/python scripts/bench_inference.py --model configs/models/compressor-devign.toml \\
        --data ../shared/data/devign-test --limit 500
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from metacompress.inference import InferenceSettings, predict_proba, resolve_device, resolve_precision  # noqa: E402


def synthetic_methods(count: int, seed: int) -> list[str]:
    """Java-like methods of varied length, all distinct, so dedupe gains nothing."""
    rng = random.Random(seed)
    statements = ["int {v} = {n};", "{v} += {n};", "if ({v} > {n}) {{ return {v}; }}", "list.add({v});",
                  "for (int i = 0; i < {n}; i++) {{ {v}++; }}", "System.out.println({v});"]
    methods = []
    for index in range(count):
        body = " ".join(
            rng.choice(statements).format(v=f"x{rng.randint(0, 9)}", n=rng.randint(0, 999))
            for _ in range(rng.randint(1, 25))
        )
        methods.append(f"public int m{index}(int x0) {{ {body} return x0; }}")
    return methods


def load_inputs(args, model) -> list:
    if not args.data:
        texts = synthetic_methods(args.limit, args.seed)
        return list(zip(texts, texts[1:] + texts[:1])) if model.head == "pair-concat" else texts
    from metacompress.tasks import get_task, sample

    name = args.task or ("clone-detection" if model.head == "pair-concat" else "vulnerability-prediction")
    task = get_task(name)
    examples = sample(task.load(args.data).examples, args.limit, args.seed)
    return [task.model_input(e.code) for e in examples]


def load(args):
    from metacompress.models import load_model

    if args.model:
        return load_model(args.model)
    from metacompress.demo.tiny import build_tiny_classifier

    folder = Path(tempfile.mkdtemp(prefix="bench-tiny-"))
    build_tiny_classifier(folder, synthetic_methods(200, seed=99), hidden=64, layers=4, heads=4, intermediate=128, max_length=256)
    return load_model(str(folder))


def pre_tokenise(model, inputs: list) -> list[list[list[int]]]:
    """The token ids bare_forward feeds the model: one list per side for a pair-concat head
    (each function encoded on its own), else one list."""
    if model.head == "pair-concat":
        return [model.encode([a for a, _ in inputs]).ids, model.encode([b for _, b in inputs]).ids]
    if isinstance(inputs[0], tuple):
        return [model.encode_pairs(inputs).ids]
    return [model.encode(inputs).ids]


def bare_forward(model, inputs: list, settings: InferenceSettings) -> float:
    """Seconds for the naive loop over pre-tokenised inputs (tokenising is done before the clock)."""
    import torch
    from contextlib import nullcontext

    device = resolve_device(settings.device)
    dtype = resolve_precision(settings.precision, device)
    pair_concat = model.head == "pair-concat"
    encoded = pre_tokenise(model, inputs)
    model.module.to(device).eval()
    autocast = torch.autocast(device.type, dtype=dtype) if dtype is not None else nullcontext()

    def batch_tensors(rows):
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), model.pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return ids.to(device), mask.to(device)

    outputs = []
    start = time.perf_counter()
    with torch.inference_mode(), autocast:
        for begin in range(0, len(inputs), settings.batch_size):
            sides = [batch_tensors(side[begin : begin + settings.batch_size]) for side in encoded]
            if pair_concat:
                logits = model.pair_logits(*(model.embed(ids, mask) for ids, mask in sides))
            else:
                logits = model.logits(*sides[0])
            outputs.append(torch.softmax(logits.float(), dim=-1).cpu())
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder, hub id or spec (default: a tiny model built now)")
    parser.add_argument("--data", help="a JSONL/CSV file or folder (default: synthetic Java methods)")
    parser.add_argument("--task", help="task that reads --data (default from the model's head)")
    parser.add_argument("--limit", type=int, default=512, help="number of inputs (default 512)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()

    model = load(args)
    inputs = load_inputs(args, model)
    settings = InferenceSettings(args.batch_size, args.device, args.precision, progress=False)
    predict_proba(model, inputs[: args.batch_size], settings)  # warm-up: lazy inits, allocator, kernels

    engine_runs = [predict_proba(model, inputs, settings) for _ in range(args.repeat)]
    engine = min(r.seconds for r in engine_runs)
    bare = min(bare_forward(model, inputs, settings) for _ in range(args.repeat))
    print(f"model: {model.info.source} ({model.info.head}, {model.info.num_parameters:,} parameters)")
    print(f"inputs: {len(inputs)} ({engine_runs[0].distinct_sequences} distinct sequences encoded), "
          f"device {engine_runs[0].device}, {args.precision}, batch {args.batch_size}, best of {args.repeat}")
    print(f"predict_proba: {len(inputs) / engine:10.1f} samples/s  ({engine:.3f} s, tokenising included)")
    print(f"bare forward:  {len(inputs) / bare:10.1f} samples/s  ({bare:.3f} s, pre-tokenised)")
    print(f"ratio (predict_proba / bare time): {engine / bare:.2f}")


if __name__ == "__main__":
    main()
