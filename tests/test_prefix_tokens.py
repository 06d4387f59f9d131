"""Tokenising a prefix of a long text gives exactly the ids and truncation of the whole text.

The texts are built to break the shortcut: cuts inside long words, inside whitespace runs,
next to added tokens (RoBERTa's ``<mask>`` swallows the whitespace on its left), after
characters that lower-casing lengthens, and texts whose pieces are longer than the prefix.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from metacompress.models.prefix_tokens import PrefixTokenizing

LIMIT = 24  # tokens kept: the prefix is 4 x 24 = 96 characters


def byte_level(lowercase: bool):
    """A trained byte-level BPE with RoBERTa-style special tokens, truncating at LIMIT."""
    from tokenizers import AddedToken, normalizers

    from metacompress.demo.tiny import train_bpe

    corpus = ["int main(void) { return count + total * 2; }", "for (i = 0; i < n; i++) sum += a[i];",
              "if (ptr == NULL) goto fail; free(buffer);"] * 20
    tokenizer = train_bpe(corpus, vocab_size=1000)
    if lowercase:
        tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.add_special_tokens([AddedToken("<mask>", normalized=False), AddedToken("</end_of_block>", normalized=False)])
    tokenizer.enable_truncation(LIMIT, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def hostile_texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["count", "total", "ptr", "NULL", "<mask>", "</end_of_block>", "İSTANBUL", "ǅ", "é", "x" * 150,
             "(", ")", ";", "{", "}", "==", "'s", "'ll", "42", "3.14", "\t", "\n"]
    texts = []
    for _ in range(300):
        parts = [rng.choice(words) + " " * rng.choice([0, 1, 1, 1, 2, 40]) for _ in range(rng.randint(5, 120))]
        texts.append("".join(parts))
    # the cut (character 96) inside a long word, a whitespace run or an added token, with the
    # last token a model reads (the 22nd of the text) before, at or after it
    for words in range(0, 12, 3):
        for filler in (" return", " count", " " * 8, " total", "y"):
            for at in range(60, 100, 2):
                for added in ("<mask>", " <mask>", "</end_of_block>", " totalcount", " returnreturn"):
                    run = (filler * at)[: max(0, at - 2 * words)]
                    texts.append("a " * words + run + added + " z" * 60)
    texts.append("w" * 1000)  # one piece longer than the prefix
    texts.append(" " * 500 + "x " * 100)
    return texts


@pytest.mark.parametrize("lowercase", [False, True])
def test_prefix_encoding_is_the_whole_encoding(lowercase):
    tokenizer = byte_level(lowercase)
    prefix = PrefixTokenizing.of(tokenizer, LIMIT)
    assert prefix is not None
    texts = hostile_texts(seed=1)
    encoded = prefix.encode(texts)
    whole = tokenizer.encode_batch(texts)
    assert encoded.ids == [e.ids for e in whole]
    assert encoded.truncated == [bool(e.overflowing) for e in whole]
    assert sum(encoded.truncated) > 200  # the shortcut was on trial, not bypassed


def test_a_merge_that_reaches_back_from_the_cut_is_not_trusted():
    """BPE merges usually settle a word's start whatever follows, but not always: with merges
    b+c, b+bc, b+bbc, ... the c at the end of a long word turns every b before it into one token.
    The prefix (no c yet) reads single b's: only the piece bookkeeping can tell."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, "b": 1, "c": 2, "z": 3, "\u0120": 4, "\u0120z": 5}
    vocab["bc"] = len(vocab)
    merges = [("\u0120", "z"), ("b", "c")]
    for k in range(2, 160):
        vocab["b" * k + "c"] = len(vocab)
        merges.append(("b", "b" * (k - 1) + "c"))
    tokenizer = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.enable_truncation(LIMIT)
    prefix = PrefixTokenizing.of(tokenizer, LIMIT)
    texts = ["b" * k + "c" + " z" * 80 for k in (100, 130, 150)]
    whole = tokenizer.encode_batch(texts)
    assert whole[0].ids[0] == vocab["b" * 100 + "c"]
    encoded = prefix.encode(texts)
    assert encoded.ids == [e.ids for e in whole] and all(encoded.truncated)


def whole_and_prefix(tokenizer, limit: int, texts: list[str]):
    tokenizer.enable_truncation(limit)
    tokenizer.no_padding()
    whole = tokenizer.encode_batch(texts)
    encoded = PrefixTokenizing.of(tokenizer, limit).encode(texts)
    return [(e.ids, bool(e.overflowing)) for e in whole], list(zip(encoded.ids, encoded.truncated))


@pytest.mark.parametrize("token", [
    dict(content="\u0130" * 20, normalized=True),  # matched on the lower-cased text, where it is 40 long
    dict(content="<mask>", lstrip=True, normalized=False),  # RoBERTa's: swallows the spaces before it
    dict(content="<r>", rstrip=True, normalized=False),
    dict(content="word", single_word=True, normalized=False),
])  # fmt: skip
def test_added_tokens_matched_in_a_second_pass_or_that_move_a_boundary_are_not_covered(token):
    """A hostile fuzzer built a counterexample for each kind (a normalised token matched inside
    a section a straddling special token leaves in the prefix only; whitespace swallowed or not
    depending on what lies past the cut)."""
    from tokenizers import AddedToken

    tokenizer = byte_level(lowercase=True)
    tokenizer.add_special_tokens([AddedToken(**token)])
    assert PrefixTokenizing.of(tokenizer, LIMIT) is None


def cascade_bpe(alphabet: list[str], chain: str, tail: str, extra: list[tuple[str, str]]):
    """A BPE whose merges run right to left: chain+tail, chain+(chain tail), ..."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, **{ch: k + 1 for k, ch in enumerate(alphabet)}}
    merges, previous = [], tail
    for _ in range(60):
        vocab[chain + previous] = len(vocab)
        merges.append((chain, previous))
        previous = chain + previous
    for left, right in extra:
        vocab.setdefault(left + right, len(vocab))
        merges.append((left, right))
    tokenizer = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return tokenizer


@pytest.mark.parametrize("token,limit", [("c;x;y", 8), ("c" + ";x" * 12, 16)])
def test_an_added_token_across_the_cut_ends_a_piece_the_prefix_runs_on(token, limit):
    """In the whole text the piece before the token ends where it starts; in the prefix it runs
    into the token's letters, and merges from the right change the piece's first token. A
    token longer than the fixed margin moves that piece further from the cut."""
    from tokenizers import AddedToken

    tokenizer = cascade_bpe(list("abcxyz;"), "b", "c", [("a", "b")])
    tokenizer.add_special_tokens([AddedToken(token, normalized=False)])
    texts = [head + "a" + "b" * n + token + " z" * 30 for head in ("z;z;z;", "z;z;z;z", "z;z;") for n in range(1, 60)]
    whole, prefix = whole_and_prefix(tokenizer, limit, texts)
    assert prefix == whole


def test_whitespace_before_an_added_token_across_the_cut():
    from tokenizers import AddedToken

    space, newline, tab = "\u0120", "\u010a", "\u0109"
    tokenizer = cascade_bpe(["z", ";", "<", "/", "s", ">", "</", space, newline, tab], space, newline,
                            [("<", "/"), (tab, space)])
    tokenizer.add_special_tokens([AddedToken("</s>", normalized=False)])
    whole, prefix = whole_and_prefix(tokenizer, 8, ["z;z;z;z\t" + " " * 20 + "\n</s>" + " z" * 30])
    assert prefix == whole


@pytest.mark.parametrize("post", ["roberta", "byte-level"])
def test_trimmed_offsets_do_not_hide_where_a_token_ends(post):
    """RoBERTa's post-processor trims the spaces off an indentation token's offsets."""
    from tokenizers import AddedToken, Tokenizer, models, pre_tokenizers, processors

    space, newline = "\u0120", "\u010a"
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for ch in ["z", ";", "<", "/", "s", ">", "</", space, newline, space + "</"]:
        vocab.setdefault(ch, len(vocab))
    merges, previous = [("<", "/"), (space, "</")], newline
    for _ in range(60):
        vocab[previous + space] = len(vocab)
        merges.append((previous, space))
        previous += space
    tokenizer = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.add_special_tokens([AddedToken("<s>", normalized=False), AddedToken("</s>", normalized=False)])
    tokenizer.post_processor = (processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True)
                                if post == "roberta" else processors.ByteLevel(trim_offsets=True))
    head = "z;z;z;z" if post == "roberta" else "z;z;z;z;z"
    texts = [head + "\n" + " " * (4 * 10 - shift - len(head) - 1) + "</s>" + " z" * 40 for shift in range(1, 8)]
    whole, prefix = whole_and_prefix(tokenizer, 10, texts)
    assert prefix == whole


def test_a_text_the_tokenizer_cannot_read_still_fails_whole():
    tokenizer = byte_level(lowercase=False)
    text = "int x = 1; " * 20 + "\ud800"  # a lone surrogate past the cut
    with pytest.raises(Exception):
        tokenizer.encode_batch([text])
    with pytest.raises(Exception):
        PrefixTokenizing.of(tokenizer, LIMIT).encode([text])


def test_the_shortcut_is_taken_for_long_code():
    prefix = PrefixTokenizing.of(byte_level(lowercase=True), LIMIT)
    tokenizer = prefix.tokenizer
    calls = []

    class Counting:
        def __getattr__(self, name):
            return getattr(tokenizer, name)

        def encode_batch(self, texts):
            calls.append(("prefix", texts))
            return tokenizer.encode_batch(texts)

        def encode_batch_fast(self, texts):
            calls.append(("whole", texts))
            return tokenizer.encode_batch_fast(texts)

    code = "int f(int count) { return count + total * 2; } " * 40
    replace(prefix, tokenizer=Counting()).encode([code, "short"])
    assert [(kind, len(texts)) for kind, texts in calls] == [("prefix", 1), ("whole", 1)]
    assert len(calls[0][1][0]) == 4 * LIMIT


def test_other_tokenizers_are_tokenised_whole():
    from tokenizers import Tokenizer, models, pre_tokenizers

    wordpiece = Tokenizer(models.WordPiece({"[UNK]": 0, "a": 1}, unk_token="[UNK]"))
    wordpiece.pre_tokenizer = pre_tokenizers.Whitespace()
    wordpiece.enable_truncation(LIMIT)
    assert PrefixTokenizing.of(wordpiece, LIMIT) is None
    dropout = byte_level(False)
    dropout.model.dropout = 0.1
    assert PrefixTokenizing.of(dropout, LIMIT) is None
    striding = byte_level(False)
    striding.enable_truncation(LIMIT, stride=4)
    assert PrefixTokenizing.of(striding, LIMIT) is None
    assert PrefixTokenizing.of(byte_level(False), LIMIT + 1) is None  # not the model's limit
    padding = byte_level(False)
    padding.enable_padding()
    assert PrefixTokenizing.of(padding, LIMIT) is None


@pytest.mark.shared
def test_real_students_tokenise_devign_as_before(shared_dir):
    import json

    from metacompress.models import load_model

    lines = (shared_dir / "data" / "devign-test" / "test_subs_0_400.jsonl").read_text(encoding="utf-8").splitlines()
    codes = [json.loads(line)["func"] for line in lines if line.strip()]
    for name in ("compressor-devign", "avatar-devign"):
        model = load_model(f"configs/models/{name}.toml")
        assert model._prefix is not None
        fast = model.encode(codes)
        model._prefix = None
        slow = model.encode(codes)
        assert fast.ids == slow.ids and fast.truncated == slow.truncated
        assert sum(fast.truncated) > 100


def test_small_batches_tokenised_one_text_per_call_encode_as_the_batch_does():
    from metacompress.models.tokens import SEQUENTIAL_BELOW, encode_each

    tokenizer = byte_level(lowercase=False)
    texts = hostile_texts(3)[:SEQUENTIAL_BELOW + 2]
    for size in range(1, len(texts) + 1):
        for method in (tokenizer.encode_batch, tokenizer.encode_batch_fast):
            alone, together = encode_each(method, texts[:size], tokenizer), method(texts[:size])
            assert [e.ids for e in alone] == [e.ids for e in together]
            assert [bool(e.overflowing) for e in alone] == [bool(e.overflowing) for e in together]
    # a padding tokenizer pads a batch to its longest text: its small batches stay whole
    tokenizer.enable_padding(pad_id=1, pad_token="<pad>")
    padded = encode_each(tokenizer.encode_batch, ["int x;", "for (i = 0; i < n; i++) sum += a[i];"], tokenizer)
    assert len(padded[0].ids) == len(padded[1].ids)
