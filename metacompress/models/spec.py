'''Model specs: a TOML file that says how to load a checkpoint that has no ``config.json``.

CodeXGLUE-style students (Compressor, AVATAR, MORPH …) ship a bare PyTorch ``state_dict`` and a
tokenizer file; the architecture, head, key prefixes, preprocessing and label order lived in the
training script. A spec writes those facts down once, so the checkpoint loads exactly as it was
trained and the repository holds only the description, never the weights. Example (the
Compressor Devign student)::

    spec_version = 1
    name = "compressor-codebert-devign-3mb"
    root = "../../../shared/models/compressor-codebert-devign-3mb"  # relative to this file
    weights = "model.bin"                 # relative to root; .bin/.pt (torch) or .safetensors
    head = "sequence-classification"      # or "pair-concat-cls"
    labels = ["vulnerable", "not-vulnerable"]   # label name per softmax index

    [tokenizer]
    file = "BPE_1000.json"    # a `tokenizers` JSON file; or vocab = "vocab.json" + merges = "merges.txt"
                              # (byte-level BPE; add_prefix_space = true|false); or pretrained =
                              # "<HF tokenizer folder or hub id>"
    lowercase = true          # add lowercasing if the tokenizer does not lowercase by itself

    [preprocessing]
    normalize_whitespace = true   # " ".join(code.split()) before tokenizing
    block_size = 400              # tokens per function, special tokens included
    bos_id = 0                    # ids = [bos_id] + ids[:block_size - 2] + [eos_id]
    eos_id = 2
    pad_id = 1                    # right padding; attention mask = ids != pad_id

    [encoder]                     # transformers config fields (model_type defaults to "roberta")
    # base = "<config folder or hub id>"   # optional: start from this config, fields below override
    vocab_size = 1000
    hidden_size = 96
    num_hidden_layers = 12
    num_attention_heads = 8
    intermediate_size = 64
    max_position_embeddings = 514
    type_vocab_size = 1
    layer_norm_eps = 1e-5
    pad_token_id = 1
    bos_token_id = 0
    eos_token_id = 2
    hidden_act = "gelu"

    [state_dict]
    encoder_prefix = "encoder.roberta."     # where the encoder's weights sit in the file
    classifier_prefix = "encoder.classifier."
    # key = "model_state_dict"             # when the file holds {key: state_dict, ...}

Heads:
- ``sequence-classification``: ``*ForSequenceClassification`` (RoBERTa's head: dense → tanh →
  out_proj on the first token). Pairs are encoded as ``<s> A </s></s> B </s>``.
- ``pair-concat-cls``: the CodeXGLUE clone-detection head. Each function is encoded on its own;
  the two first-token vectors are concatenated (2·hidden) → ``dense`` → tanh → ``out_proj``.
  A pooler under the encoder prefix is loaded when the file has one (it is never used).

Paths are relative to the root: the ``root`` key (relative to the spec file) or the spec file's
folder, unless the caller overrides it (``model_root=``, ``$METACOMPRESS_MODEL_ROOT``,
``--model-root``). An ``embeddings.position_ids`` key is a buffer and is ignored; any other
missing or unexpected key, and any tensor of the wrong shape, is an error that names it.
'''

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError

SPEC_VERSION = 1
HEADS = ("sequence-classification", "pair-concat-cls")
ROOT_VARIABLE = "METACOMPRESS_MODEL_ROOT"
DEFAULT_PREFIXES = {
    "sequence-classification": ("roberta.", "classifier."),
    "pair-concat-cls": ("encoder.", "classifier."),
}
TOP_LEVEL = {"spec_version", "name", "description", "root", "weights", "head", "labels",
             "tokenizer", "preprocessing", "encoder", "state_dict"}


@dataclass
class TokenizerSpec:
    file: Path | None = None
    vocab: Path | None = None
    merges: Path | None = None
    pretrained: str | None = None
    add_prefix_space: bool = False
    lowercase: bool = False


@dataclass
class Preprocessing:
    normalize_whitespace: bool = True
    block_size: int = 400
    bos_id: int = 0
    eos_id: int = 2
    pad_id: int = 1


@dataclass
class StateDictLayout:
    encoder_prefix: str
    classifier_prefix: str
    key: str | None = None


@dataclass
class ModelSpec:
    path: Path  # the spec file
    root: Path
    name: str
    weights: Path
    head: str
    labels: list[str]
    tokenizer: TokenizerSpec
    preprocessing: Preprocessing
    state_dict: StateDictLayout
    encoder: dict[str, Any] = field(default_factory=dict)
    encoder_base: str | None = None
    description: str = ""


def read_spec(path: str | os.PathLike, *, model_root: str | os.PathLike | None = None) -> ModelSpec:
    """Parse and validate a spec; paths resolve against the root (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"model path {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path}: not a valid TOML model spec: {exc}") from None
    if not data:
        raise ModelLoadError(f"{path}: the model spec is empty; it needs at least weights, head, labels and "
                             "[tokenizer] (see configs/models/README.md)")
    _check_keys(path, "the spec", data, TOP_LEVEL)
    version = data.get("spec_version", SPEC_VERSION)
    if version != SPEC_VERSION:
        raise ModelLoadError(f"{path}: spec_version {version!r} is not supported (this metacompress reads {SPEC_VERSION})")
    root = resolve_root(path, data.get("root"), model_root)
    head = _head(path, data.get("head"))
    return ModelSpec(
        path=path,
        root=root,
        name=str(data.get("name") or path.stem),
        description=str(data.get("description", "")),
        weights=root / _required(path, data, "weights", str),
        head=head,
        labels=_labels(path, data.get("labels")),
        tokenizer=_tokenizer(path, root, data.get("tokenizer")),
        preprocessing=_preprocessing(path, data.get("preprocessing", {})),
        state_dict=_layout(path, head, data.get("state_dict", {})),
        encoder={k: v for k, v in data.get("encoder", {}).items() if k != "base"},
        encoder_base=data.get("encoder", {}).get("base"),
    )


def resolve_root(path: Path, root_key: str | None, model_root: str | os.PathLike | None) -> Path:
    override = model_root or os.environ.get(ROOT_VARIABLE)
    if override:
        return Path(override).expanduser()
    if root_key:
        return (path.parent / Path(root_key).expanduser()).resolve()
    return path.parent


def _check_keys(path: Path, where: str, table: Any, allowed: set[str]) -> None:
    if not isinstance(table, dict):
        raise ModelLoadError(f"{path}: {where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ModelLoadError(f"{path}: unknown key(s) {', '.join(unknown)} in {where}; allowed: {', '.join(sorted(allowed))}")


def _required(path: Path, data: dict, key: str, kind: type):
    value = data.get(key)
    if not isinstance(value, kind) or value == "":
        raise ModelLoadError(f"{path}: the spec needs {key} = <{kind.__name__}>")
    return value


def _head(path: Path, head: Any) -> str:
    if head is None:
        raise ModelLoadError(f"{path}: the spec needs head = one of {', '.join(HEADS)}")
    if head not in HEADS:
        raise ModelLoadError(f"{path}: unknown head {head!r}; expected one of {', '.join(HEADS)}")
    return head


def _labels(path: Path, labels: Any) -> list[str]:
    if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) and x for x in labels):
        raise ModelLoadError(f"{path}: labels must list at least two label names, one per softmax index")
    if len(set(labels)) != len(labels):
        raise ModelLoadError(f"{path}: labels must be distinct, got {labels}")
    return list(labels)


def _section(path: Path, name: str, cls: type, table: Any):
    allowed = {f.name for f in fields(cls)}
    _check_keys(path, f"[{name}]", table, allowed)
    defaults = cls()
    for key, value in table.items():
        expected = type(getattr(defaults, key))
        if type(value) is not expected:
            raise ModelLoadError(f"{path}: [{name}] {key} must be a {expected.__name__}, got {value!r}")
    return cls(**table)


def _preprocessing(path: Path, table: Any) -> Preprocessing:
    pre = _section(path, "preprocessing", Preprocessing, table)
    for key in ("bos_id", "eos_id", "pad_id"):
        if getattr(pre, key) < 0:
            raise ModelLoadError(f"{path}: [preprocessing] {key} must be a token id (0 or more), not {getattr(pre, key)}")
    return pre


def _tokenizer(path: Path, root: Path, table: Any) -> TokenizerSpec:
    if table is None:
        raise ModelLoadError(f"{path}: the spec has no [tokenizer] (file, vocab + merges, or pretrained)")
    _check_keys(path, "[tokenizer]", table, {f.name for f in fields(TokenizerSpec)})
    sources = [key for key in ("file", "vocab", "pretrained") if table.get(key)]
    if len(sources) != 1:
        raise ModelLoadError(f"{path}: [tokenizer] needs exactly one of file, vocab (+ merges) or pretrained")
    return TokenizerSpec(
        file=root / table["file"] if table.get("file") else None,
        vocab=root / table["vocab"] if table.get("vocab") else None,
        merges=root / table["merges"] if table.get("merges") else None,
        pretrained=table.get("pretrained"),
        add_prefix_space=bool(table.get("add_prefix_space", False)),
        lowercase=bool(table.get("lowercase", False)),
    )


def _layout(path: Path, head: str, table: Any) -> StateDictLayout:
    _check_keys(path, "[state_dict]", table, {f.name for f in fields(StateDictLayout)})
    encoder_prefix, classifier_prefix = DEFAULT_PREFIXES[head]
    layout = StateDictLayout(
        encoder_prefix=table.get("encoder_prefix", encoder_prefix),
        classifier_prefix=table.get("classifier_prefix", classifier_prefix),
        key=table.get("key"),
    )
    if layout.encoder_prefix == layout.classifier_prefix:
        raise ModelLoadError(f"{path}: [state_dict] encoder_prefix and classifier_prefix must differ")
    return layout
