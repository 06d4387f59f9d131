"""The real code corpora the relation scripts measure on, one list of snippets per language.

Java: the 911 distinct BigCloneBench methods (code1/code2 of the CodeXGLUE test split, by id).
C: the 2,732 Devign functions (func). Python has no shared benchmark, so it is the executable
corpus's programs plus metacompress's own source files. Shared data is read in place from
``../shared`` (or --shared / METACOMPRESS_SHARED), never copied.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Corpus:
    language: str
    description: str
    snippets: list[str]


def default_shared() -> Path:
    return Path(os.environ.get("METACOMPRESS_SHARED", REPO.parent / "shared"))


def _jsonl_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise SystemExit(f"error: {folder} not found (pass --shared PATH or set METACOMPRESS_SHARED)")

    def first_number(path: Path) -> int:
        found = re.search(r"\d+", path.name)
        return int(found.group()) if found else 0

    return sorted(folder.glob("*.jsonl"), key=first_number)


def _records(folder: Path):
    for path in _jsonl_files(folder):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def bigclonebench_methods(shared: Path) -> Corpus:
    methods: dict[str, str] = {}
    for record in _records(shared / "data" / "bigclonebench-test"):
        methods.setdefault(str(record["id1"]), record["code1"])
        methods.setdefault(str(record["id2"]), record["code2"])
    return Corpus("java", "distinct BigCloneBench methods", list(methods.values()))


def devign_functions(shared: Path) -> Corpus:
    functions = [record["func"] for record in _records(shared / "data" / "devign-test")]
    return Corpus("c", "Devign functions", functions)


def python_sources() -> Corpus:
    paths = sorted((REPO / "tests" / "corpus" / "python").glob("*.py")) + sorted((REPO / "metacompress").rglob("*.py"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    return Corpus("python", "corpus programs + metacompress sources", [t for t in texts if t.strip()])


def load_corpus(language: str, shared: Path, limit: int | None = None) -> Corpus:
    corpus = {"java": lambda: bigclonebench_methods(shared), "c": lambda: devign_functions(shared), "python": python_sources}[
        language
    ]()
    if limit is not None:
        return Corpus(corpus.language, corpus.description, corpus.snippets[:limit])
    return corpus


def main(argv: list[str] | None = None) -> int:
    """Print each corpus's size: which snippets the relation scripts would measure."""
    import argparse

    from bench_support import print_provenance

    parser = argparse.ArgumentParser(description="the snippets the relation scripts measure, per language")
    parser.add_argument("--shared", type=Path, default=default_shared(), help="folder holding data/ (default ../shared)")
    parser.add_argument("--languages", default="java,c,python")
    args = parser.parse_args(argv)
    print_provenance()
    for language in args.languages.split(","):
        corpus = load_corpus(language, args.shared)
        size = sum(len(snippet) for snippet in corpus.snippets)
        print(f"{language}: {len(corpus.snippets)} {corpus.description}, {size:,} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
