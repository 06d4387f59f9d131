"""Load the model a spec describes: tokenizer, encoder, head, weights (see ``models.spec``)."""

from __future__ import annotations

import os
from dataclasses import asdict

from ..errors import ModelLoadError, UsageError
from .base import CodeClassifier, Encoded, ModelInfo
from .checkpoint import fit_state_dict, read_weights
from .fingerprint import files_size, fingerprint, num_parameters, preprocessing_fingerprint
from .graphcodebert import GraphEncoding, SpecialIds, check_settings
from .hf import ROBERTA_LIKE, architecture
from .prefix_tokens import PrefixTokenizing
from .quiet import quiet_transformers
from .spec import ModelSpec, check_type, read_spec, toml_text
from .tokens import encode_each, normalize_whitespace, read_tokenizer, truncating, with_special_tokens


def load_spec(source: str, *, model_root: str | os.PathLike | None = None, trust_remote_code: bool = False):
    spec = read_spec(source, model_root=model_root)
    if not spec.root.is_dir():
        raise ModelLoadError(
            f"{spec.path}: model root {spec.root} does not exist (set --model-root or METACOMPRESS_MODEL_ROOT)"
        )
    tokenizer = read_tokenizer(spec)
    with quiet_transformers():
        config = encoder_config(spec, trust_remote_code)
        _check_sizes(spec, config, tokenizer)
        tokenizer = with_special_tokens(tokenizer, spec)
        weights = read_weights(spec)
        module, targets = build_module(spec, config, weights)
        module.load_state_dict(fit_state_dict(spec, weights, module, targets), strict=True)
    return SpecClassifier(source, spec, module.eval(), tokenizer, config)


def encoder_config(spec: ModelSpec, trust_remote_code: bool = False):
    """A transformers config from the spec's [encoder] fields (over a base config, if named)."""
    from transformers import AutoConfig

    fields = dict(spec.encoder)
    model_type = fields.pop("model_type", "roberta")
    position_kind = _position_kind(spec, fields.pop("position_embedding_type", "absolute"))
    try:
        if spec.encoder_base:
            local = spec.root / spec.encoder_base
            base = str(local) if local.is_dir() else spec.encoder_base
            config = AutoConfig.from_pretrained(base, trust_remote_code=trust_remote_code)
        else:
            config = AutoConfig.for_model(model_type)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{spec.path}: cannot build the [encoder] config: {str(exc).splitlines()[0]}") from None
    known = config.to_dict()
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ModelLoadError(f"{spec.path}: unknown [encoder] field(s) {', '.join(unknown)} for {config.model_type}")
    for key, value in fields.items():
        _check_encoder_value(spec, key, value, known[key])
        setattr(config, key, value)
    for key in ENCODER_TOKEN_IDS:
        token_id = getattr(config, key, None)
        if isinstance(token_id, int) and token_id >= config.vocab_size:
            raise ModelLoadError(f"{spec.path}: [encoder] {key} {token_id} is beyond the embedding "
                                 f"(vocab_size {config.vocab_size}: ids 0 to {config.vocab_size - 1})")
    if position_kind != "absolute":  # kept on the config, so the fingerprint tells the kinds apart
        config.position_embedding_type = position_kind
    config.id2label = dict(enumerate(spec.labels))
    config.label2id = {name: index for index, name in enumerate(spec.labels)}
    if output_count(spec) != len(spec.labels):  # transformers counts labels by id2label
        config.id2label = {0: spec.labels[-1]}
        config.label2id = {spec.labels[-1]: 0}
    config.num_labels = output_count(spec)
    return config


POSITION_KINDS = ("absolute", "relative_key", "relative_key_query")


def output_count(spec: ModelSpec) -> int:
    """Logits of the head: one per label, or one alone for ``logits = "sigmoid"``."""
    if spec.logits == "sigmoid":
        if len(spec.labels) != 2:
            raise ModelLoadError(f'{spec.path}: logits = "sigmoid" gives two probabilities [1 - p, p], '
                                 f"so labels must name two classes, got {len(spec.labels)}")
        return 1
    return len(spec.labels)


def graph_reserved(spec: ModelSpec) -> int:
    """Tokens the reference keeps free besides the code: 3 in the clone code (pair head), 2 in the Devign code."""
    return 3 if spec.head == "pair-concat-cls" else 2


def _position_kind(spec: ModelSpec, kind) -> str:
    """transformers 4.x's position_embedding_type, which transformers 5 dropped; computed by
    ``models.explicit_encoder``."""
    if kind not in POSITION_KINDS:
        raise ModelLoadError(f"{spec.path}: [encoder] position_embedding_type must be one of "
                             f"{', '.join(POSITION_KINDS)}, got {toml_text(kind)}")
    return kind


def position_kind(config) -> str:
    return getattr(config, "position_embedding_type", "absolute") or "absolute"


ENCODER_SIZES = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                 "max_position_embeddings", "type_vocab_size")  # fmt: skip
ENCODER_TOKEN_IDS = ("pad_token_id", "bos_token_id", "eos_token_id")


def _check_encoder_value(spec: ModelSpec, key: str, value, default) -> None:
    """A config field keeps the type of its default (true is no integer); sizes are positive, ids not negative."""
    kind = next((kind for kind in (bool, int, float, str) if isinstance(default, kind)), None)
    if kind is not None:  # a field whose default is None takes what the spec gives
        check_type(spec.path, "[encoder] ", key, value, kind)
    minimum = 1 if key in ENCODER_SIZES else 0 if key in ENCODER_TOKEN_IDS else None
    if minimum is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise ModelLoadError(f"{spec.path}: [encoder] {key} must be an integer of {minimum} or more, got {toml_text(value)}")


def _check_sizes(spec: ModelSpec, config, tokenizer) -> None:
    pre = spec.preprocessing
    block = pre.block_size
    positions = config.max_position_embeddings
    if spec.graph is not None:
        _check_graph(spec, config)
    usable = positions - ((config.pad_token_id or 0) + 1 if config.model_type in ROBERTA_LIKE else 0)
    # a sequence head also reads pairs, which need their own special tokens and one token of each function
    shortest = pre.added_per_pair + 2 if spec.head == "sequence-classification" else pre.added_per_function + 1
    if spec.graph is None and not shortest <= block <= usable:
        raise ModelLoadError(f"{spec.path}: block_size {block} must lie between {shortest} and {usable} "
                             f"(max_position_embeddings {positions}, special_tokens {pre.special_tokens!r})")
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise ModelLoadError(
            f"{spec.path}: the tokenizer has {tokenizer.get_vocab_size()} tokens but the encoder's vocab_size is {config.vocab_size}"
        )
    for key, token_id in pre.special_ids().items():
        if token_id >= config.vocab_size:
            raise ModelLoadError(f"{spec.path}: [preprocessing] {key} {token_id} is beyond the embedding "
                                 f"(vocab_size {config.vocab_size}: ids 0 to {config.vocab_size - 1})")


def _check_graph(spec: ModelSpec, config) -> None:
    problem = check_settings("[graph]", spec.graph, config.max_position_embeddings, spec.preprocessing.pad_id,
                             graph_reserved(spec))
    if problem is None and spec.graph.unk_id >= config.vocab_size:
        problem = f"[graph] unk_id {spec.graph.unk_id} is beyond the embedding (vocab_size {config.vocab_size})"
    if problem is None and spec.preprocessing.special_tokens != "roberta":
        problem = 'GraphCodeBERT inputs are wrapped as <s> tokens </s>: special_tokens must be "roberta"'
    if problem is not None:
        raise ModelLoadError(f"{spec.path}: {problem}")


def build_module(spec: ModelSpec, config, weights: dict):
    """The torch module for the spec's head, and how checkpoint prefixes map onto its names."""
    from transformers import AutoModel, AutoModelForSequenceClassification

    layout = spec.state_dict
    try:
        if spec.head == "sequence-classification":
            module = AutoModelForSequenceClassification.from_config(config)
            _explicit_if_needed(module.base_model, config, spec.graph is not None)
            return module, {layout.encoder_prefix: module.base_model_prefix + ".", layout.classifier_prefix: "classifier."}
        from .pair_head import PairConcatModel

        has_pooler = any(key.startswith(layout.encoder_prefix + "pooler.") for key in weights)
        module = PairConcatModel(AutoModel.from_config(config, add_pooling_layer=has_pooler), output_count(spec))
        _explicit_if_needed(module.encoder, config, spec.graph is not None)
    except ValueError as exc:  # transformers refuses inconsistent sizes (hidden_size not a multiple of heads)
        raise ModelLoadError(f"{spec.path}: the [encoder] fields do not describe a model: {str(exc).splitlines()[0]}") from None
    return module, {layout.encoder_prefix: "encoder.", layout.classifier_prefix: "classifier."}


def _explicit_if_needed(base_model, config, graph_inputs: bool = False) -> None:
    """Relative positions, and graph inputs (3-D mask), need the written-out encoder forward."""
    if graph_inputs or position_kind(config) != "absolute":
        from .explicit_encoder import use_explicit_forward

        use_explicit_forward(base_model, position_kind(config))


class SpecClassifier(CodeClassifier):
    """A spec-described checkpoint; CodeXGLUE preprocessing is applied in ``encode``."""

    def __init__(self, source: str, spec: ModelSpec, module, tokenizer, config):
        self.spec = spec
        self.config = config
        self._module = module
        self._tokenizer = truncating(tokenizer, spec.preprocessing.block_size)
        self._prefix = PrefixTokenizing.of(self._tokenizer, spec.preprocessing.block_size)
        self.pad_id = spec.preprocessing.pad_id
        self.graph = _graph_encoding(spec, tokenizer)
        extras = self.graph.fingerprint_options() if self.graph else {}
        if spec.logits != "softmax":
            extras["logits"] = spec.logits
        self.info = ModelInfo(
            source=source,
            format="spec",
            labels=list(spec.labels),
            head="sequence" if spec.head == "sequence-classification" else "pair-concat",
            max_length=spec.graph.total_length if spec.graph else spec.preprocessing.block_size,
            num_parameters=num_parameters(module),
            size_bytes=files_size([spec.weights]),
            fingerprint=fingerprint(module.state_dict()),
            architecture=architecture(config),
            preprocessing_fingerprint=preprocessing_fingerprint(
                self._tokenizer.to_str(), config, head=spec.head, **asdict(spec.preprocessing), **extras),
        )

    @property
    def layout(self):
        if self.graph is not None and self.head == "sequence":
            from .graphcodebert import single_function_layout

            return single_function_layout()
        return super().layout

    @property
    def module(self):
        return self._module

    @property
    def tokenizer(self):
        """The Rust tokenizer with the spec's special-token template and block-size truncation."""
        return self._tokenizer

    def _prepare(self, code: str) -> str:
        return normalize_whitespace(code) if self.spec.preprocessing.normalize_whitespace else code

    def _encode(self, batch: list) -> Encoded:
        if self._prefix is not None and batch and not isinstance(batch[0], tuple):
            return self._prefix.encode(batch)
        # encode_batch_fast (tokenizers >= 0.21) leaves out the character offsets, which nothing
        # here reads: the same ids and truncation, about a fifth less tokenising
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        encodings = encode_each(encode, batch, self._tokenizer)
        return Encoded(ids=[e.ids for e in encodings], truncated=[bool(e.overflowing) for e in encodings])

    def encode(self, texts: list[str]) -> Encoded:
        if self.graph is not None:
            return self.graph.encode([self._prepare(text) for text in texts])
        return self._encode([self._prepare(text) for text in texts])

    def encode_pairs(self, pairs: list[tuple[str, str]]) -> Encoded:
        if self.head != "sequence":
            return super().encode_pairs(pairs)
        if self.graph is not None:
            raise UsageError(f"{self.info.source}: a GraphCodeBERT sequence head reads one function at a time; "
                             'a clone-detection model needs head = "pair-concat-cls"')
        return self._encode([(self._prepare(left), self._prepare(right)) for left, right in pairs])

    def logits(self, input_ids, attention_mask):
        if self.head != "sequence":
            return super().logits(input_ids, attention_mask)
        if self.graph is not None:
            logits = self.graph.logits(self._module, input_ids, attention_mask).float()
        else:
            segments = {"token_type_ids": self._segments(input_ids)} if self._typed_segments else {}
            logits = self._module(input_ids=input_ids, attention_mask=attention_mask, **segments).logits.float()
        return two_class(logits) if self.spec.logits == "sigmoid" else logits

    @property
    def _typed_segments(self) -> bool:
        """BERT's layout marks the second function of a pair as token type 1, if the encoder has types."""
        return self.spec.preprocessing.special_tokens == "bert" and getattr(self.config, "type_vocab_size", 1) > 1

    def _segments(self, input_ids):
        """Token type 1 after the first [SEP]: ``[CLS] A [SEP]`` is 0, ``B [SEP]`` (and padding) 1."""
        sep = (input_ids == self.spec.preprocessing.eos_id).long()
        return ((sep.cumsum(dim=1) - sep) > 0).long()

    def embed(self, input_ids, attention_mask):
        if self.head != "pair-concat":
            return super().embed(input_ids, attention_mask)
        if self.graph is not None:
            return self.graph.hidden(self._module.encoder, input_ids, attention_mask)[:, 0, :]
        return self._module.embed(input_ids, attention_mask)

    def pair_logits(self, left, right):
        if self.head != "pair-concat":
            return super().pair_logits(left, right)
        logits = self._module.classifier(left, right).float()
        return two_class(logits) if self.spec.logits == "sigmoid" else logits


def two_class(logit):
    """[0, z] for one logit z: its softmax is [1 - sigmoid(z), sigmoid(z)], as ALERT's Devign model reports."""
    import torch

    return torch.cat([torch.zeros_like(logit), logit], dim=-1)


def _graph_encoding(spec: ModelSpec, tokenizer) -> GraphEncoding | None:
    if spec.graph is None:
        return None
    pre = spec.preprocessing
    ids = SpecialIds(bos=pre.bos_id, eos=pre.eos_id, pad=pre.pad_id, unk=spec.graph.unk_id)
    return GraphEncoding(tokenizer, spec.graph, ids, graph_reserved(spec))
