"""Strategies and recipes side by side at equal budgets on the same inputs: success against queries.

Each entry (a strategy, or recipe:NAME) attacks the same inputs with the same budget and settings;
the table gives, per attacked model, the success rate had the budget been 1, 2, 5, ... queries
(report.json's budget curve: first success within that many queries), the inputs with nothing
to edit, the share of successes that rely on each assumption (``--assume``) and the wall time.
Issue 20's setting (ALERT's: Devign, renames only, the data's substitutes):

    .venv/bin/python scripts/bench_strategies.py --teacher configs/models/compressor-devign.toml \\
        --student configs/models/avatar-devign.toml --task vulnerability-prediction \\
        --data first-150-correct.jsonl --objective flip-student --budget 400 \\
        --substitutes data --success-against label --max-relations 0 \\
        --entries random,greedy,genetic,beam,switch,bayes,recipe:alert
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from metacompress.attack import AttackConfig, run_attack  # noqa: E402
from metacompress.attack.config import DEFAULT_STRATEGY  # noqa: E402
from metacompress.code.assumptions import assumption_names  # noqa: E402
from bench_support import print_provenance  # noqa: E402

DEFAULT_ENTRIES = "random,greedy,genetic,beam,switch,bayes,recipe:alert"


def attack(args, entry: str, out: Path) -> tuple[dict, list[dict], float]:
    recipe = entry.split(":", 1)[1] if entry.startswith("recipe:") else "default"
    strategy = DEFAULT_STRATEGY if entry.startswith("recipe:") else entry  # a recipe fixing its search takes the default
    config = AttackConfig(teacher=args.teacher, student=args.student, task=args.task, data=args.data,
                          limit=args.limit, budget=args.budget, strategy=strategy, recipe=recipe,
                          objective=args.objective, substitutes=args.substitutes,
                          success_against=args.success_against, max_relations=args.max_relations,
                          assume=args.assume.split(","), bootstrap=args.bootstrap, device=args.device,
                          progress=False, no_cache=True, out=str(out), overwrite=True, model_root=args.model_root,
                          seed=args.seed)
    start = time.perf_counter()
    result = run_attack(config)
    return result.report.data, result.records, time.perf_counter() - start


def success_table(results: dict[str, tuple[dict, list[dict], float]]) -> list[str]:
    """One line per (entry, attacked model): success % at each budget of the curve."""
    budgets = next(iter(results.values()))[0]["attacks"]
    budgets = [point["queries"] for point in next(iter(budgets.values()))["curve"]]
    lines = [f"{'entry':<16} {'model':<8} " + " ".join(f"{b:>6}" for b in budgets)
             + f" {'n':>4} {'none':>5} {'reparsed':>8} {'assumed':<34} {'wall s':>7}"]
    for entry, (report, records, seconds) in results.items():
        for row, attack in report["attacks"].items():
            rates = [point["success_rate"]["value"] for point in attack["curve"]]
            n = attack["curve"][-1]["success_rate"]["n"]
            nothing = attack["counts"].get("nothing to edit", 0)
            lines.append(f"{entry:<16} {row:<8} " + " ".join(f"{100 * r:5.1f}%" if r is not None else "     -"
                                                            for r in rates)
                         + f" {n:>4} {nothing:>5} {reparsed(records, row, report['run']['language']):>8} "
                         + f"{assumed(records, row):<34} {seconds:7.1f}")
    return lines


def assumed(records: list[dict], row: str) -> str:
    """The share of successes relying on each assumption (``-`` for none)."""
    wins = [r["attacks"][row] for r in records if r["attacks"][row]["success"]]
    if not wins:
        return "-"
    counts = Counter(name for win in wins for name in win["assumptions"])
    proven = sum(not win["assumptions"] for win in wins)
    return " ".join([f"proven {proven}/{len(wins)}"] + [f"{name} {counts[name]}" for name in assumption_names()
                                                        if counts[name]])


GRAMMARS = {"c": "tree_sitter_c", "java": "tree_sitter_java", "python": "tree_sitter_python"}


def broken_nodes(code: str, language: str) -> int:
    """ERROR and MISSING nodes of ``code`` under the language's grammar, read straight from
    tree-sitter (not through metacompress's own checks, which it re-verifies)."""
    import importlib

    from tree_sitter import Language, Parser

    tree = Parser(Language(importlib.import_module(GRAMMARS[language]).language())).parse(code.encode())
    count, stack = 0, [tree.root_node]
    while stack:
        node = stack.pop()
        count += node.is_error or node.is_missing
        stack.extend(node.children)
    return count


def reparsed(records: list[dict], row: str, language: str) -> str:
    """Successes whose every rewritten side parses with no more broken nodes than its original."""
    wins = [(r["original"], r["attacks"][row]["adversarial"]) for r in records if r["attacks"][row]["success"]]
    good = sum(all(broken_nodes(new, language) <= broken_nodes(old, language) for old, new in zip(before, after))
               for before, after in wins)
    return f"{good}/{len(wins)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--task", default="vulnerability-prediction")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--budget", type=int, default=400)
    parser.add_argument("--objective", default="flip-student")
    parser.add_argument("--substitutes", default="auto")
    parser.add_argument("--success-against", default="prediction")
    parser.add_argument("--max-relations", type=int, default=2)
    parser.add_argument("--assume", default=",".join(assumption_names()))
    parser.add_argument("--bootstrap", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0, help="the attack's seed (a search's draws; rerun with others to see the spread)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--model-root", default=None)
    parser.add_argument("--entries", default=DEFAULT_ENTRIES,
                        help="comma-separated strategies and recipe:NAME entries (default: %(default)s)")
    parser.add_argument("--out", default=None, help="folder for each entry's report (default: a temporary one)")
    parser.add_argument("--json", default=None, help="also write the curves here")
    args = parser.parse_args(argv)

    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench-strategies-"))
    results = {}
    for entry in args.entries.split(","):
        results[entry] = attack(args, entry, folder / entry.replace(":", "-"))
        print(f"{entry}: done in {results[entry][2]:.1f} s", file=sys.stderr)
    print_provenance()
    print(f"success rate (of attacked inputs) by queries; budget {args.budget}, {args.objective}, "
          f"max relations {args.max_relations}, substitutes {args.substitutes}; reports in {folder}")
    print("\n".join(success_table(results)))
    if args.json:
        Path(args.json).write_text(json.dumps({entry: {row: a["curve"] for row, a in report["attacks"].items()}
                                               for entry, (report, _, _) in results.items()}, indent=1))


if __name__ == "__main__":
    main()
