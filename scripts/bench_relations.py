"""Transformations per second per relation and language, next to bare tree-sitter parsing.

A transform is what users pay per snippet: decode, parse, choose sites, splice, re-parse and
compare parse errors (``Relation.apply``). The baseline parses the same snippets with the same
tree-sitter parser and nothing else. The ratio transform/parse should stay at or above 1/3 (the
speed target in the relations brief). Best of --repeat alternating runs of each, so a busy machine skews less.

    .venv/bin/python scripts/bench_relations.py                  # 300 snippets per language
    .venv/bin/python scripts/bench_relations.py --limit 1000 --relations rename-identifiers
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpora import default_shared, load_corpus  # noqa: E402

from metacompress.relations import LANGUAGES, RELATIONS  # noqa: E402
from metacompress.code.parsing import get_parser  # noqa: E402

TARGET_RATIO = 1 / 3
TARGET_RATIOS = {"compose": 0.25}  # compose applies several relations


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def clear_parse_caches() -> None:
    from metacompress.code import parsing

    if hasattr(parsing, "clear_parse_caches"):
        parsing.clear_parse_caches()
    else:  # an older checkout, measured for comparison
        parsing._parse_cached.cache_clear()
        parsing.python_compiles.cache_clear()


def timed(work) -> float:
    started = clock()
    work()
    return clock() - started


def rates(relation, language: str, snippets: list[str], repeat: int, seed: int) -> tuple[float, float, int]:
    """(transforms/s, parses/s, applied): best of ``repeat`` alternating runs of each, so that
    a change in machine load between the two measurements does not skew their ratio."""
    parser = get_parser(language)
    applied = [0]

    def parse_all() -> None:
        for code in snippets:
            parser.parse(code.encode("utf-8"))

    def transform_all() -> None:
        clear_parse_caches()  # each timed run starts cold: no parse or compile() left from the last
        applied[0] = sum(relation.apply(code, language, seed=seed).applied for code in snippets)

    parse_best = transform_best = float("inf")
    for _ in range(repeat):
        parse_best = min(parse_best, timed(parse_all))
        transform_best = min(transform_best, timed(transform_all))
    count = len(snippets)
    return count / max(transform_best, 1e-9), count / max(parse_best, 1e-9), applied[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=default_shared(), help="folder holding data/ (default ../shared)")
    parser.add_argument("--limit", type=int, default=300, help="snippets per language (default 300)")
    parser.add_argument("--relations", help="comma-separated relation names (default: all registered)")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall",
        help="wall time, or this process's CPU time (steadier on a shared machine)",
    )  # fmt: skip
    args = parser.parse_args()
    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()
    global clock
    clock = CLOCKS[args.clock]
    names = args.relations.split(",") if args.relations else RELATIONS.names()
    lines = [
        "| lang | relation | snippets | applied | transforms/s | parses/s | ratio | target | met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    slow = []
    for language in args.languages.split(","):
        snippets = load_corpus(language, args.shared, args.limit).snippets
        for name in names:
            try:
                relation = RELATIONS.get(name)()
            except ImportError as exc:
                print(f"skipped {name}: {exc}", file=sys.stderr)
                continue
            if language not in relation.languages:
                continue
            rate, parses, applied = rates(relation, language, snippets, args.repeat, args.seed)
            ratio = rate / parses
            target = TARGET_RATIOS.get(name, TARGET_RATIO)
            ok = ratio >= target
            if not ok:
                slow.append(f"{name}/{language}")
            lines.append(
                f"| {language} | {name} | {len(snippets)} | {applied} | {rate:,.0f} | {parses:,.0f} "
                f"| {ratio:.2f} | {target:.2f} | {'yes' if ok else 'NO'} |"
            )
            print(f"{language} {name}: {rate:,.0f}/s vs parse {parses:,.0f}/s", file=sys.stderr)
    print("\n".join(lines))
    if slow:
        print(f"below the target: {', '.join(slow)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
