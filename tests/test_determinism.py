"""A rewrite is a function of (code, language, relation, options, seed) and nothing else.

Not of the process: string hashing (PYTHONHASHSEED) and where objects and tree-sitter trees sit
in memory differ between the processes compared here, and every relation must print the same
bytes in all of them. Not of the entry point either: `transform FILE`, `transform --input` and
the audit's Rewriter must rewrite a snippet alike, so any row of a report can be reproduced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, shared_root
from metacompress.cli import cli
from metacompress.relations import RELATIONS, get_relation
from metacompress.code.parsing import ParsedCode, get_language, query_captures, walk
from metacompress.rewriting import Rewriter
from tree_sitter import Query

RUNNER = Path(__file__).with_name("determinism_runner.py")
CORPUS = Path(__file__).with_name("corpus")
SNIPPETS = REPO / "examples" / "snippets"
SUFFIX_LANGUAGE = {".java": "java", ".c": "c", ".py": "python"}
#: (PYTHONHASHSEED, junk allocated first) per process
PROCESSES = [("0", 0), ("1", 3), ("4242", 7)]


def run_in_processes(cases: list[dict[str, str]], tmp_path: Path, processes: list[tuple[str, int]]) -> list[list[str]]:
    """Each process's output lines (one per snippet, relation and seed)."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    outputs = []
    for hash_seed, junk in processes:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        result = subprocess.run(
            [sys.executable, str(RUNNER), str(path), str(junk)], capture_output=True, text=True, env=env, timeout=600
        )
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append(result.stdout.splitlines())
    return outputs


def assert_identical(outputs: list[list[str]], cases: list[dict[str, str]]) -> None:
    first, *others = outputs
    assert len(first) >= 2 * len(cases)
    for other in others:
        assert len(other) == len(first)
        for line, expected in zip(other, first):
            assert line == expected, f"differs between processes: {json.loads(expected)['relation']} on case {json.loads(expected)['case']}"


def macro_heavy_c_function() -> str:
    """A long C function with many statement macros: large enough that py-tree-sitter's raw
    capture order changes between processes (it did, before captures were sorted)."""
    lines = []
    for i in range(60):
        lines += [f"    int v{i} = a + {i};", f"    if (v{i} > {i}) {{", f"        v{i} = v{i} * 2;", "    }", f'    MACRO_{i % 7}("step {i}");']
    return "static int handle(Dev *dev, int a, int len)\n{\n" + "\n".join(lines) + "\n    return len;\n}\n"


def corpus_cases() -> list[dict[str, str]]:
    return [
        {"language": language, "code": path.read_text(encoding="utf-8")}
        for language in ("java", "c", "python")
        for path in sorted((CORPUS / language).iterdir())
    ]


def test_every_relation_rewrites_alike_in_every_process(tmp_path):
    cases = [*corpus_cases(), {"language": "c", "code": macro_heavy_c_function()}]
    assert_identical(run_in_processes(cases, tmp_path, PROCESSES), cases)


def spread_sample(folder: Path, fields: tuple[str, ...], language: str, limit: int, step: int) -> list[dict[str, str]]:
    """``limit`` distinct snippets from every ``step``-th record of the folder's files."""
    records = [line for path in sorted(folder.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    seen: dict[str, None] = {}
    for line in records[::step]:
        row = json.loads(line)
        for field in fields:
            seen.setdefault(row[field], None)
    return [{"language": language, "code": code} for code in list(seen)[:limit]]


@pytest.mark.slow
@pytest.mark.shared
def test_real_benchmark_code_rewrites_alike_in_every_process(tmp_path):
    data = shared_root() / "data"
    if not (data / "bigclonebench-test").is_dir() or not (data / "devign-test").is_dir():
        pytest.skip(f"BigCloneBench and Devign test data not found under {data} (set METACOMPRESS_SHARED)")
    cases = spread_sample(data / "bigclonebench-test", ("code1", "code2"), "java", 100, 37)
    cases += spread_sample(data / "devign-test", ("func",), "c", 100, 27)
    assert len(cases) == 200
    assert_identical(run_in_processes(cases, tmp_path, [*PROCESSES, ("31337", 11)]), cases)


@pytest.mark.parametrize("language", ["java", "c", "python"])
def test_query_captures_come_in_document_order(language):
    parsed = ParsedCode.parse(macro_heavy_c_function() if language == "c" else corpus_cases_of(language), language)
    query = Query(get_language(language), "(identifier) @id (_ (identifier)) @parent")
    found = query_captures(query, parsed.root)
    order = {(node.start_byte, node.end_byte, node.type): index for index, node in enumerate(walk(parsed.root))}
    for name, nodes in found.items():
        positions = [order[(n.start_byte, n.end_byte, n.type)] for n in nodes]
        assert positions == sorted(positions), name


def corpus_cases_of(language: str) -> str:
    return max((case["code"] for case in corpus_cases() if case["language"] == language), key=len)


@pytest.mark.parametrize("snippet", sorted(p.name for p in SNIPPETS.iterdir() if p.suffix in SUFFIX_LANGUAGE))
@pytest.mark.parametrize("seed", [0, 7])
def test_file_batch_and_audit_rewrite_a_snippet_alike(snippet, seed, tmp_path):
    path = SNIPPETS / snippet
    language = SUFFIX_LANGUAGE[path.suffix]
    code = path.read_text(encoding="utf-8")
    batch_input = tmp_path / "in.jsonl"
    batch_input.write_text(json.dumps({"code": code}) + "\n", encoding="utf-8")
    rewriter = Rewriter(language, seed)
    runner = CliRunner()
    for name in RELATIONS.names():
        if language not in get_relation(name).languages:
            continue
        single = runner.invoke(cli, ["transform", "-r", name, "--seed", str(seed), str(path)])
        batch = runner.invoke(cli, ["transform", "-r", name, "-l", language, "--seed", str(seed), "--input", str(batch_input)])
        record = json.loads(batch.stdout.splitlines()[0])
        audit = rewriter.rewrite(name, code)
        assert single.exit_code in (0, 3) and batch.exit_code == 0, (single.stderr, batch.stderr)
        assert record["applied"] == audit.applied == (single.exit_code == 0), name
        if audit.applied:
            assert single.stdout == record["transformed"] == audit.code, name
        else:
            assert record["reason"] == audit.reason and audit.reason in single.stderr, name


def test_nodes_with_the_same_span_come_outermost_first():
    parsed = ParsedCode.parse("x = 1\ny = 2\n", "python")
    query = Query(get_language("python"), "(assignment) @s (expression_statement) @s (identifier) @s")
    found = query_captures(query, parsed.root)["s"]
    assert [node.type for node in found] == ["expression_statement", "assignment", "identifier"] * 2


def test_no_module_reads_raw_query_captures():
    """Raw ``QueryCursor.captures`` lists come in address order: every module goes through
    ``code.parsing.query_captures`` (a relation added later, in particular)."""
    package = Path(__file__).resolve().parents[1] / "metacompress"
    readers = [path.relative_to(package).as_posix() for path in package.rglob("*.py")
               if ").captures(" in path.read_text(encoding="utf-8")]
    assert readers == ["code/parsing.py"]
