"""Tokenizers for spec-described checkpoints, wrapped the way CodeXGLUE training code wrapped them.

CodeXGLUE-style students ship a bare ``tokenizers`` file that adds no special tokens; the
training code added them by hand (``[bos] + ids[:block - 2] + [eos]``), or not at all. Giving
the Rust tokenizer the spec's template (``special_tokens``: roberta, bert or none) and block-size
truncation reproduces that wrapping exactly, reports truncation in the same pass
(``Encoding.overflowing``), and is the tokenizer ``convert`` saves, so a converted folder
tokenises as the spec loader does.

A tokenizer whose unknown token is missing from its own vocabulary would fail on the first
character it cannot spell, deep inside inference; ``read_tokenizer`` refuses it at load time
unless the spec names the token to use instead (``[tokenizer] unk_token``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ModelLoadError

#: a batch of fewer texts than this is tokenised one text per call: the tokenizers library hands
#: any batch of two or more to its thread pool, whose wake-up costs more than a few short texts
#: (an audit's visibility check tokenises each rewrite as it is drawn: BigCloneBench's two-function
#: rewrites took 1.14 s of CPU in 840 calls, 0.90 s one text per call; on a busy 2-core machine a
#: batch of 2-8 also took 1.4-2x the wall time of single calls, 32 broke even)
SEQUENTIAL_BELOW = 8


def encode_each(encode, texts: list, tokenizer) -> list:
    """``encode(texts)`` (a tokenizer's batch method), called once per text for a small batch of
    a tokenizer that does not pad (alone or batched, each text then gets the same encoding)."""
    if len(texts) >= SEQUENTIAL_BELOW or tokenizer.padding is not None:
        return encode(texts)
    return [encoding for text in texts for encoding in encode([text])]


def normalize_whitespace(code: str) -> str:
    """CodeXGLUE's preprocessing: every run of whitespace (newlines included) becomes one space."""
    return " ".join(code.split())


def read_tokenizer(spec):
    """The spec's tokenizer as a ``tokenizers.Tokenizer``, before any special-token template."""
    settings = spec.tokenizer
    if settings.file is not None:
        tokenizer, source = _from_file(spec, settings.file), f"tokenizer file {settings.file}"
    elif settings.vocab is not None:
        tokenizer = _from_vocab_merges(spec, settings.vocab, settings.merges, settings.add_prefix_space)
        source = f"tokenizer vocab {settings.vocab}"
    else:
        tokenizer, source = _from_pretrained(spec, settings.pretrained), f"tokenizer {settings.pretrained!r}"
    _settle_unknown_token(spec, tokenizer, source)
    if settings.lowercase:
        _ensure_lowercase(tokenizer)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def _from_file(spec, path: Path):
    from tokenizers import Tokenizer

    _require_file(spec, path, "tokenizer file")
    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # the Rust side raises a bare Exception for malformed JSON
        raise ModelLoadError(f"{spec.path}: tokenizer file {path} is not a tokenizers JSON file: {exc}") from None


def _from_vocab_merges(spec, vocab: Path, merges: Path | None, add_prefix_space: bool):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    _require_file(spec, vocab, "tokenizer vocab")
    if merges is None:
        raise ModelLoadError(f"{spec.path}: [tokenizer] vocab needs merges (a byte-level BPE merges.txt)")
    _require_file(spec, merges, "tokenizer merges")
    unk = "<unk>" if "<unk>" in json.loads(vocab.read_text(encoding="utf-8")) else None
    tokenizer = Tokenizer(models.BPE.from_file(str(vocab), str(merges), unk_token=unk))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def _from_pretrained(spec, name: str):
    from tokenizers import Tokenizer

    from .hub import hub_offline
    from .quiet import quiet_transformers

    local = spec.root / name
    location = str(local) if local.is_dir() else name
    with quiet_transformers():
        try:
            from transformers import AutoTokenizer

            wrapper = AutoTokenizer.from_pretrained(location, local_files_only=not local.is_dir() and hub_offline())
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{spec.path}: cannot load tokenizer {name!r}: {str(exc).splitlines()[0]}") from None
    backend = getattr(wrapper, "backend_tokenizer", None)
    if backend is None:
        raise ModelLoadError(f"{spec.path}: tokenizer {name!r} has no fast (tokenizers) version")
    return Tokenizer.from_str(backend.to_str())


def _settle_unknown_token(spec, tokenizer, source: str) -> None:
    """Apply ``[tokenizer] unk_token``, or refuse an unknown token the vocabulary does not hold."""
    model = tokenizer.model
    kind = type(model).__name__
    declared = getattr(model, "unk_token", None)  # WordPiece, BPE and WordLevel have one; Unigram an id
    wanted = spec.tokenizer.unk_token
    if wanted is None:
        if declared is not None and model.token_to_id(declared) is None:
            raise ModelLoadError(
                f"{spec.path}: {source} names {declared!r} as its unknown token but its {kind} vocabulary "
                f"has no {declared!r}, so the first character it cannot spell would fail; set [tokenizer] "
                'unk_token = "<a token of that vocabulary>" to map unknown text onto it'
            )
        return
    if not hasattr(type(model), "unk_token"):
        raise ModelLoadError(f"{spec.path}: [tokenizer] unk_token applies to WordPiece, BPE and WordLevel "
                             f"tokenizers; {source} is {kind}")
    if model.token_to_id(wanted) is None:
        raise ModelLoadError(f"{spec.path}: [tokenizer] unk_token {wanted!r} is not in the vocabulary of {source}")
    model.unk_token = wanted


def _require_file(spec, path: Path, what: str) -> None:
    if not path.is_file():
        raise ModelLoadError(f"{spec.path}: {what} {path} does not exist")


def _ensure_lowercase(tokenizer) -> None:
    from tokenizers import normalizers

    current = tokenizer.normalizer
    if current is None:
        tokenizer.normalizer = normalizers.Lowercase()
    elif "Lowercase" not in json.dumps(json.loads(tokenizer.to_str()).get("normalizer")):
        tokenizer.normalizer = normalizers.Sequence([current, normalizers.Lowercase()])


def token_of(tokenizer, token_id: int, spec, key: str) -> str:
    token = tokenizer.id_to_token(token_id)
    if token is None:
        raise ModelLoadError(f"{spec.path}: [preprocessing] {key} {token_id} is not a token of the tokenizer "
                             f"(its ids run from 0 to {tokenizer.get_vocab_size() - 1})")
    return token


def with_special_tokens(tokenizer, spec):
    """Wrap singles and pairs in the spec's layout (see ``SPECIAL_TOKENS`` in ``models.spec``).

    roberta: ``<s> A </s>`` and ``<s> A </s></s> B </s>``; bert: ``[CLS] A [SEP]`` and
    ``[CLS] A [SEP] B [SEP]`` with B as token type 1; none: ``A`` and ``A B``.
    """
    from tokenizers import processors

    pre = spec.preprocessing
    if pre.special_tokens == "none":
        single, pair, specials = "$A", "$A $B", []
    else:
        bos, eos = token_of(tokenizer, pre.bos_id, spec, "bos_id"), token_of(tokenizer, pre.eos_id, spec, "eos_id")
        single = f"{bos} $A {eos}"
        if pre.special_tokens == "bert":
            pair = f"{bos}:0 $A:0 {eos}:0 $B:1 {eos}:1"
        else:
            pair = f"{bos} $A {eos} {eos} $B {eos}"
        specials = [(bos, pre.bos_id)] if bos == eos else [(bos, pre.bos_id), (eos, pre.eos_id)]
    tokenizer.post_processor = processors.TemplateProcessing(single=single, pair=pair, special_tokens=specials)
    return tokenizer


def truncating(tokenizer, block_size: int):
    """A copy that truncates to ``block_size`` tokens, special tokens included."""
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.enable_truncation(block_size, strategy="longest_first")
    copy.no_padding()
    return copy
