"""GraphCodeBERT models through a spec and a Hugging Face folder: heads, conversion, the store."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from graphcodebert_fixtures import GOLDEN, graph_spec, softmax_twin
from metacompress.errors import ModelLoadError, UsageError
from metacompress.inference import InferenceSettings, predict_proba
from metacompress.models import load_model
from metacompress.models.convert import convert_spec
from metacompress.store import PredictionStore, predict_with_store

QUIET = InferenceSettings(batch_size=4, progress=False)
C_FUNCTIONS = [
    "int add(int a, int b) { int c = a + b; return c; }",
    "void copy(char *d, const char *s, int n) { for (int i = 0; i < n; i++) { d[i] = s[i]; } }",
    "static int f(int x) { if (x > 3) { x = x * 2; } else { x = x - 1; } return x; }",
]


def test_one_sigmoid_logit_gives_the_softmax_of_zero_and_it(tmp_path):
    sigmoid = load_model(graph_spec(tmp_path, "devign"))
    (tmp_path / "twin").mkdir()
    twin = load_model(softmax_twin(tmp_path / "twin"))
    ours = predict_proba(sigmoid, C_FUNCTIONS, QUIET).probs
    np.testing.assert_allclose(ours, predict_proba(twin, C_FUNCTIONS, QUIET).probs, atol=1e-6)
    assert np.ptp(ours[:, 1]) > 1e-4  # the functions get different probabilities


def test_a_converted_folder_keeps_the_graph(tmp_path):
    (tmp_path / "twin").mkdir()
    spec = softmax_twin(tmp_path / "twin")
    folder = convert_spec(spec, tmp_path / "hf")
    from_folder = load_model(str(folder))
    from_spec = load_model(spec)
    assert from_folder.info.max_length == 384 + 128
    np.testing.assert_allclose(predict_proba(from_folder, C_FUNCTIONS, QUIET).probs,
                               predict_proba(from_spec, C_FUNCTIONS, QUIET).probs, atol=1e-6)
    with pytest.raises(UsageError, match="one function at a time"):
        predict_proba(from_folder, [(C_FUNCTIONS[0], C_FUNCTIONS[1])], QUIET)


def test_a_sigmoid_spec_cannot_be_converted(tmp_path):
    with pytest.raises(UsageError, match="sigmoid"):
        convert_spec(graph_spec(tmp_path, "devign"), tmp_path / "hf")


def test_the_store_keeps_graph_outputs_apart_from_tokens_only_outputs(tmp_path):
    graph = load_model(graph_spec(tmp_path, "devign"))
    tokens = load_model(graph_spec(tmp_path, "devign", graph=False))
    assert graph.info.fingerprint == tokens.info.fingerprint  # the same weights
    assert graph.info.preprocessing_fingerprint != tokens.info.preprocessing_fingerprint
    with PredictionStore(tmp_path / "store.sqlite") as store:
        first, _ = predict_with_store(graph, C_FUNCTIONS, QUIET, store)
        second, counts = predict_with_store(tokens, C_FUNCTIONS, QUIET, store)
        again, warm = predict_with_store(graph, C_FUNCTIONS, QUIET, store)
    assert counts.computed == len(C_FUNCTIONS)
    assert not np.allclose(first.probs, second.probs, atol=1e-4)
    assert warm.computed == 0
    np.testing.assert_array_equal(again.probs, first.probs)


@pytest.mark.parametrize("change, message", [
    (('inputs = "graphcodebert"', 'inputs = "graphs"'), "inputs must be one of tokens, graphcodebert"),
    (('language = "c"', 'language = "rust"'), "no data-flow rules"),
    (('language = "c"\n', ''), "needs language"),
    (("code_length = 384", "code_length = 512"), "beyond the encoder's max_position_embeddings 514"),
    (("data_flow_length = 128", 'data_flow_length = "128"'), "data_flow_length must be an integer"),
    (('inputs = "graphcodebert"', ''), "applies only to inputs"),
    (('logits = "sigmoid"', 'logits = "tanh"'), "logits must be one of softmax, sigmoid"),
])
def test_a_wrong_graph_setting_is_one_line_naming_it(tmp_path, change, message):
    spec = graph_spec(tmp_path, "devign")
    spec.write_text(spec.read_text().replace(*change))
    with pytest.raises(ModelLoadError, match=message) as caught:
        load_model(spec)
    assert str(spec) in str(caught.value) and "\n" not in str(caught.value)
