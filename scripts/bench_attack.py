"""How fast does `metacompress attack` query its models, against a bare batched forward pass?

The attack's search time (building and validating candidates, the cache, one predict_proba
call per search step) is compared with a bare forward pass (scripts/bench_inference.py's loop:
pre-tokenised, padded, softmax) over exactly the inputs the search sent, in the same step
batches, timed without and with tokenising those inputs (which any use of the model pays).
overhead = search time / bare time - 1 (the issue aims at <= 30% with a 12-layer model).
It also prints the time per attacked input, and the share of the search spent preparing
candidates (building and validating each edit set's code: issue 23 aims at <= 10%).

Each recipe of --recipes (default: the default recipe with --strategy, then ALERT's) attacks
the same inputs with its own cold prediction store; a table sets them side by side.

Without --student, two seeded 12-layer RoBERTa models of tiny width (--hidden 64) are built like
the test fixtures' and attacked on clone pairs of examples/clone-detection/methods.jsonl:

    .venv/bin/python scripts/bench_attack.py --pairs 6 --budget 100
    .venv/bin/python scripts/bench_attack.py --teacher configs/models/compressor-devign.toml \\
        --student configs/models/avatar-devign.toml --task vulnerability-prediction \\
        --data ../shared/data/devign-test --pairs 10
    .venv/bin/python scripts/bench_attack.py --pairs 2 --budget 8 --layers 2   # the smoke test's run
    .venv/bin/python scripts/bench_attack.py --recipes default --strategy beam   # one attack only
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_support import build_tiny_models, print_provenance, write_clone_pairs  # noqa: E402

from metacompress.attack import AttackConfig, run_attack  # noqa: E402
from metacompress.attack.config import DEFAULT_STRATEGY  # noqa: E402
from metacompress.attack import run as attack_run  # noqa: E402
from metacompress.attack.recipes import get_recipe, recipe_names  # noqa: E402
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

    @classmethod
    def reset(cls) -> None:
        cls.seconds, cls.calls = 0.0, 0


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


@dataclass(frozen=True)
class Measurement:
    """One attack's figures, and the bare forward over exactly the inputs its search sent."""

    label: str
    inputs: int  # inputs attacked
    successes: int  # inputs on which the attack succeeded
    steps: int  # search steps: one predict_proba call each
    sent: int  # inputs encoded by the search
    search_s: float
    total_s: float  # the whole run: loading, spaces, search, judging, writing
    spaces_s: float  # building the inputs' edit spaces
    engine_s: float  # inside predict_proba, all phases
    bare_s: float  # bare forward, pre-tokenised, same step batches
    tokenising_s: float
    preparation_s: float  # EditSpace.build: candidates' code made and validated
    builds: int

    @property
    def preparation_share(self) -> float:
        return self.preparation_s / self.search_s if self.search_s > 0 else 0.0


def recipe_label(recipe: str, strategy: str) -> str:
    fixed = get_recipe(recipe).strategy
    return f"--recipe {recipe} ({fixed} search)" if fixed else f"--recipe {recipe} --strategy {strategy}"


def measure(args, recipe: str, teacher: str, student: str, data: str) -> Measurement:
    """Run one attack with a fresh (cold) prediction store and time its search against the bare forward."""
    fixed = get_recipe(recipe).strategy
    PreparationClock.reset()
    config = AttackConfig(teacher=teacher, student=student, task=args.task, data=data, limit=args.pairs,
                          budget=args.budget, strategy=fixed or args.strategy, recipe=recipe, objective=args.objective,
                          bootstrap=0, batch_size=args.batch_size, device=args.device, progress=False,
                          no_cache=args.no_cache,
                          cache=None if args.no_cache else str(Path(tempfile.mkdtemp(prefix="bench-attack-store-"))
                                                               / "store.sqlite"))
    start = time.perf_counter()
    result = run_attack(config)
    total = time.perf_counter() - start
    oracle = RecordingOracle.last
    steps = [(role, inputs) for phase, role, inputs in oracle.steps if phase == "search"]
    timings = result.report.data["run"]["timings_s"]
    settings = InferenceSettings(args.batch_size, args.device, "fp32", progress=False)
    inference_bench = bench_inference()
    models = oracle.models
    bare, tokenising = 0.0, 0.0
    if steps:
        inference_bench.bare_forward(models["student"].model, steps[0][1], settings)  # warm-up
        bare = sum(inference_bench.bare_forward(models[role].model, inputs, settings) for role, inputs in steps)
        tokenising = sum(tokenise_seconds(inference_bench.pre_tokenise, models[role].model, inputs) for role, inputs in steps)
    return Measurement(
        label=recipe_label(recipe, args.strategy), inputs=len(result.records),
        successes=sum(any(a.get("success") for a in r.get("attacks", {}).values()) for r in result.records), steps=len(steps),
        sent=sum(len(inputs) for _, inputs in steps), search_s=timings["search"], total_s=total,
        spaces_s=timings["spaces"], engine_s=oracle.seconds, bare_s=bare, tokenising_s=tokenising,
        preparation_s=PreparationClock.seconds, builds=PreparationClock.calls,
    )  # fmt: skip


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}" if seconds > 0 else "-"


def print_details(m: Measurement, args) -> None:
    print(f"\n{m.label}: {args.objective}, budget {args.budget}, {m.inputs} inputs ({m.successes} successes), "
          f"{m.steps} search steps (one predict_proba call each), {m.sent} inputs encoded")
    print(f"search:          {rate(m.sent, m.search_s):>9} queries/s ({m.search_s:.2f} s; whole run {m.total_s:.2f} s)")
    print(f"  of which predict_proba {m.engine_s:.2f} s over all phases")
    if not m.bare_s:
        print("bare forward:    - (the search sent no input)")
        return
    print(f"bare forward:    {rate(m.sent, m.bare_s):>9} queries/s ({m.bare_s:.2f} s, pre-tokenised, same step batches)")
    print(f"  + tokenising:  {rate(m.sent, m.bare_s + m.tokenising_s):>9} queries/s ({m.tokenising_s:.2f} s more)")
    print(f"overhead: {m.search_s / m.bare_s - 1:+.0%} against the pre-tokenised forward, "
          f"{m.search_s / (m.bare_s + m.tokenising_s) - 1:+.0%} against tokenising + forward (search time / bare time - 1)")
    attacked = max(m.inputs, 1)
    print(f"per attacked input: {m.search_s / attacked:.3f} s of search, {m.spaces_s / attacked:.3f} s building "
          f"its edit space, {m.total_s / attacked:.3f} s of the whole run")
    met = "yes" if m.preparation_share <= TARGET_PREPARATION_SHARE else "NO"
    print(f"candidate preparation: {m.preparation_s:.2f} s in {m.builds} builds = {m.preparation_share:.1%} "
          f"of the search (target <= {TARGET_PREPARATION_SHARE:.0%}: {met})")


def comparison(measurements: list[Measurement]) -> list[str]:
    """One row per attack on the same inputs: the figures a user compares."""
    lines = [
        "| attack | inputs | successes | queries | s/input (search) | s/input (run) | queries/s | bare forward queries/s "
        "| overhead | preparation |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        attacked = max(m.inputs, 1)
        overhead = f"{m.search_s / m.bare_s - 1:+.0%}" if m.bare_s else "-"
        lines.append(
            f"| {m.label} | {m.inputs} | {m.successes} | {m.sent} | {m.search_s / attacked:.3f} | {m.total_s / attacked:.3f} "
            f"| {rate(m.sent, m.search_s)} | {rate(m.sent, m.bare_s)} | {overhead} | {m.preparation_share:.1%} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher")
    parser.add_argument("--student")
    parser.add_argument("--data")
    parser.add_argument("--task", default="clone-detection")
    parser.add_argument("--pairs", type=int, default=6, help="inputs attacked (--limit)")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--strategy", default=DEFAULT_STRATEGY,
                        help=f"the search of recipes that do not fix one (default {DEFAULT_STRATEGY})")
    parser.add_argument("--recipes", default="default,alert",
                        help="comma-separated recipes, each attacking the same inputs (default: default,alert)")
    parser.add_argument("--objective", default="flip-student")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-cache", action="store_true",
                        help="no prediction store (default: a fresh, empty one per attack, as a first run has)")
    args = parser.parse_args(argv)
    recipes = [name.strip() for name in args.recipes.split(",") if name.strip()]
    unknown = [name for name in recipes if name not in recipe_names()]
    if not recipes or unknown:
        parser.error(f"--recipes: {', '.join(unknown) or 'none given'}; known: {', '.join(recipe_names())}")
    print_provenance()

    if args.student:
        teacher, student, data = args.teacher, args.student, args.data
    else:
        teacher, student, data = build(Path(tempfile.mkdtemp(prefix="bench-attack-")), args)
    attack_run.Oracle = RecordingOracle
    PreparationClock.install()
    measurements = [measure(args, recipe, teacher, student, data) for recipe in recipes]
    info = RecordingOracle.last.models["student"].model.info
    print(f"model: {info.source} ({info.num_parameters:,} parameters); device {args.device}")
    print(f"prediction store: {'none' if args.no_cache else 'a fresh one per attack (cold)'}")
    for m in measurements:
        print_details(m, args)
    print(f"\nsame {args.pairs} inputs, budget {args.budget}, {args.objective}:")
    print("\n".join(comparison(measurements)))


if __name__ == "__main__":
    main()
