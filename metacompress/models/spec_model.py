"""Load the model a spec describes: tokenizer, encoder, head, weights (see ``models.spec``)."""

from __future__ import annotations

import os

from ..errors import ModelLoadError
from .base import CodeClassifier, Encoded, ModelInfo
from .checkpoint import fit_state_dict, read_weights
from .fingerprint import files_size, fingerprint, num_parameters
from .hf import ROBERTA_LIKE, architecture
from .quiet import quiet_transformers
from .spec import ModelSpec, read_spec
from .tokens import normalize_whitespace, read_tokenizer, truncating, with_roberta_template


def load_spec(source: str, *, model_root: str | os.PathLike | None = None, trust_remote_code: bool = False):
    spec = read_spec(source, model_root=model_root)
    if not spec.root.is_dir():
        raise ModelLoadError(
            f"{spec.path}: model root {spec.root} does not exist (set --model-root or METACOMPRESS_MODEL_ROOT)"
        )
    tokenizer = with_roberta_template(read_tokenizer(spec), spec)
    with quiet_transformers():
        config = encoder_config(spec, trust_remote_code)
        _check_sizes(spec, config, tokenizer)
        weights = read_weights(spec)
        module, targets = build_module(spec, config, weights)
        module.load_state_dict(fit_state_dict(spec, weights, module, targets), strict=True)
    return SpecClassifier(source, spec, module.eval(), tokenizer, config)


def encoder_config(spec: ModelSpec, trust_remote_code: bool = False):
    """A transformers config from the spec's [encoder] fields (over a base config, if named)."""
    from transformers import AutoConfig

    fields = dict(spec.encoder)
    model_type = fields.pop("model_type", "roberta")
    try:
        if spec.encoder_base:
            local = spec.root / spec.encoder_base
            base = str(local) if local.is_dir() else spec.encoder_base
            config = AutoConfig.from_pretrained(base, trust_remote_code=trust_remote_code)
        else:
            config = AutoConfig.for_model(model_type)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{spec.path}: cannot build the [encoder] config: {str(exc).splitlines()[0]}") from None
    known = set(config.to_dict())
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ModelLoadError(f"{spec.path}: unknown [encoder] field(s) {', '.join(unknown)} for {config.model_type}")
    for key, value in fields.items():
        setattr(config, key, value)
    config.num_labels = len(spec.labels)
    config.id2label = dict(enumerate(spec.labels))
    config.label2id = {name: index for index, name in enumerate(spec.labels)}
    return config


def _check_sizes(spec: ModelSpec, config, tokenizer) -> None:
    block = spec.preprocessing.block_size
    positions = config.max_position_embeddings
    usable = positions - ((config.pad_token_id or 0) + 1 if config.model_type in ROBERTA_LIKE else 0)
    if not 3 <= block <= usable:
        raise ModelLoadError(f"{spec.path}: block_size {block} must lie between 3 and {usable} (max_position_embeddings {positions})")
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise ModelLoadError(
            f"{spec.path}: the tokenizer has {tokenizer.get_vocab_size()} tokens but the encoder's vocab_size is {config.vocab_size}"
        )


def build_module(spec: ModelSpec, config, weights: dict):
    """The torch module for the spec's head, and how checkpoint prefixes map onto its names."""
    from transformers import AutoModel, AutoModelForSequenceClassification

    layout = spec.state_dict
    if spec.head == "sequence-classification":
        module = AutoModelForSequenceClassification.from_config(config)
        return module, {layout.encoder_prefix: module.base_model_prefix + ".", layout.classifier_prefix: "classifier."}
    from .pair_head import PairConcatModel

    has_pooler = any(key.startswith(layout.encoder_prefix + "pooler.") for key in weights)
    module = PairConcatModel(AutoModel.from_config(config, add_pooling_layer=has_pooler), len(spec.labels))
    return module, {layout.encoder_prefix: "encoder.", layout.classifier_prefix: "classifier."}


class SpecClassifier(CodeClassifier):
    """A spec-described checkpoint; CodeXGLUE preprocessing is applied in ``encode``."""

    def __init__(self, source: str, spec: ModelSpec, module, tokenizer, config):
        self.spec = spec
        self.config = config
        self._module = module
        self._tokenizer = truncating(tokenizer, spec.preprocessing.block_size)
        self.pad_id = spec.preprocessing.pad_id
        self.info = ModelInfo(
            source=source,
            format="spec",
            labels=list(spec.labels),
            head="sequence" if spec.head == "sequence-classification" else "pair-concat",
            max_length=spec.preprocessing.block_size,
            num_parameters=num_parameters(module),
            size_bytes=files_size([spec.weights]),
            fingerprint=fingerprint(module.state_dict()),
            architecture=architecture(config),
        )

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
        encodings = self._tokenizer.encode_batch(batch) if batch else []
        return Encoded(ids=[e.ids for e in encodings], truncated=[bool(e.overflowing) for e in encodings])

    def encode(self, texts: list[str]) -> Encoded:
        return self._encode([self._prepare(text) for text in texts])

    def encode_pairs(self, pairs: list[tuple[str, str]]) -> Encoded:
        if self.head != "sequence":
            return super().encode_pairs(pairs)
        return self._encode([(self._prepare(left), self._prepare(right)) for left, right in pairs])

    def logits(self, input_ids, attention_mask):
        if self.head != "sequence":
            return super().logits(input_ids, attention_mask)
        return self._module(input_ids=input_ids, attention_mask=attention_mask).logits.float()

    def embed(self, input_ids, attention_mask):
        if self.head != "pair-concat":
            return super().embed(input_ids, attention_mask)
        return self._module.embed(input_ids, attention_mask)

    def pair_logits(self, left, right):
        if self.head != "pair-concat":
            return super().pair_logits(left, right)
        return self._module.classifier(left, right).float()
