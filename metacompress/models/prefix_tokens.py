"""Tokenising only the part of a long text a truncating model reads.

A model reads its first ``max_length`` tokens, but a tokenizer reads the whole text before it
truncates: on Devign functions about 40% of the tokenising time went to text past the cut.

For byte-level BPE tokenizers (RoBERTa, CodeBERT and the CodeXGLUE students) a prefix of the
text gives the same first tokens as the whole text, provably, far enough from the end of the
prefix. Added tokens (``<s>``, ``</s>``) are matched first, in one leftmost-longest pass over the
raw text, and split it into sections; the pre-tokenizer then cuts each section into pieces left
to right, each piece decided by the characters up to its end and one more (the regex's only
look-ahead, ``\\s+(?!\\S)``); BPE encodes each piece on its own, and the normalisers allowed
here (none, or lower-casing) map characters one by one. Cutting the text changes the sections
only from an added token that straddles the cut, which starts at most ``longest`` characters
before it, and the pieces only from two characters before that, or in the last piece. So a
piece of the prefix that ends ``margin`` characters before the cut (more than ``longest``) is a
piece of the whole text, encoded alike. The tokens kept are trusted only when the whole piece
of the last of them ends there (``Encoding.word_ids`` and offsets, read from a copy of the
tokenizer whose post-processor does not trim offsets: trimming moves an offset, not an id).

The argument needs that one pass: added tokens matched on the normalised text (a second pass,
inside the sections the first leaves), or that swallow whitespace (``lstrip``, ``rstrip``, as
RoBERTa's ``<mask>`` does), or match whole words only, move section boundaries further from the
cut, so such tokenizers are not covered (a hostile fuzzer built counterexamples for each). A
tokenizer not covered, and a text the tokenizer cannot read whole (a lone surrogate), is
tokenised whole as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .base import Encoded
from .tokens import encode_each

#: a text is first tokenised from this many characters per token the model reads (byte-level
#: BPE on code averages 2-4 characters a token; a prefix that turns out too short costs a retry)
CHARS_PER_TOKEN = 4
#: characters kept clear between the last piece kept and the cut, beyond the longest added token
MARGIN = 16
SAFE_NORMALIZERS = (None, "Lowercase")
#: an added token with any of these is matched in a second pass or moves a section boundary
ONE_PASS_FLAGS = ("normalized", "lstrip", "rstrip", "single_word")


@dataclass(frozen=True)
class PrefixTokenizing:
    """A tokenizer's copy for prefixes, how many characters to tokenise first (``chars``) and
    the clearance at the cut."""

    tokenizer: Any  # tokenizers.Tokenizer: the model's, with offsets left untrimmed
    chars: int
    margin: int

    @classmethod
    def of(cls, tokenizer, max_length: int) -> "PrefixTokenizing | None":
        """The setting for ``tokenizer`` (which truncates to ``max_length``), or None when its
        kind is not one the argument above covers."""
        from tokenizers import Tokenizer

        try:
            settings = json.loads(tokenizer.to_str())
        except Exception:  # a custom (Python) component cannot be serialised: not covered
            return None
        model, pre = settings.get("model") or {}, settings.get("pre_tokenizer") or {}
        normalizer = (settings.get("normalizer") or {}).get("type")
        truncation = settings.get("truncation") or {}
        covered = (
            model.get("type") == "BPE" and model.get("dropout") is None
            and pre.get("type") == "ByteLevel" and pre.get("use_regex", True)
            and normalizer in SAFE_NORMALIZERS and settings.get("padding") is None
            and truncation.get("direction", "Right") == "Right" and truncation.get("max_length") == max_length
            and not truncation.get("stride")
        )  # fmt: skip
        added = settings.get("added_tokens") or []
        one_pass = all(not any(t.get(flag) for flag in ONE_PASS_FLAGS) for t in added)
        if not (covered and one_pass) or max_length <= 0 or getattr(tokenizer, "encode_special_tokens", False):
            return None
        longest = max((len(t.get("content", "")) for t in added), default=0)
        settings["post_processor"] = _untrimmed(settings.get("post_processor"))
        copy = Tokenizer.from_str(json.dumps(settings))
        return cls(copy, CHARS_PER_TOKEN * max_length, longest + MARGIN)

    def encode(self, texts: list[str]) -> Encoded:
        """Ids and truncation of each text, exactly as the tokenizer's ``encode_batch`` gives them."""
        ids: list[list[int] | None] = [None] * len(texts)
        truncated = [False] * len(texts)
        long = [k for k, text in enumerate(texts) if len(text) > self.chars and _readable(text)]
        if long:
            encodings = encode_each(self.tokenizer.encode_batch, [texts[k][: self.chars] for k in long], self.tokenizer)
            for k, encoding in zip(long, encodings):
                if self._prefix_is_enough(encoding):
                    ids[k], truncated[k] = encoding.ids, True
        whole = [k for k, found in enumerate(ids) if found is None]  # short, unreadable, or a prefix fell short
        encode = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)
        for k, encoding in zip(whole, encode_each(encode, [texts[k] for k in whole], self.tokenizer)):
            ids[k], truncated[k] = encoding.ids, bool(encoding.overflowing)
        return Encoded(ids=ids, truncated=truncated)  # type: ignore[arg-type]

    def _prefix_is_enough(self, encoding) -> bool:
        if not encoding.overflowing:
            return False  # the prefix fits: only the whole text says whether the text does
        kept = [word for word in encoding.word_ids if word is not None]
        if not kept:
            return False
        last = max(kept)
        rest = [end for part in encoding.overflowing
                for word, (_, end) in zip(part.word_ids, part.offsets) if word == last]
        # where the last kept token's piece ends: its tokens past the model's limit count too
        piece_end = max([end for word, (_, end) in zip(encoding.word_ids, encoding.offsets) if word == last] + rest)
        return piece_end <= self.chars - self.margin


def _untrimmed(processor: dict | None) -> dict | None:
    """The post-processor's settings with offset trimming off (RobertaProcessing, ByteLevel)."""
    if processor is None:
        return None
    processor = dict(processor)
    if "trim_offsets" in processor:
        processor["trim_offsets"] = False
    if isinstance(processor.get("processors"), list):
        processor["processors"] = [_untrimmed(p) for p in processor["processors"]]
    return processor


def _readable(text: str) -> bool:
    """False for a text the Rust tokenizer refuses (a lone surrogate): it fails whole, as before."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
