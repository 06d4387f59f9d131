"""GraphCodeBERT inputs and probabilities equal the published references' (tests/data/graphcodebert).

The goldens hold, per function, digests of the padded input ids and position ids and of the
graph-guided attention mask that microsoft/CodeBERT's clone-detection code (Java, Python) and
the ALERT Devign code (C) built, and the probabilities of their ``Model``s around the tiny
random GraphCodeBERT models.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from graphcodebert_fixtures import GOLDEN, digest, golden, graph_spec
from metacompress.inference import InferenceSettings, predict_proba
from metacompress.models import load_model
from metacompress.models.graph_encoder import reference_arrays
from test_graphcodebert_dfg import bigclonebench_functions, first_rows

QUIET = InferenceSettings(batch_size=16, progress=False)


def devign_functions(shared) -> list[str]:
    return [row["func"] for row in first_rows(shared / "data" / "devign-test" / "test_subs_0_400.jsonl", 100)]


def input_mismatches(model, codes: list[str], expected: dict) -> list[int]:
    """Functions whose padded ids, position ids or attention mask differ from the reference's."""
    assert [digest(code) for code in codes] == [item["code"] for item in expected["functions"]]
    width = expected["code_length"] + expected["data_flow_length"]
    rows = model.encode(codes).ids
    wrong = []
    for index, (row, item) in enumerate(zip(rows, expected["functions"])):
        ids, positions, mask = reference_arrays([row], model.graph.ids, width)
        ours = (digest(ids[0].tolist()), digest(positions[0].tolist()),
                hashlib.sha256(np.packbits(mask[0]).tobytes()).hexdigest())
        if ours != (item["input_ids"], item["position_ids"], item["attention_mask"]):
            wrong.append(index)
    return wrong


def test_python_inputs_equal_the_reference(tmp_path):
    expected = golden("python.json")  # 256 + 64, whitespace kept, as the clone-detection code reads Python
    spec = graph_spec(tmp_path, "devign", language="python", code_length=256)
    spec.write_text(spec.read_text().replace("data_flow_length = 128", "data_flow_length = 64")
                    .replace("normalize_whitespace = true", "normalize_whitespace = false"))
    model = load_model(spec)
    codes = json.loads((GOLDEN / "python_functions.json").read_text())
    assert input_mismatches(model, codes, expected) == []


def test_bigclonebench_inputs_equal_the_clone_reference(shared_dir, tmp_path):
    model = load_model(graph_spec(tmp_path, "clone"))
    assert input_mismatches(model, bigclonebench_functions(shared_dir), golden("java-bigclonebench.json")) == []


def test_devign_inputs_equal_the_alert_reference(shared_dir, tmp_path):
    model = load_model(graph_spec(tmp_path, "devign"))
    assert input_mismatches(model, devign_functions(shared_dir), golden("c-devign.json")) == []


@pytest.mark.slow
def test_clone_pair_probabilities_equal_the_reference(shared_dir, tmp_path):
    model = load_model(graph_spec(tmp_path, "clone"))
    codes = bigclonebench_functions(shared_dir)
    pairs = golden("java-bigclonebench.json")["pairs"]
    probs = predict_proba(model, [(codes[p["first"]], codes[p["second"]]) for p in pairs], QUIET).probs
    np.testing.assert_allclose(probs, [p["probabilities"] for p in pairs], atol=1e-5, rtol=0)


@pytest.mark.slow
def test_devign_probabilities_equal_the_reference(shared_dir, tmp_path):
    model = load_model(graph_spec(tmp_path, "devign"))
    probs = predict_proba(model, devign_functions(shared_dir), QUIET).probs
    expected = [item["probabilities"] for item in golden("c-devign.json")["functions"]]
    np.testing.assert_allclose(probs, expected, atol=1e-5, rtol=0)


def test_a_pair_padded_with_a_shorter_function_keeps_its_probabilities(tmp_path):
    """Batching pads rows; the probabilities of a pair do not depend on what shares its batch."""
    model = load_model(graph_spec(tmp_path, "clone"))
    short = "int f(int a) { return a; }"
    long = "int g(int a, int b) { int c = a + b; if (c > a) { c = c * b; } return c - a; }"
    alone = predict_proba(model, [(short, long)], InferenceSettings(batch_size=1, progress=False)).probs
    together = predict_proba(model, [(short, long), (long, long + " ")], QUIET).probs
    np.testing.assert_allclose(together[0], alone[0], atol=1e-6)
    assert not np.allclose(alone[0], [0.5, 0.5], atol=1e-3)


def test_a_rewritten_function_gets_its_own_graph(tmp_path):
    """Relations and the attack rewrite code; the graph is rebuilt from the rewritten text."""
    from metacompress.models.graphcodebert import GraphInput

    model = load_model(graph_spec(tmp_path, "clone"))  # Java
    original = "int f(int a) { int b = a + 1; return b; }"
    renamed = "int f(int a) { int total = a + 1; return total; }"
    with_dead_code = "int f(int a) { int b = a + 1; int unused = b; return b; }"
    rows = [GraphInput.unpack(row) for row in model.encode([original, renamed, with_dead_code]).ids]
    assert rows[1].code_ids != rows[0].code_ids and rows[1].node_sources == rows[0].node_sources
    assert len(rows[2].node_spans) > len(rows[0].node_spans)
