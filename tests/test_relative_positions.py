"""Relative position embeddings (transformers 4.x's relative_key and relative_key_query, which
transformers 5 dropped) load through a spec and equal the transformers-4.x forward.

The four tiny random models and their 4.x probabilities were made by the scratch run that
tests/data/graphcodebert/README.md describes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metacompress.errors import ModelLoadError
from metacompress.models import load_model

DATA = Path(__file__).parent / "data" / "graphcodebert"
GOLDEN = json.loads((DATA / "relative-positions.json").read_text())


def write_spec(folder: Path, name: str, kind: str, family: str) -> Path:
    roberta = family == "roberta"
    spec = folder / f"{name}.toml"
    spec.write_text(f"""
spec_version = 1
weights = "{name}.safetensors"
root = "{DATA}"
head = "sequence-classification"
labels = ["no", "yes"]
[tokenizer]
vocab = "vocab.json"
merges = "merges.txt"
[preprocessing]
block_size = 40
special_tokens = "{'roberta' if roberta else 'bert'}"
bos_id = 0
eos_id = 2
pad_id = {1 if roberta else 0}
[encoder]
model_type = "{family}"
position_embedding_type = "{kind}"
vocab_size = 300
hidden_size = 16
num_hidden_layers = 2
num_attention_heads = 2
intermediate_size = 24
max_position_embeddings = {66 if roberta else 64}
type_vocab_size = {1 if roberta else 2}
pad_token_id = {1 if roberta else 0}
[state_dict]
encoder_prefix = "{family}."
""")
    return spec


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_relative_positions_equal_the_transformers_4_forward(tmp_path, name):
    import torch

    case = GOLDEN[name]
    model = load_model(write_spec(tmp_path, name, case["position_embedding_type"], case["model_type"]))
    ids, mask = torch.tensor(case["input_ids"]), torch.tensor(case["attention_mask"])
    with torch.no_grad():
        probabilities = torch.softmax(model.logits(ids, mask), dim=-1)
    expected = torch.tensor(case["probabilities"])
    assert (probabilities - expected).abs().max().item() < 1e-5
    assert (expected[:, 0] - expected[:, 1]).abs().min() > 1e-3  # the goldens tell the inputs apart


def test_relative_and_absolute_models_fingerprint_apart(tmp_path):
    key = load_model(write_spec(tmp_path, "roberta-relative-key", "relative_key", "roberta"))
    key_query = load_model(write_spec(tmp_path, "roberta-relative-key-query", "relative_key_query", "roberta"))
    assert key.info.preprocessing_fingerprint != key_query.info.preprocessing_fingerprint


def test_an_unknown_position_kind_is_one_line(tmp_path):
    spec = write_spec(tmp_path, "roberta-relative-key", "rotary", "roberta")
    with pytest.raises(ModelLoadError, match="position_embedding_type must be one of absolute, relative_key"):
        load_model(spec)
