"""How fast does `metacompress attack` query its models, against a bare batched forward pass?

The attack's search time (building and validating candidates, the cache, one predict_proba
call per search step) is compared with a bare forward pass (scripts/bench_inference.py's loop:
pre-tokenised, padded, softmax) over exactly the inputs the search sent, in the same step
batches, timed without and with tokenising those inputs (which any use of the model pays).
overhead = search time / bare time - 1 (the issue aims at <= 30% with a 12-layer model).
It also prints the time per attacked input, and the share of the search spent preparing
candidates (building and validating each edit set's code: issue 23 aims at <= 10%).

Without --student, two seeded 12-layer RoBERTa models of tiny width (--hidden 64) are built like
the test fixtures' and attacked on clone pairs of examples/clone-detection/methods.jsonl:

    .venv/bin/python scripts/bench_attack.py --pairs 6 --budget 100
    .venv/bin/python scripts/bench_attack.py --teacher configs/models/compressor-devign.toml \\
        --student configs/models/avatar-devign.toml --task vulnerability-prediction \\
        --data ../shared/data/devign-test --pairs 10
    .venv/bin/python scripts/bench_attack.py --pairs 2 --budget 8 --layers 2   # the smoke test's run
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_support import build_tiny_models, print_provenance, write_clone_pairs  # noqa: E402

from metacompress.attack import AttackConfig, run_attack  # noqa: E402
from metacompress.attack import run as attack_run  # noqa: E402
from metacompress.attack.space import EditSpace  # noqa: E402
from metacompress.inference import InferenceSettings  # noqa: E402

TARGET_PREPARATION_SHARE = 0.10


def bench_inference():
    spec = importlib.util.spec_from_file_location("bench_inference", REPO / "scripts" / "bench_inference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(folder: Path, args) -> tuple[str, str, str]:
    """Two tiny-width models and a pairs file."""
    teacher, student = build_tiny_models(folder, hidden=args.hidden, layers=args.layers, heads=args.heads)
    return teacher, student, write_clone_pairs(folder / "pairs.jsonl", args.pairs)


class PreparationClock:
    """Time spent in EditSpace.build: making and validating candidates' code (cache hits included)."""

    seconds = 0.0
    calls = 0

    @classmethod
    def install(cls) -> None:
        original = EditSpace.build

        def timed_build(space, candidate):
            start = time.perf_counter()
            try:
                return original(space, candidate)
            finally:
                cls.seconds += time.perf_counter() - start
                cls.calls += 1

        EditSpace.build = timed_build


def tokenise_seconds(pre_tokenise, model, inputs: list) -> float:
    """What bare_forward leaves out: tokenising the step's inputs as it does (``pre_tokenise``), before its clock."""
    start = time.perf_counter()
    pre_tokenise(model, inputs)
    return time.perf_counter() - start


class RecordingOracle(attack_run.Oracle):
    last = None

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.record = True
        RecordingOracle.last = self


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher")
    parser.add_argument("--student")
    parser.add_argument("--data")
    parser.add_argument("--task", default="clone-detection")
    parser.add_argument("--pairs", type=int, default=6, help="inputs attacked (--limit)")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--strategy", default="greedy")
    parser.add_argument("--objective", default="flip-student")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-cache", action="store_true",
                        help="no prediction store (default: a fresh, empty one, as a first run has)")
    args = parser.parse_args(argv)
    print_provenance()

    if args.student:
        teacher, student, data = args.teacher, args.student, args.data
    else:
        teacher, student, data = build(Path(tempfile.mkdtemp(prefix="bench-attack-")), args)
    attack_run.Oracle = RecordingOracle
    PreparationClock.install()
    config = AttackConfig(teacher=teacher, student=student, task=args.task, data=data, limit=args.pairs,
                          budget=args.budget, strategy=args.strategy, objective=args.objective, bootstrap=0,
                          batch_size=args.batch_size, device=args.device, progress=False, no_cache=args.no_cache,
                          cache=None if args.no_cache else str(Path(tempfile.mkdtemp(prefix="bench-attack-store-"))
                                                               / "store.sqlite"))
    start = time.perf_counter()
    result = run_attack(config)
    total = time.perf_counter() - start
    oracle = RecordingOracle.last
    steps = [(role, inputs) for phase, role, inputs in oracle.steps if phase == "search"]
    timings = result.report.data["run"]["timings_s"]
    search_s = timings["search"]
    sent = sum(len(inputs) for _, inputs in steps)
    settings = InferenceSettings(args.batch_size, args.device, "fp32", progress=False)
    inference_bench = bench_inference()
    bare_forward = inference_bench.bare_forward
    models = oracle.models
    bare_forward(models["student"].model, steps[0][1], settings)  # warm-up
    bare = sum(bare_forward(models[role].model, inputs, settings) for role, inputs in steps)
    tokenising = sum(tokenise_seconds(inference_bench.pre_tokenise, models[role].model, inputs) for role, inputs in steps)
    engine = oracle.seconds
    info = models["student"].model.info
    print(f"model: {info.source} ({info.num_parameters:,} parameters); device {args.device}")
    print(f"prediction store: {'none' if args.no_cache else 'a fresh one (cold)'}")
    print(f"attack: {args.objective}, {args.strategy}, budget {args.budget}, {len(result.records)} inputs, "
          f"{len(steps)} search steps (one predict_proba call each), {sent} inputs encoded")
    print(f"search:          {sent / search_s:9.1f} queries/s ({search_s:.2f} s; whole run {total:.2f} s)")
    print(f"  of which predict_proba {engine:.2f} s over all phases")
    print(f"bare forward:    {sent / bare:9.1f} queries/s ({bare:.2f} s, pre-tokenised, same step batches)")
    print(f"  + tokenising:  {sent / (bare + tokenising):9.1f} queries/s ({tokenising:.2f} s more)")
    print(f"overhead: {search_s / bare - 1:+.0%} against the pre-tokenised forward, "
          f"{search_s / (bare + tokenising) - 1:+.0%} against tokenising + forward (search time / bare time - 1)")
    attacked = max(len(result.records), 1)
    print(f"per attacked input: {search_s / attacked:.3f} s of search, {timings['spaces'] / attacked:.3f} s building "
          f"its edit space, {total / attacked:.3f} s of the whole run")
    share = PreparationClock.seconds / search_s
    print(f"candidate preparation: {PreparationClock.seconds:.2f} s in {PreparationClock.calls} builds = {share:.1%} "
          f"of the search (target <= {TARGET_PREPARATION_SHARE:.0%}: {'yes' if share <= TARGET_PREPARATION_SHARE else 'NO'})")
    print("--recipe alert: not in this version of metacompress attack; no comparison")


if __name__ == "__main__":
    main()
