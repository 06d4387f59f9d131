"""Tokenising only the part of a long text a truncating model reads.

A model reads its first ``max_length`` tokens, but a tokenizer reads the whole text before it
truncates: on Devign functions about half the tokenising time went to text past the cut.

For byte-level BPE tokenizers (RoBERTa, CodeBERT and the CodeXGLUE students) a prefix of the
text gives the same first tokens as the whole text, provably, far enough from the end of the
prefix. The pre-tokenizer cuts the text into pieces left to right, each piece decided by the
characters up to its end and one more (the regex's only look-ahead, ``\\s+(?!\\S)``); BPE then
encodes each piece on its own, and the normalisers allowed here (none, or lower-casing) map
characters one by one. So every piece of the prefix but its last is a piece of the whole text,
encoded alike. The tokens kept are trusted only when all of them come from pieces before the
prefix's last two (``Encoding.word_ids``) and end ``margin`` characters before the cut (more than
the longest added token, which is matched before pre-tokenising; an added token that swallows
the whitespace on its left, as RoBERTa's ``<mask>`` does, also needs some other character in
between). Anything else, and every tokenizer of another kind, is tokenised whole as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .base import Encoded

#: a text is first tokenised from this many characters per token the model reads (byte-level
#: BPE on code averages 2-4 characters a token; a prefix that turns out too short costs a retry)
CHARS_PER_TOKEN = 4
#: characters kept clear between the last token kept and the cut, beyond the longest added token
MARGIN = 16
SAFE_NORMALIZERS = (None, "Lowercase")


@dataclass(frozen=True)
class PrefixTokenizing:
    """How many characters to tokenise first (``chars``), and the clearance at the cut."""

    chars: int
    margin: int
    #: some added token strips the whitespace before it (``lstrip``)
    strips_left: bool = False

    @classmethod
    def of(cls, tokenizer, max_length: int) -> "PrefixTokenizing | None":
        """The setting for ``tokenizer`` (which truncates to ``max_length``), or None when its
        kind is not one the proof above covers."""
        settings = json.loads(tokenizer.to_str())
        model, pre = settings.get("model") or {}, settings.get("pre_tokenizer") or {}
        normalizer = (settings.get("normalizer") or {}).get("type")
        truncation = settings.get("truncation") or {}
        covered = (
            model.get("type") == "BPE" and model.get("dropout") is None
            and pre.get("type") == "ByteLevel" and pre.get("use_regex", True)
            and normalizer in SAFE_NORMALIZERS
            and truncation.get("direction", "Right") == "Right" and truncation.get("max_length") == max_length
            and not truncation.get("stride")
        )  # fmt: skip
        if not covered or max_length <= 0:
            return None
        added = settings.get("added_tokens") or []
        longest_added = max((len(t.get("content", "")) for t in added), default=0)
        strips_left = any(t.get("lstrip") for t in added)
        return cls(chars=CHARS_PER_TOKEN * max_length, margin=longest_added + MARGIN, strips_left=strips_left)

    def encode(self, tokenizer, texts: list[str]) -> Encoded:
        """Ids and truncation of each text, exactly as ``tokenizer.encode_batch`` gives them."""
        ids: list[list[int] | None] = [None] * len(texts)
        truncated = [False] * len(texts)
        long = [k for k, text in enumerate(texts) if len(text) > self.chars]
        whole = [k for k, text in enumerate(texts) if len(text) <= self.chars]
        if long:
            encodings = tokenizer.encode_batch([texts[k][: self.chars] for k in long])
            for k, encoding in zip(long, encodings):
                if self._prefix_is_enough(encoding, texts[k]):
                    ids[k], truncated[k] = encoding.ids, True
                else:
                    whole.append(k)
        whole.sort()
        encode = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)
        for k, encoding in zip(whole, encode([texts[k] for k in whole]) if whole else []):
            ids[k], truncated[k] = encoding.ids, bool(encoding.overflowing)
        return Encoded(ids=ids, truncated=truncated)  # type: ignore[arg-type]

    def _prefix_is_enough(self, encoding, text: str) -> bool:
        if not encoding.overflowing:
            return False  # the prefix fits: only the whole text says whether the text does
        kept = [(word, end) for word, (_, end) in zip(encoding.word_ids, encoding.offsets) if word is not None]
        later = [word for rest in encoding.overflowing for word in rest.word_ids if word is not None]
        if not kept or not later:
            return False
        last_word, last_end = max(w for w, _ in kept), max(e for _, e in kept)
        clear = self.chars - self.margin
        if last_word >= max(later) - 1 or last_end > clear:
            return False
        # an lstrip token starts at or after clear + MARGIN; what it swallows must stop before last_end
        return not self.strips_left or text[last_end : clear + MARGIN].strip() != ""
