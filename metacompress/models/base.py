"""One interface for every model metacompress audits, whatever format it came in.

A loader (Hugging Face folder or hub id, or a CodeXGLUE-style checkpoint described by a model
spec) returns a ``CodeClassifier``. The classifier knows how to turn code into token ids and
token ids into logits; batching, devices, precision and de-duplication live in
``metacompress.inference``, so every loader gets them for free.

Two head layouts exist:
- ``sequence``: one token sequence in, logits out. Pairs (clone detection) are encoded as one
  sequence pair by the tokenizer (a cross-encoder).
- ``pair-concat``: the CodeXGLUE clone-detection head. Each function is encoded on its own; the
  first-token vectors of the two are concatenated and classified. ``embed`` and ``pair_logits``
  split the two steps so a function shared by many pairs is encoded once.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..registry import Registry

if TYPE_CHECKING:
    from .heads import HeadLayout

HeadKind = Literal["sequence", "pair-concat"]


@dataclass
class ModelInfo:
    """What a user checks before an audit, and what the report records about each model."""

    source: str  # the path or hub id the user gave
    format: str  # "huggingface" or "spec"
    labels: list[str]  # label name per output index, as the model defines them
    head: HeadKind
    max_length: int
    num_parameters: int
    size_bytes: int  # bytes of the weights as stored on disk (0 when unknown)
    fingerprint: str  # "sha256:<hex>" over the weight tensors (names, dtypes, shapes, values)
    architecture: dict[str, Any] = field(default_factory=dict)
    # "sha256:<hex>" over the tokenizer, the encoder config and the loader's preprocessing
    # (``models.fingerprint.preprocessing_fingerprint``); "" when unknown: the store is then not used
    preprocessing_fingerprint: str = ""


@dataclass
class Encoded:
    """Token ids of several inputs, with special tokens, before padding."""

    ids: list[list[int]]
    truncated: list[bool]


class CodeClassifier(ABC):
    """A loaded model: tokeniser, torch module and head, plus its description."""

    info: ModelInfo
    pad_id: int

    @property
    def head(self) -> HeadKind:
        return self.info.head

    @property
    def layout(self) -> "HeadLayout":
        """How inference runs this head (``metacompress.models.heads``); from ``info.head`` by default."""
        from .heads import layout_of

        return layout_of(self.head)

    @property
    @abstractmethod
    def module(self):
        """The torch.nn.Module holding every weight (moved to a device and dtype by inference)."""

    @abstractmethod
    def encode(self, texts: list[str]) -> Encoded:
        """Token ids of single code snippets, truncated to ``info.max_length``."""

    def encode_pairs(self, pairs: list[tuple[str, str]]) -> Encoded:
        """Token ids of pairs as one sequence each (sequence heads only)."""
        raise NotImplementedError(f"{self.info.source}: this model does not take sequence pairs")

    def logits(self, input_ids, attention_mask):
        """Logits [batch, labels] for a padded batch (sequence heads)."""
        raise NotImplementedError(f"{self.info.source}: not a sequence-classification head")

    def embed(self, input_ids, attention_mask):
        """First-token vectors [batch, hidden] for a padded batch (pair-concat heads)."""
        raise NotImplementedError(f"{self.info.source}: not a pair-concat head")

    def pair_logits(self, left, right):
        """Logits [batch, labels] from two batches of vectors (pair-concat heads)."""
        raise NotImplementedError(f"{self.info.source}: not a pair-concat head")


class ModelLoader:
    """Turns one kind of source into a ``CodeClassifier``; decorate with ``@register_loader``.

    ``can_load`` looks at the source only (suffix, files present, the shape of a hub id) and
    imports nothing heavy; ``load`` does the work and raises ``ModelLoadError`` on failure.
    ``load_model`` asks the loaders in turn (see ``metacompress.models.loader_order``).
    """

    name: ClassVar[str]

    def can_load(self, source: str) -> bool:
        raise NotImplementedError

    def load(self, source: str, *, model_root: str | os.PathLike | None = None,
             trust_remote_code: bool = False) -> CodeClassifier:
        raise NotImplementedError


LOADERS: Registry[type[ModelLoader]] = Registry("model loader", group="metacompress.loaders")
#: ``@register_loader`` on a ModelLoader subclass registers it under its ``name``.
register_loader = LOADERS.decorator(lambda cls: cls.name)
