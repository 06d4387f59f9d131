"""Hugging Face sequence classifiers: a local folder with ``config.json``, or a hub id.

Weights load through transformers with ``weights_only=True``: safetensors when the folder has
them, otherwise ``pytorch_model.bin`` through ``torch.load(weights_only=True)`` (transformers 5
takes that path itself), so a checkpoint that smuggles Python objects is refused, not run.
Remote code runs only when the caller asks for it.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from ..errors import ModelLoadError, UsageError
from .base import CodeClassifier, Encoded, ModelInfo
from .fingerprint import files_size, fingerprint, hf_weight_files, num_parameters, preprocessing_fingerprint
from .hub import hub_offline
from .prefix_tokens import PrefixTokenizing
from .quiet import quiet_transformers
from .tokens import encode_each, normalize_whitespace

# Models whose position ids start after the padding index, so ``pad_token_id + 1`` positions of
# ``max_position_embeddings`` can never hold a token.
ROBERTA_LIKE = {
    "roberta", "roberta-prelayernorm", "xlm-roberta", "xlm-roberta-xl", "camembert",
    "longformer", "data2vec-text", "ibert", "mpnet", "luke",
}
FALLBACK_MAX_LENGTH = 512
HUGE = 100_000  # tokenizers without a limit report ~1e30
PREPROCESSING_KEY = "metacompress_preprocessing"  # written into config.json by ``convert``


def load_hf(source: str, *, trust_remote_code: bool = False) -> "HFClassifier":
    local = Path(source).expanduser()
    location = str(local) if local.is_dir() else source
    offline = not local.is_dir() and hub_offline()
    options = {"trust_remote_code": trust_remote_code, "local_files_only": offline}
    with quiet_transformers():
        try:
            model, tokenizer = _from_pretrained(location, options)
        except ModelLoadError:
            raise
        except pickle.UnpicklingError as exc:
            raise ModelLoadError(
                f"{source}: refusing to unpickle the weights: the file holds Python objects, not only tensors "
                f"(torch.load weights_only=True): {_first_line(exc)}"
            ) from None
        except (OSError, ValueError, KeyError, ImportError) as exc:
            raise ModelLoadError(_hub_message(source, exc, local.is_dir(), offline)) from None
    return HFClassifier(source, location, model, tokenizer, weight_folder(local, source))


def _from_pretrained(location: str, options: dict):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model, loading = AutoModelForSequenceClassification.from_pretrained(
        location, weights_only=True, output_loading_info=True, **options
    )
    missing = sorted(loading.get("missing_keys") or [])
    if missing:
        raise ModelLoadError(
            f"{location}: the checkpoint lacks {len(missing)} weight(s) of the classifier "
            f"({', '.join(missing[:4])}{', …' if len(missing) > 4 else ''}); transformers would fill them "
            "with random values, so it is not a trained sequence classifier"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(location, **options)
    except (OSError, ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ModelLoadError(f"{location}: the model loads but its tokenizer does not: {detail}") from None
    if len(tokenizer) <= len(set(tokenizer.all_special_tokens)):
        # transformers 5 builds an empty tokenizer when the files are absent; it would map all code to <unk>
        raise ModelLoadError(f"{location}: the model loads but its tokenizer does not: no tokenizer files (vocabulary is empty)")
    return model.eval(), tokenizer


def _hub_message(source: str, exc: Exception, is_local: bool, offline: bool) -> str:
    if "trust_remote_code" in str(exc):
        return f"{source}: this model needs its own Python code; rerun with --trust-remote-code if you trust it"
    if is_local:
        return f"{source}: not a loadable Hugging Face sequence classifier: {_first_line(exc)}"
    if offline:
        return (
            f"model path {source} does not exist, and {source!r} is not in the local Hugging Face cache "
            "(offline: HF_HUB_OFFLINE is set or the hub cannot be reached)"
        )
    return f"model path {source} does not exist, and the Hugging Face hub has no model {source!r}: {_first_line(exc)}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def weight_folder(local: Path, source: str) -> Path | None:
    """Where the weight files lie: the folder itself, or the hub cache's snapshot of ``source``."""
    if local.is_dir():
        return local
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(source, "config.json")
    return Path(cached).parent if isinstance(cached, str) else None


def hf_max_length(tokenizer, config) -> int:
    """The longest input the model accepts: the tokenizer's limit and the position table's, whichever is less."""
    limits = []
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if tokenizer_limit and tokenizer_limit < HUGE:
        limits.append(int(tokenizer_limit))
    positions = getattr(config, "max_position_embeddings", None)
    if positions and positions < HUGE:
        offset = (config.pad_token_id or 0) + 1 if config.model_type in ROBERTA_LIKE else 0
        limits.append(int(positions) - offset)
    return min(limits) if limits else FALLBACK_MAX_LENGTH


def architecture(config) -> dict:
    fields = {
        "model_type": "model_type",
        "layers": "num_hidden_layers",
        "hidden": "hidden_size",
        "heads": "num_attention_heads",
        "intermediate": "intermediate_size",
        "vocab": "vocab_size",
        "max_position_embeddings": "max_position_embeddings",
    }
    found = {key: getattr(config, name, None) for key, name in fields.items()}
    return {key: value for key, value in found.items() if value is not None}


def labels_of(config) -> list[str]:
    id2label = {int(index): str(name) for index, name in (config.id2label or {}).items()}
    return [id2label.get(index, f"LABEL_{index}") for index in range(config.num_labels)]


class HFClassifier(CodeClassifier):
    """A transformers ``*ForSequenceClassification`` with its tokenizer; pairs are cross-encoded."""

    def __init__(self, source: str, location: str, model, tokenizer, folder: Path | None):
        config = model.config
        self._model = model
        self._tokenizer = tokenizer
        preprocessing = getattr(config, PREPROCESSING_KEY, None) or {}
        self._normalize = bool(preprocessing.get("normalize_whitespace", False))
        max_length = hf_max_length(tokenizer, config)
        self._backend = _truncating_backend(tokenizer, max_length)
        self._prefix = PrefixTokenizing.of(self._backend, max_length) if self._backend is not None else None
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else config.pad_token_id
        self.pad_id = int(pad or 0)
        self.graph = _graph_encoding(source, model, tokenizer, preprocessing.get("graphcodebert"), self.pad_id)
        extras = self.graph.fingerprint_options() if self.graph else {}
        if self.graph:
            max_length = self.graph.settings.total_length
        weight_files = hf_weight_files(folder) if folder else []
        self.info = ModelInfo(
            source=source,
            format="huggingface",
            labels=labels_of(config),
            head="sequence",
            max_length=max_length,
            num_parameters=num_parameters(model),
            size_bytes=files_size(weight_files),
            fingerprint=fingerprint(model.state_dict()),
            architecture=architecture(config),
            preprocessing_fingerprint=preprocessing_fingerprint(
                _tokenizer_description(tokenizer, self._backend), config, normalize_whitespace=self._normalize,
                max_length=max_length, pad_id=self.pad_id, head="sequence", **extras),
        )

    @property
    def layout(self):
        if self.graph is not None:
            from .graphcodebert import single_function_layout

            return single_function_layout()
        return super().layout

    @property
    def module(self):
        return self._model

    @property
    def tokenizer(self):
        return self._tokenizer

    def _prepare(self, text: str) -> str:
        return normalize_whitespace(text) if self._normalize else text

    def encode(self, texts: list[str]) -> Encoded:
        if self.graph is not None:
            return self.graph.encode([self._prepare(text) for text in texts])
        return self._encode([self._prepare(text) for text in texts])

    def encode_pairs(self, pairs: list[tuple[str, str]]) -> Encoded:
        if self.graph is not None:
            raise UsageError(f"{self.info.source}: a GraphCodeBERT sequence classifier reads one function at a time, "
                             "not pairs (the clone-detection model's pair head loads through a model spec)")
        return self._encode([(self._prepare(left), self._prepare(right)) for left, right in pairs])

    def _encode(self, batch: list) -> Encoded:
        if not batch:
            return Encoded(ids=[], truncated=[])
        if self._prefix is not None and not isinstance(batch[0], tuple):
            return self._prefix.encode(batch)
        if self._backend is not None:
            encodings = encode_each(self._backend.encode_batch, batch, self._backend)
            return Encoded(ids=[e.ids for e in encodings], truncated=[bool(e.overflowing) for e in encodings])
        return self._encode_slow(batch)

    def _encode_slow(self, batch: list) -> Encoded:
        """Tokenizers without a Rust backend: encode twice, truncated and whole, and compare lengths."""
        first = [item[0] if isinstance(item, tuple) else item for item in batch]
        second = [item[1] for item in batch] if isinstance(batch[0], tuple) else None
        limit = self.info.max_length
        cut = self._tokenizer(first, second, truncation="longest_first", max_length=limit)["input_ids"]
        whole = self._tokenizer(first, second, truncation=False)["input_ids"]
        return Encoded(ids=[list(ids) for ids in cut], truncated=[len(w) > len(c) for w, c in zip(whole, cut)])

    def logits(self, input_ids, attention_mask):
        if self.graph is not None:
            return self.graph.logits(self._model, input_ids, attention_mask).float()
        return self._model(input_ids=input_ids, attention_mask=attention_mask).logits.float()


def _graph_encoding(source: str, model, tokenizer, settings: dict | None, pad_id: int):
    """GraphCodeBERT inputs when config.json's ``metacompress_preprocessing`` names them
    (``"graphcodebert": {"language": ..., "code_length": ..., "data_flow_length": ...}``): a
    fine-tuned GraphCodeBERT's config is otherwise that of any RoBERTa, and names no language."""
    if settings is None:
        return None
    from .explicit_encoder import use_explicit_forward
    from .graphcodebert import GraphEncoding, GraphSettings, SpecialIds, check_settings

    where = f"{source}: config.json {PREPROCESSING_KEY}.graphcodebert"
    backend = getattr(tokenizer, "backend_tokenizer", None)
    try:
        graph = GraphSettings(**{"unk_id": tokenizer.unk_token_id, **settings})
    except TypeError as exc:
        raise ModelLoadError(f"{where}: {exc}") from None
    problem = check_settings(where, graph, model.config.max_position_embeddings, pad_id, 2)
    if problem is None and backend is None:
        problem = f"{source}: GraphCodeBERT inputs need a fast (tokenizers) tokenizer"
    if problem is not None:
        raise ModelLoadError(problem)
    use_explicit_forward(model.base_model, getattr(model.config, "position_embedding_type", None) or "absolute")
    ids = SpecialIds(bos=tokenizer.cls_token_id, eos=tokenizer.sep_token_id, pad=pad_id, unk=graph.unk_id)
    return GraphEncoding(backend, graph, ids, reserved=2)


def _tokenizer_description(tokenizer, backend) -> str:
    """The Rust tokenizer's JSON (truncation included), or for a Python-only tokenizer its class,
    settings and vocabulary."""
    if backend is not None:
        return backend.to_str()
    import json

    return json.dumps({"class": type(tokenizer).__name__, "init": getattr(tokenizer, "init_kwargs", {}),
                       "vocab": sorted(tokenizer.get_vocab().items())}, sort_keys=True, default=str)


def _truncating_backend(tokenizer, max_length: int):
    """A private copy of the Rust tokenizer that truncates, so one pass gives ids and overflow.

    The copy leaves the user's tokenizer object untouched; ``Encoding.overflowing`` is non-empty
    exactly when tokens were cut, which is how truncation is reported without a second pass.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(backend.to_str())
    copy.no_padding()
    side = getattr(tokenizer, "truncation_side", "right") or "right"
    copy.enable_truncation(max_length, strategy="longest_first", direction=side)
    return copy
