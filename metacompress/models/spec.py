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
    # unk_token = "[UNK]"     # the vocabulary's token for text it cannot spell (WordPiece, BPE, WordLevel)

    [preprocessing]
    normalize_whitespace = true   # " ".join(code.split()) before tokenizing
    block_size = 400              # tokens per function, special tokens included
    special_tokens = "roberta"    # how tokens wrap the input: "roberta" (default), "bert" or "none"
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

Special-token layouts (``special_tokens``; ``bos_id``/``eos_id`` are the opening/closing ids):
- ``roberta`` (the default, ids 0 and 2 unless given): ``<s> A </s>``; pairs ``<s> A </s></s> B </s>``.
- ``bert`` (bos_id = the [CLS] id and eos_id = the [SEP] id, both required): ``[CLS] A [SEP]``;
  pairs ``[CLS] A [SEP] B [SEP]``, B with token type 1 when the encoder has ``type_vocab_size >= 2``.
- ``none`` (bos_id/eos_id refused): ``A``; pairs ``A B``. The tokenizer file's own
  post-processor is always replaced by the layout.

Heads:
- ``sequence-classification``: ``*ForSequenceClassification`` (RoBERTa's head: dense → tanh →
  out_proj on the first token). Pairs are encoded as one sequence in the layout above.
- ``pair-concat-cls``: the CodeXGLUE clone-detection head. Each function is encoded on its own;
  the two first-token vectors are concatenated (2·hidden) → ``dense`` → tanh → ``out_proj``.
  A pooler under the encoder prefix is loaded when the file has one (it is never used).

GraphCodeBERT teachers: ``inputs = "graphcodebert"`` with ``[graph] language, code_length,
data_flow_length`` (and ``unk_id``) reads code tokens plus data-flow nodes (``models.graphcodebert``);
``logits = "sigmoid"`` turns one logit z into [1 - sigmoid(z), sigmoid(z)] (ALERT's Devign model).

Paths are relative to the root: the ``root`` key (relative to the spec file) or the spec file's
folder, unless the caller overrides it (``model_root=``, ``$METACOMPRESS_MODEL_ROOT``,
``--model-root``). An ``embeddings.position_ids`` key is a buffer and is ignored; any other
missing or unexpected key, and any tensor of the wrong shape, is an error that names it.
'''

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError
from .dfg import GRAPH_LANGUAGES
from .graphcodebert import GraphSettings

SPEC_VERSION = 1
HEADS = ("sequence-classification", "pair-concat-cls")
ROOT_VARIABLE = "METACOMPRESS_MODEL_ROOT"
DEFAULT_PREFIXES = {
    "sequence-classification": ("roberta.", "classifier."),
    "pair-concat-cls": ("encoder.", "classifier."),
}
# layout -> (tokens it adds to one function, tokens it adds to a pair)
SPECIAL_TOKENS = {"roberta": (2, 4), "bert": (2, 3), "none": (0, 0)}
ROBERTA_IDS = {"bos_id": 0, "eos_id": 2}
TOP_LEVEL = {"spec_version", "name", "description", "root", "weights", "head", "labels",
             "tokenizer", "preprocessing", "encoder", "state_dict", "inputs", "logits", "graph"}
INPUTS = ("tokens", "graphcodebert")
LOGITS = ("softmax", "sigmoid")


@dataclass
class TokenizerSpec:
    file: Path | None = None
    vocab: Path | None = None
    merges: Path | None = None
    pretrained: str | None = None
    add_prefix_space: bool = False
    lowercase: bool = False
    unk_token: str | None = None  # None: keep the tokenizer's own unknown token (checked at load)


@dataclass
class Preprocessing:
    normalize_whitespace: bool = True
    block_size: int = 400
    special_tokens: str = "roberta"
    bos_id: int | None = 0  # None when special_tokens = "none"
    eos_id: int | None = 2
    pad_id: int = 1

    @property
    def added_per_function(self) -> int:
        return SPECIAL_TOKENS[self.special_tokens][0]

    @property
    def added_per_pair(self) -> int:
        return SPECIAL_TOKENS[self.special_tokens][1]

    def special_ids(self) -> dict[str, int]:
        """The token ids the spec names (pad_id always; bos_id/eos_id unless the layout is none)."""
        names = ("bos_id", "eos_id", "pad_id")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


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
    inputs: str = "tokens"  # or "graphcodebert": code tokens plus data-flow nodes (``[graph]``)
    logits: str = "softmax"  # or "sigmoid": one logit z, probabilities [1 - sigmoid(z), sigmoid(z)]
    graph: GraphSettings | None = None


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
    for key in ("name", "description", "root", "weights"):
        if key in data:
            check_type(path, "", key, data[key], str)
    version = check_type(path, "", "spec_version", data.get("spec_version", SPEC_VERSION), int)
    if version != SPEC_VERSION:
        raise ModelLoadError(f"{path}: spec_version {version!r} is not supported (this metacompress reads {SPEC_VERSION})")
    root = resolve_root(path, data.get("root"), model_root)
    head = _head(path, data.get("head"))
    encoder = data.get("encoder", {})
    _check_keys(path, "[encoder]", encoder, set(encoder))
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
        encoder={k: v for k, v in encoder.items() if k != "base"},
        encoder_base=check_type(path, "[encoder] ", "base", encoder["base"], str) if "base" in encoder else None,
        inputs=_choice(path, data, "inputs", INPUTS),
        logits=_choice(path, data, "logits", LOGITS),
        graph=_graph(path, data),
    )


def _choice(path: Path, data: dict, key: str, allowed: tuple[str, ...]) -> str:
    value = check_type(path, "", key, data.get(key, allowed[0]), str)
    if value not in allowed:
        raise ModelLoadError(f"{path}: {key} must be one of {', '.join(allowed)}, got {toml_text(value)}")
    return value


def _graph(path: Path, data: dict) -> GraphSettings | None:
    """``[graph]`` (language, code_length, data_flow_length, unk_id): needed by, and only by, graph inputs."""
    table = data.get("graph")
    graph_inputs = data.get("inputs") == "graphcodebert"
    if table is None:
        if graph_inputs:
            raise ModelLoadError(f'{path}: inputs = "graphcodebert" needs a [graph] table with language '
                                 f"(one of {', '.join(GRAPH_LANGUAGES)})")
        return None
    if not graph_inputs:
        raise ModelLoadError(f'{path}: [graph] applies only to inputs = "graphcodebert"')
    _check_keys(path, "[graph]", table, {f.name for f in fields(GraphSettings)})
    for key, value in table.items():
        check_type(path, "[graph] ", key, value, str if key == "language" else int)
    if "language" not in table:
        raise ModelLoadError(f"{path}: [graph] needs language (one of {', '.join(GRAPH_LANGUAGES)})")
    settings = GraphSettings(**table)
    if settings.language not in GRAPH_LANGUAGES:
        raise ModelLoadError(f"{path}: [graph] language {toml_text(settings.language)} has no data-flow rules; "
                             f"expected one of {', '.join(GRAPH_LANGUAGES)}")
    for key in ("code_length", "data_flow_length", "unk_id"):
        if getattr(settings, key) < (1 if key == "code_length" else 0):
            raise ModelLoadError(f"{path}: [graph] {key} must be {1 if key == 'code_length' else 0} or more, "
                                 f"got {getattr(settings, key)}")
    return settings


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


KIND_NAMES = {int: "an integer", bool: "true or false", str: "a string", float: "a number"}


def check_type(path: Path, where: str, key: str, value: Any, kind: type):
    """``value`` if it has TOML type ``kind``; ``where`` is "" or "[section] ". true is no integer."""
    if kind is float:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        fits = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if not fits:
        raise ModelLoadError(f"{path}: {where}{key} must be {KIND_NAMES[kind]}, got {toml_text(value)}")
    return value


def toml_text(value: Any) -> str:
    """``value`` as it would be written in TOML (true, "text", 3), for messages."""
    return json.dumps(value, default=str, ensure_ascii=False)


def _preprocessing(path: Path, table: Any) -> Preprocessing:
    _check_keys(path, "[preprocessing]", table, {f.name for f in fields(Preprocessing)})
    kinds = {"normalize_whitespace": bool, "block_size": int, "special_tokens": str,
             "bos_id": int, "eos_id": int, "pad_id": int}  # fmt: skip
    for key, value in table.items():
        if key in ROBERTA_IDS and isinstance(value, bool):
            raise ModelLoadError(f"{path}: [preprocessing] {key} must be a token id (an integer), got "
                                 f"{toml_text(value)}; for a model whose inputs carry no special tokens write "
                                 'special_tokens = "none" instead')
        check_type(path, "[preprocessing] ", key, value, kinds[key])
    layout = table.get("special_tokens", "roberta")
    pre = Preprocessing(
        normalize_whitespace=table.get("normalize_whitespace", True),
        block_size=table.get("block_size", Preprocessing.block_size),
        special_tokens=layout,
        pad_id=table.get("pad_id", Preprocessing.pad_id),
        **_wrapping_ids(path, layout, {key: table[key] for key in ROBERTA_IDS if key in table}),
    )
    for key, value in pre.special_ids().items():
        if value < 0:
            raise ModelLoadError(f"{path}: [preprocessing] {key} must be a token id (0 or more), not {value}")
    return pre


def _wrapping_ids(path: Path, layout: str, given: dict[str, int]) -> dict[str, int | None]:
    """bos_id and eos_id for ``layout``: RoBERTa's 0 and 2 by default, BERT's must be named, none has none."""
    if layout not in SPECIAL_TOKENS:
        raise ModelLoadError(f"{path}: [preprocessing] special_tokens {toml_text(layout)} is unknown; "
                             f"expected one of {', '.join(SPECIAL_TOKENS)}")
    if layout == "none":
        if given:
            raise ModelLoadError(f"{path}: [preprocessing] {' and '.join(given)} cannot be used with "
                                 'special_tokens = "none" (no token wraps the input); remove it')
        return {"bos_id": None, "eos_id": None}
    if layout == "bert" and len(given) < len(ROBERTA_IDS):
        raise ModelLoadError(f'{path}: [preprocessing] special_tokens = "bert" needs bos_id (the [CLS] id) '
                             "and eos_id (the [SEP] id)")
    return {**ROBERTA_IDS, **given}


def _tokenizer(path: Path, root: Path, table: Any) -> TokenizerSpec:
    if table is None:
        raise ModelLoadError(f"{path}: the spec has no [tokenizer] (file, vocab + merges, or pretrained)")
    _check_keys(path, "[tokenizer]", table, {f.name for f in fields(TokenizerSpec)})
    for key, value in table.items():
        check_type(path, "[tokenizer] ", key, value, bool if key in ("add_prefix_space", "lowercase") else str)
    sources = [key for key in ("file", "vocab", "pretrained") if table.get(key)]
    if len(sources) != 1:
        raise ModelLoadError(f"{path}: [tokenizer] needs exactly one of file, vocab (+ merges) or pretrained")
    if table.get("unk_token") == "":
        raise ModelLoadError(f"{path}: [tokenizer] unk_token must name a token of the vocabulary, not \"\"")
    return TokenizerSpec(
        file=root / table["file"] if table.get("file") else None,
        vocab=root / table["vocab"] if table.get("vocab") else None,
        merges=root / table["merges"] if table.get("merges") else None,
        pretrained=table.get("pretrained"),
        add_prefix_space=table.get("add_prefix_space", False),
        lowercase=table.get("lowercase", False),
        unk_token=table.get("unk_token"),
    )


def _layout(path: Path, head: str, table: Any) -> StateDictLayout:
    _check_keys(path, "[state_dict]", table, {f.name for f in fields(StateDictLayout)})
    for key, value in table.items():
        check_type(path, "[state_dict] ", key, value, str)
    encoder_prefix, classifier_prefix = DEFAULT_PREFIXES[head]
    layout = StateDictLayout(
        encoder_prefix=table.get("encoder_prefix", encoder_prefix),
        classifier_prefix=table.get("classifier_prefix", classifier_prefix),
        key=table.get("key"),
    )
    if layout.encoder_prefix == layout.classifier_prefix:
        raise ModelLoadError(f"{path}: [state_dict] encoder_prefix and classifier_prefix must differ")
    return layout
