#!/usr/bin/env python
"""Regenerate (or check) the generated sections of the README and the documentation site.

    python scripts/readme_examples.py           # rewrite the files below in place
    python scripts/readme_examples.py --check   # exit 1 when one of them is out of date

A generated section sits between two HTML comments (see SECTIONS) and is rebuilt from the code:
the relation table from the relations' own summaries and languages, the gallery from the real
output of the command shown above each example, the metric definitions and the attack's figures
from the metric registry. So the README and docs/ cannot drift from what the tool does (tests/test_readme.py runs
--check's logic).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the checkout's code, installed or not
DOCUMENTS = [REPO / "README.md", REPO / "docs" / "relations-gallery.md", REPO / "docs" / "metrics.md",
             REPO / "docs" / "attack.md"]

EXAMPLES = [
    ("rename-identifiers", "examples/snippets/CountAbove.java", ""),
    ("insert-dead-code", "examples/snippets/count_above.py", ""),
    ("reorder-statements", "examples/snippets/count_above.c", ""),
    ("loop-exchange", "examples/snippets/count_above.c", ""),
    ("swap-if-else", "examples/snippets/count_above.py", ""),
    ("swap-operands", "examples/snippets/CountAbove.java", ""),
    ("add-unused-variable", "examples/snippets/CountAbove.java", ""),
    ("compose", "examples/snippets/count_above.py", "--option relations=rename-identifiers,swap-if-else"),
    ("insert-comment", "examples/snippets/count_above.c", ""),
    ("double-negation", "examples/snippets/count_above.py", ""),
    ("add-braces", "examples/snippets/clamp.c", ""),
    ("remove-braces", "examples/snippets/CountAbove.java", ""),
    ("return-temporary", "examples/snippets/count_above.c", ""),
    ("split-declarations", "examples/snippets/clamp.c", ""),
    ("expand-compound-assignment", "examples/snippets/count_above.py", ""),
    ("increment-form", "examples/snippets/CountAbove.java", ""),
    ("ternary-to-if", "examples/snippets/clamp.c", ""),
    ("constant-rewrite", "examples/snippets/CountAbove.java", ""),
    ("contract-compound-assignment", "examples/snippets/clamp.c", ""),
]


@dataclass(frozen=True)
class Section:
    start: str
    end: str
    generate: Callable[[], str]


def run_cli(arguments: list[str]) -> str:
    from click.testing import CliRunner

    from metacompress.cli import cli

    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"metacompress {' '.join(arguments)} exited {result.exit_code}: {result.stderr}")
    return result.stdout


def example_command(relation: str, path: str, extra: str) -> list[str]:
    return ["transform", "-r", relation, *extra.split(), "--diff", path]


def gallery_commands() -> list[str]:
    """The command lines the gallery shows, as a reader would type them (without `$ `)."""
    return ["metacompress " + " ".join(example_command(*example)) for example in EXAMPLES]


@functools.cache
def relation_examples() -> str:
    from metacompress.relations import get_relation

    parts = []
    for relation, path, extra in EXAMPLES:
        command = example_command(relation, path, extra)
        parts.append(f"## `{relation}`\n\n{get_relation(relation).summary}.\n")
        parts.append("```console\n$ metacompress " + " ".join(command) + "\n" + run_cli(command).rstrip("\n") + "\n```\n")
    return "\n".join(parts)


@functools.cache
def relation_table() -> str:
    from metacompress.relations import RELATIONS, get_relation

    rows = ["| relation | languages | rewrite |", "| --- | --- | --- |"]
    for name in RELATIONS.names():
        relation = get_relation(name)
        summary = relation.summary.replace("|", "\\|")  # a bar would end the cell
        rows.append(f"| `{name}` | {', '.join(relation.languages)} | {summary} |")
    return "\n".join(rows) + "\n"


@functools.cache
def metric_definitions() -> str:
    from metacompress.report import definitions_table

    return definitions_table().rstrip("\n") + "\n"


@functools.cache
def attack_figures() -> str:
    """The attack's figures from the same registry: each row's, then the headline's."""
    from metacompress.attack.gates import attack_metrics
    from metacompress.metrics.core import ATTACK, ATTACK_HEADLINE, metric_definitions
    from metacompress.report import definitions_table
    from metacompress.report.document import MetricDefinition

    attack_metrics()  # every objective's module loaded, with the figures it registers

    def table(scope: str) -> str:
        definitions = {name: MetricDefinition.from_dict(d) for name, d in metric_definitions(scope).items()}
        return definitions_table(definitions).rstrip("\n")

    return (f"Each attack's row (gate: `ATTACK:NAME`):\n\n{table(ATTACK)}\n\n"
            f"The headline (gate: `NAME`, no scope):\n\n{table(ATTACK_HEADLINE)}\n")


SECTIONS = {
    "relation-table": Section("<!-- relation table: generated by scripts/readme_examples.py -->",
                              "<!-- end of relation table -->", relation_table),
    "relations": Section("<!-- relation examples: generated by scripts/readme_examples.py -->",
                         "<!-- end of relation examples -->", relation_examples),
    "metrics": Section("<!-- metric definitions: generated from metacompress.metrics -->",
                       "<!-- end of metric definitions -->", metric_definitions),
    "attack-figures": Section("<!-- attack figures: generated from metacompress.metrics -->",
                              "<!-- end of attack figures -->", attack_figures),
}


def render(text: str) -> str:
    """`text` with every generated section it holds rebuilt; text without markers is unchanged."""
    for section in SECTIONS.values():
        if section.start not in text:
            continue
        head, _, rest = text.partition(section.start)
        _, _, tail = rest.partition(section.end)
        text = f"{head}{section.start}\n{section.generate()}{section.end}{tail}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = parser.parse_args()
    stale = []
    for document in DOCUMENTS:
        current = document.read_text(encoding="utf-8")
        updated = render(current)
        if updated == current:
            continue
        stale.append(document.relative_to(REPO))
        if not args.check:
            document.write_text(updated, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(map(str, stale))}: run python scripts/readme_examples.py", file=sys.stderr)
        sys.exit(1)
    print(("updated: " + ", ".join(map(str, stale))) if stale else "all generated sections are up to date")


if __name__ == "__main__":
    main()
