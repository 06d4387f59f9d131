"""Specs of the tiny random GraphCodeBERT models of tests/data/graphcodebert (made by the references)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

GOLDEN = Path(__file__).parent / "data" / "graphcodebert"

TINY_ENCODER = """
[encoder]
vocab_size = 300
hidden_size = 16
num_hidden_layers = 2
num_attention_heads = 2
intermediate_size = 24
max_position_embeddings = 514
type_vocab_size = 1
layer_norm_eps = 1e-5
"""


def graph_spec(folder: Path, task: str, *, language: str | None = None, code_length: int | None = None,
               graph: bool = True, root: Path = GOLDEN) -> Path:
    """The clone (pair head, Java, 512 + 128) or Devign (one sigmoid logit, C, 384 + 128) tiny model;
    ``graph=False`` describes the same weights read as tokens only."""
    clone = task == "clone"
    language = language or ("java" if clone else "c")
    code_length = code_length or (512 if clone else 384)
    graph_keys = f"""inputs = "graphcodebert"
[graph]
language = "{language}"
code_length = {code_length}
data_flow_length = 128
""" if graph else ""
    spec = folder / f"graphcodebert-{task}{'' if graph else '-tokens'}.toml"
    spec.write_text(f"""spec_version = 1
root = "{root}"
weights = "{task}-tiny.safetensors"
head = "{'pair-concat-cls' if clone else 'sequence-classification'}"
labels = {'["not-clone", "clone"]' if clone else '["not-vulnerable", "vulnerable"]'}
{'' if clone else 'logits = "sigmoid"'}
{graph_keys}
[tokenizer]
vocab = "vocab.json"
merges = "merges.txt"

[preprocessing]
normalize_whitespace = {'false' if clone else 'true'}
block_size = 256
{TINY_ENCODER}
[state_dict]
encoder_prefix = "encoder.roberta."
classifier_prefix = "{'classifier.' if clone else 'encoder.classifier.'}"
""")
    return spec


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())


def softmax_twin(tmp_path: Path) -> Path:
    """The Devign tiny model with two logits [0, z] instead of its one z, as a softmax spec."""
    import torch
    from safetensors.torch import load_file, save_file

    weights = load_file(GOLDEN / "devign-tiny.safetensors")
    for name in ("weight", "bias"):
        row = weights[f"encoder.classifier.out_proj.{name}"]
        weights[f"encoder.classifier.out_proj.{name}"] = torch.cat([torch.zeros_like(row), row])
    save_file(weights, tmp_path / "devign-tiny.safetensors")
    for name in ("vocab.json", "merges.txt"):
        (tmp_path / name).write_bytes((GOLDEN / name).read_bytes())
    spec = graph_spec(tmp_path, "devign", root=tmp_path)
    spec.write_text(spec.read_text().replace('logits = "sigmoid"', ""))
    return spec
