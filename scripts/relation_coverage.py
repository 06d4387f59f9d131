"""How often each relation applies to real code, why it does not, and whether its outputs are sound.

For every relation x language, on the real corpora (see corpora.py): inputs, applied %, the top
not-applicable reasons with counts, rewrites refused by Relation.apply's internal check (a bug
in the relation: must be 0), crashes (must be 0) and the share of applied outputs that re-parse
with exactly the input's parse errors (Python: and still compile()): must be 100%.
Prints a markdown table; exits 1 when any of the must-hold figures fails.

    .venv/bin/python scripts/relation_coverage.py
    .venv/bin/python scripts/relation_coverage.py --relations swap-operands --languages c --limit 500
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpora import default_shared, load_corpus  # noqa: E402

from metacompress.relations import LANGUAGES, RELATIONS  # noqa: E402
from metacompress.code.parsing import ParsedCode, error_signature, python_compiles  # noqa: E402

INTERNAL = "internal check failed"


@dataclass
class Coverage:
    relation: str
    language: str
    inputs: int = 0
    applied: int = 0
    clean: int = 0
    internal: int = 0
    crashes: list[str] = field(default_factory=list)
    reasons: collections.Counter = field(default_factory=collections.Counter)
    note: str = ""
    seconds: float = 0.0

    @property
    def sound(self) -> bool:
        return not self.internal and not self.crashes and self.clean == self.applied


def reparses_cleanly(original: str, rewritten: str, language: str) -> bool:
    before = ParsedCode.parse(original, language)
    after = ParsedCode.parse(rewritten, language)
    if error_signature(before.tree) != error_signature(after.tree):
        return False
    return language != "python" or not python_compiles(original) or python_compiles(rewritten)


def measure(name: str, language: str, snippets: list[str], seed: int) -> Coverage:
    coverage = Coverage(name, language)
    try:
        relation = RELATIONS.get(name)()
    except ImportError as exc:
        coverage.note = f"cannot be loaded: {exc}"
        return coverage
    if language not in relation.languages:
        coverage.note = "unsupported: " + relation.unsupported.get(language, "")
        return coverage
    started = time.perf_counter()
    for index, code in enumerate(snippets):
        coverage.inputs += 1
        try:
            rewrite = relation.apply(code, language, seed=seed)
        except Exception as exc:  # counted and shown: a relation must never crash on real code
            coverage.crashes.append(f"#{index}: {exc!r}")
            continue
        if rewrite.applied:
            coverage.applied += 1
            coverage.clean += reparses_cleanly(code, rewrite.code, language)
        elif rewrite.reason.startswith(INTERNAL) or INTERNAL in rewrite.reason:
            coverage.internal += 1
            coverage.reasons[rewrite.reason] += 1
        else:
            coverage.reasons[rewrite.reason] += 1
    coverage.seconds = time.perf_counter() - started
    return coverage


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def markdown(rows: list[Coverage]) -> str:
    lines = [
        "| relation | lang | inputs | applied | internal-check failures | crashes | re-parse clean | top not-applicable reasons (count) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if row.note:
            lines.append(f"| {row.relation} | {row.language} | - | - | - | - | - | {escape(row.note)} |")
            continue
        reasons = "; ".join(f"{escape(reason)} ({count})" for reason, count in row.reasons.most_common(3))
        lines.append(
            f"| {row.relation} | {row.language} | {row.inputs} | {percent(row.applied, row.inputs)} | {row.internal} "
            f"| {len(row.crashes)} | {percent(row.clean, row.applied)} | {reasons or '-'} |"
        )
    return "\n".join(lines)


def escape(text: str, width: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=default_shared(), help="folder holding data/ (default ../shared)")
    parser.add_argument("--relations", help="comma-separated relation names (default: all registered)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated languages")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="at most this many snippets per language")
    args = parser.parse_args()
    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()
    names = args.relations.split(",") if args.relations else RELATIONS.names()
    rows: list[Coverage] = []
    for language in args.languages.split(","):
        corpus = load_corpus(language, args.shared, args.limit)
        print(f"{language}: {len(corpus.snippets)} {corpus.description}", file=sys.stderr)
        for name in names:
            row = measure(name, language, corpus.snippets, args.seed)
            print(f"  {name}: {row.applied}/{row.inputs} applied in {row.seconds:.1f}s {row.note}", file=sys.stderr)
            rows.append(row)
    rows.sort(key=lambda r: (r.relation, LANGUAGES.index(r.language)))
    print(markdown(rows))
    problems = [row for row in rows if not row.note and not row.sound]
    for row in problems:
        print(
            f"NOT SOUND: {row.relation}/{row.language}: {row.internal} internal-check failures, "
            f"{len(row.crashes)} crashes {row.crashes[:3]}, {row.applied - row.clean} unclean re-parses",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
