"""How each head layout turns inputs into probabilities, for the inference engine.

The engine (``metacompress.inference``) deduplicates, tokenises, batches and pads *units*, runs
one step per padded batch of units, then hands the per-unit outputs to the layout to combine
into one probability row per input. A layout says what the units of an input are and how their
outputs combine:

- ``sequence``: an input (a snippet, or a pair encoded as one sequence pair) is one unit; the
  step is the softmax of ``logits``, and the row is the unit's.
- ``pair-concat``: a (first, second) pair is two units, each function encoded on its own; the
  step is ``embed``, and ``pair_logits`` classifies the two vectors, so a function shared by
  many pairs is encoded once.

A model picks its layout through ``CodeClassifier.layout`` (by default from ``info.head``); a
model with another kind of head returns its own ``HeadLayout`` there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from ..errors import UsageError

if TYPE_CHECKING:
    from .base import CodeClassifier, Encoded

PAIR_CHUNK = 4096  # pairs per call of a pair-concat head (a small MLP on cached vectors)


class Engine(Protocol):
    """What a layout may use of the engine running it."""

    device: object

    def progress(self, iterable, stage: str, **kwargs): ...


class HeadLayout:
    """The units of each input, the step run on each padded batch of units, and the combination."""

    kind: str = ""
    stage: str = ""  # the progress bar's name for the step

    def units(self, model: "CodeClassifier", inputs: Sequence, pairs: bool) -> tuple[list, Callable[[list], "Encoded"], int]:
        """(units of every input in order, how a batch of units is encoded, units per input)."""
        raise NotImplementedError

    def step(self, model: "CodeClassifier") -> Callable:
        """(input_ids, attention_mask) of a padded batch of units -> one output row per unit."""
        raise NotImplementedError

    def combine(self, model: "CodeClassifier", outputs, positions, engine: Engine):
        """Probabilities [inputs, labels] (float32 tensor) from the unit outputs; ``positions``
        is an int64 tensor [inputs, units per input] of rows of ``outputs``."""
        raise NotImplementedError


class SequenceLayout(HeadLayout):
    kind = "sequence"
    stage = "classify"

    def units(self, model, inputs, pairs):
        if pairs:
            return [tuple(p) for p in inputs], model.encode_pairs, 1
        return list(inputs), model.encode, 1

    def step(self, model):
        import torch

        return lambda input_ids, mask: torch.softmax(model.logits(input_ids, mask).float(), dim=-1)

    def combine(self, model, outputs, positions, engine):
        return outputs[positions[:, 0]]


class PairConcatLayout(HeadLayout):
    kind = "pair-concat"
    stage = "embed"

    def units(self, model, inputs, pairs):
        if not pairs and inputs:
            raise UsageError(f"{model.info.source}: this model classifies pairs of functions, not single snippets")
        return [text for pair in inputs for text in pair], model.encode, 2

    def step(self, model):
        return model.embed

    def combine(self, model, outputs, positions, engine):
        import torch

        chunks = []
        for start in engine.progress(range(0, len(positions), PAIR_CHUNK), "pairs", unit="chunk"):
            chunk = positions[start : start + PAIR_CHUNK]
            logits = model.pair_logits(outputs[chunk[:, 0]], outputs[chunk[:, 1]])
            chunks.append(torch.softmax(logits.float(), dim=-1))
        return torch.cat(chunks)


LAYOUTS: dict[str, HeadLayout] = {layout.kind: layout for layout in (SequenceLayout(), PairConcatLayout())}


def layout_of(kind: str) -> HeadLayout:
    if kind not in LAYOUTS:
        raise UsageError(f"no head layout {kind!r}; known: {', '.join(LAYOUTS)}")
    return LAYOUTS[kind]
