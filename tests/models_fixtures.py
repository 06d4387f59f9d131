"""Tiny CodeXGLUE-style checkpoints (bare state_dict + tokenizer JSON + model spec) for loader tests.

They mirror the real Compressor/AVATAR layouts — ``encoder.roberta.*``/``encoder.classifier.*``
for sequence classification, ``encoder.*`` (with pooler) + ``classifier.*`` for the pair head,
a stray ``position_ids`` buffer, a tokenizer that lowercases and adds no special tokens — so the
spec loader is tested without ../shared, in well under a second per checkpoint.
"""

from __future__ import annotations

from pathlib import Path

TEXTS = [
    "int add(int a, int b) { return a + b; }",
    "public static void main(String[] args) { System.out.println(args.length); }",
    "static int Count(char *s) { int n = 0; while (*s++) n++; return n; }",
    "for (int i = 0; i < n; i++) { total += values[i]; }",
    "if (buffer == NULL) { free(ctx); return -1; }",
    "String name = user.getName(); if (name.isEmpty()) throw new IllegalStateException();",
] * 4
SIZES = {"hidden": 16, "layers": 1, "heads": 2, "intermediate": 32}
BLOCK = 32
POSITIONS = 66

SPEC = """spec_version = 1
name = "{name}"
weights = "{weights}"
head = "{head}"
labels = {labels}

[tokenizer]
file = "bpe.json"
lowercase = true

[preprocessing]
normalize_whitespace = true
block_size = {block}
bos_id = 0
eos_id = 2
pad_id = 1

[encoder]
vocab_size = {vocab}
hidden_size = {hidden}
num_hidden_layers = {layers}
num_attention_heads = {heads}
intermediate_size = {intermediate}
max_position_embeddings = {positions}
type_vocab_size = 1
layer_norm_eps = 1e-5
pad_token_id = 1
bos_token_id = 0
eos_token_id = 2
hidden_act = "gelu"

[state_dict]
encoder_prefix = "{encoder_prefix}"
classifier_prefix = "{classifier_prefix}"
"""


def bare_tokenizer():
    """A byte-level BPE that lowercases and adds no special tokens, like BPE_1000.json."""
    from tokenizers import normalizers, processors

    from metacompress.demo.tiny import train_bpe

    tokenizer = train_bpe(TEXTS + [t.lower() for t in TEXTS], vocab_size=300)
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=True)
    return tokenizer


def tiny_state_dict(head: str, vocab: int, labels: int = 2, seed: int = 0) -> dict:
    """Seeded weights in the real students' key layout for ``head``."""
    import torch
    from transformers import RobertaForSequenceClassification, RobertaModel

    from metacompress.demo.tiny import tiny_config

    config = tiny_config(vocab, [f"L{i}" for i in range(labels)], max_length=POSITIONS - 2, initializer_range=0.4, **SIZES)
    torch.manual_seed(seed)
    if head == "sequence-classification":
        state = {f"encoder.{k}": v for k, v in RobertaForSequenceClassification(config).state_dict().items()}
        state["encoder.roberta.embeddings.position_ids"] = torch.arange(POSITIONS).unsqueeze(0)
        return state
    state = {f"encoder.{k}": v for k, v in RobertaModel(config, add_pooling_layer=True).state_dict().items()}
    state["encoder.embeddings.position_ids"] = torch.arange(POSITIONS).unsqueeze(0)
    hidden = SIZES["hidden"]
    state["classifier.dense.weight"] = torch.randn(hidden, 2 * hidden) * 0.4
    state["classifier.dense.bias"] = torch.randn(hidden) * 0.1
    state["classifier.out_proj.weight"] = torch.randn(labels, hidden) * 0.4
    state["classifier.out_proj.bias"] = torch.randn(labels) * 0.1
    return state


def write_spec(folder: Path, head: str, *, name: str = "model.toml", weights: str = "model.bin", **overrides) -> Path:
    """The spec text for a checkpoint in ``folder``; ``overrides`` replace any template field."""
    prefixes = (
        ("encoder.roberta.", "encoder.classifier.") if head == "sequence-classification" else ("encoder.", "classifier.")
    )
    fields = dict(
        name="tiny-" + head, weights=weights, head=head, labels='["no", "yes"]', block=BLOCK,
        vocab=_vocab_size(folder), positions=POSITIONS,
        encoder_prefix=prefixes[0], classifier_prefix=prefixes[1], **SIZES,
    )  # fmt: skip
    fields.update(overrides)
    path = folder / name
    path.write_text(SPEC.format(**fields), encoding="utf-8")
    return path


def build_tiny_checkpoint(folder: Path, head: str, seed: int = 0) -> Path:
    """model.bin + bpe.json + model.toml in ``folder``; returns the spec path."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = bare_tokenizer()
    tokenizer.save(str(folder / "bpe.json"))
    torch.save(tiny_state_dict(head, tokenizer.get_vocab_size(), seed=seed), folder / "model.bin")
    return write_spec(folder, head)


def _vocab_size(folder: Path) -> int:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(folder / "bpe.json")).get_vocab_size()


# ---- a student trained without special tokens, on a WordPiece vocabulary without [UNK] -----------

WORDPIECE_SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "<unk>"]  # ids 0-3; no "[UNK]", which the model names
BARE_SPEC = """spec_version = 1
name = "tiny-bare-wordpiece"
weights = "model.bin"
head = "sequence-classification"
labels = ["no", "yes"]

[tokenizer]
file = "wordpiece.json"
{tokenizer}

[preprocessing]
block_size = {block}
{preprocessing}

[encoder]
vocab_size = {vocab}
hidden_size = {hidden}
num_hidden_layers = {layers}
num_attention_heads = {heads}
intermediate_size = {intermediate}
max_position_embeddings = {positions}
type_vocab_size = 2
pad_token_id = 0

[state_dict]
encoder_prefix = "encoder.roberta."
classifier_prefix = "encoder.classifier."
"""


def wordpiece_without_unk():
    """A lowercasing WordPiece tokenizer that names "[UNK]" as its unknown token but has no such token."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordPieceTrainer(vocab_size=200, special_tokens=WORDPIECE_SPECIALS, show_progress=False)
    tokenizer.train_from_iterator(TEXTS, trainer)
    return tokenizer


def bare_wordpiece_config(vocab: int):
    """The encoder of the bare WordPiece student: RoBERTa sizes, [PAD] = 0, two token types."""
    from metacompress.demo.tiny import tiny_config

    config = tiny_config(vocab, ["no", "yes"], max_length=POSITIONS - 2, initializer_range=0.4, **SIZES)
    config.pad_token_id, config.type_vocab_size = 0, 2
    return config


def build_bare_wordpiece_checkpoint(folder: Path, seed: int = 5) -> Path:
    """model.bin + wordpiece.json in ``folder``; returns the path of a spec that loads it as trained."""
    import torch
    from transformers import RobertaForSequenceClassification

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = wordpiece_without_unk()
    tokenizer.save(str(folder / "wordpiece.json"))
    torch.manual_seed(seed)
    model = RobertaForSequenceClassification(bare_wordpiece_config(tokenizer.get_vocab_size()))
    torch.save({f"encoder.{k}": v for k, v in model.state_dict().items()}, folder / "model.bin")
    return write_bare_spec(folder)


def write_bare_spec(folder: Path, name: str = "model.toml", *, tokenizer: str = 'unk_token = "<unk>"',
                    preprocessing: str = 'special_tokens = "none"\npad_id = 0') -> Path:
    """A spec for the bare WordPiece student; ``tokenizer`` and ``preprocessing`` are extra table lines."""
    from tokenizers import Tokenizer

    vocab = Tokenizer.from_file(str(folder / "wordpiece.json")).get_vocab_size()
    path = folder / name
    path.write_text(BARE_SPEC.format(tokenizer=tokenizer, preprocessing=preprocessing, block=BLOCK, vocab=vocab,
                                     positions=POSITIONS, **SIZES), encoding="utf-8")  # fmt: skip
    return path
