"""convert: a spec becomes a plain Hugging Face folder with the same weights and predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from metacompress.errors import UsageError
from metacompress.models import load_model
from metacompress.models.convert import convert_spec
from models_fixtures import BLOCK, build_tiny_checkpoint

CODES = [
    "int add(int a,\n    int b)\n{\n\treturn a + b;\n}",
    "if (buffer == NULL) { free(ctx); return -1; }",
    " ".join(["total += values[i];"] * 30),  # longer than the block
]


@pytest.fixture(scope="session")
def seq_spec(tmp_path_factory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("convert-seq"), "sequence-classification", seed=2)


@pytest.fixture(scope="session")
def converted(seq_spec, tmp_path_factory) -> Path:
    return convert_spec(seq_spec, tmp_path_factory.mktemp("converted") / "hf")


def test_converted_folder_is_a_standard_hf_folder_with_labels(converted):
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"} <= {
        p.name for p in converted.iterdir()
    }
    config = json.loads((converted / "config.json").read_text())
    assert config["id2label"] == {"0": "no", "1": "yes"} and config["label2id"] == {"no": 0, "yes": 1}
    assert config["metacompress_preprocessing"]["normalize_whitespace"] is True
    assert "code.split()" in (converted / "README.md").read_text()


def test_converted_folder_has_the_specs_fingerprint(seq_spec, converted):
    spec_info, hf_info = load_model(str(seq_spec)).info, load_model(str(converted)).info
    assert hf_info.fingerprint == spec_info.fingerprint
    assert (hf_info.labels, hf_info.max_length, hf_info.num_parameters) == (
        spec_info.labels, BLOCK, spec_info.num_parameters,
    )  # fmt: skip


def test_plain_transformers_reproduces_the_spec_probabilities(seq_spec, converted):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from metacompress.inference import InferenceSettings, predict_proba

    expected = predict_proba(load_model(str(seq_spec)), CODES, InferenceSettings(progress=False)).probs
    tokenizer = AutoTokenizer.from_pretrained(converted)
    model = AutoModelForSequenceClassification.from_pretrained(converted).eval()
    batch = tokenizer([" ".join(c.split()) for c in CODES], truncation=True, padding=True, return_tensors="pt")
    with torch.inference_mode():
        got = torch.softmax(model(**batch).logits, dim=-1).numpy()
    assert abs(got - expected).max() < 1e-5


def test_metacompress_applies_the_recorded_whitespace_normalisation(seq_spec, converted):
    assert load_model(str(converted)).encode(CODES).ids == load_model(str(seq_spec)).encode(CODES).ids


def test_pair_heads_cannot_be_converted(tmp_path):
    spec = build_tiny_checkpoint(tmp_path / "pair", "pair-concat-cls")
    with pytest.raises(UsageError, match="pair-concat-cls .* has no standard Hugging Face class; .*spec loader"):
        convert_spec(spec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_non_empty_target_needs_overwrite(seq_spec, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="exists and is not empty; pass --overwrite"):
        convert_spec(seq_spec, target)
    assert not (target / "config.json").exists()
    convert_spec(seq_spec, target, overwrite=True)
    assert (target / "model.safetensors").is_file() and (target / "notes.txt").read_text() == "mine"


def test_only_specs_are_converted(converted, tmp_path):
    with pytest.raises(UsageError, match="convert takes a model spec"):
        convert_spec(converted, tmp_path / "again")
