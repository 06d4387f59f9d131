"""GraphCodeBERT's data-flow graph equals the published references' on real functions.

The goldens (tests/data/graphcodebert/, made as its README says) hold digests of the code and
its tokens and every node's token index, relation and sources, as microsoft/CodeBERT's
clone-detection code (Java, Python) and the ALERT Devign code (C) computed them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from metacompress.models.dfg import extract_dataflow
from metacompress.models.tokens import normalize_whitespace

GOLDEN = Path(__file__).parent / "data" / "graphcodebert"


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def golden(name: str) -> list[dict]:
    return json.loads((GOLDEN / name).read_text())["functions"]


def first_rows(path: Path, count: int) -> list[dict]:
    rows = []
    with path.open() as lines:
        for line in lines:
            rows.append(json.loads(line))
            if len(rows) == count:
                break
    return rows


def bigclonebench_functions(shared: Path) -> list[str]:
    """The first 100 distinct functions of the first pairs, as the goldens took them."""
    functions: list[str] = []
    for pair in first_rows(shared / "data" / "bigclonebench-test" / "test_subs_0_500.jsonl", 500):
        for key in ("code1", "code2"):
            if pair[key] not in functions:
                functions.append(pair[key])
    return functions[:100]


def facts(code: str, language: str) -> dict:
    flow = extract_dataflow(code, language)
    return {
        "code_tokens": {"count": len(flow.code_tokens), "sha256": digest(flow.code_tokens)},
        "node_names": digest([node.name for node in flow.nodes]),
        "nodes": [[node.index, node.relation, list(node.sources)] for node in flow.nodes],
    }


def mismatches(codes: list[str], expected: list[dict], language: str) -> list[int]:
    assert [digest(code) for code in codes] == [item["code"] for item in expected], "the golden's functions moved"
    keys = ("code_tokens", "node_names", "nodes")
    return [i for i, (code, item) in enumerate(zip(codes, expected))
            if facts(code, language) != {key: item[key] for key in keys}]


def test_java_graphs_equal_the_clone_detection_reference(shared_dir):
    codes = bigclonebench_functions(shared_dir)
    assert mismatches(codes, golden("java-bigclonebench.json"), "java") == []


def test_c_graphs_equal_the_alert_devign_reference(shared_dir):
    rows = first_rows(shared_dir / "data" / "devign-test" / "test_subs_0_400.jsonl", 100)
    codes = [normalize_whitespace(row["func"]) for row in rows]  # the Devign reference normalises first
    expected = golden("c-devign.json")
    assert [digest(row["func"]) for row in rows] == [item["code"] for item in expected]
    keys = ("code_tokens", "node_names", "nodes")
    assert [i for i, (code, item) in enumerate(zip(codes, expected))
            if facts(code, "c") != {key: item[key] for key in keys}] == []


def test_python_graphs_equal_the_reference():
    codes = json.loads((GOLDEN / "python_functions.json").read_text())
    assert mismatches(codes, golden("python.json"), "python") == []


def test_a_graph_links_a_use_to_its_definition():
    flow = extract_dataflow("int f(int a) { int b = a + 1; return b; }", "java")
    by_index = {node.index: node for node in flow.nodes}
    a_use = flow.code_tokens.index("a", flow.code_tokens.index("="))
    b_return = len(flow.code_tokens) - 3
    assert flow.code_tokens[b_return] == "b"
    assert by_index[a_use].sources == (flow.code_tokens.index("a"),)
    assert by_index[b_return].sources == (flow.code_tokens.index("b"),)
