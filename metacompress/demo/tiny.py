"""Tiny RoBERTa classifiers with a BPE tokenizer trained in seconds.

They are the demo's models and the test suite's fixtures: real Hugging Face folders (saved with
``save_pretrained``) that load through exactly the code path a user's checkpoint takes, small
enough to build and run on two CPU cores in a few seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # RoBERTa's ids 0..4


def train_bpe(texts: Iterable[str], vocab_size: int = 600):
    """A byte-level BPE that wraps inputs as RoBERTa does: ``<s> A </s>`` and ``<s> A </s></s> B </s>``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(texts), trainer=trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    return tokenizer


def save_tokenizer(tokenizer, folder: str | Path, max_length: int):
    from transformers import PreTrainedTokenizerFast

    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=max_length,
    )
    wrapped.save_pretrained(str(folder))
    return wrapped


def tiny_config(
    vocab_size: int,
    labels: Sequence[str],
    *,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    intermediate: int = 64,
    max_length: int = 128,
    initializer_range: float = 0.02,
):
    from transformers import RobertaConfig

    return RobertaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max_length + 2,  # RoBERTa counts positions from pad_id + 1
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        initializer_range=initializer_range,
        id2label={i: name for i, name in enumerate(labels)},
        label2id={name: i for i, name in enumerate(labels)},
    )


def build_tiny_classifier(
    folder: str | Path,
    texts: Iterable[str],
    labels: Sequence[str] = ("LABEL_0", "LABEL_1"),
    *,
    seed: int = 0,
    vocab_size: int = 600,
    max_length: int = 128,
    initializer_range: float = 0.4,
    tokenizer=None,
    **sizes: int,
) -> Path:
    """Train a BPE on ``texts`` (or reuse ``tokenizer``), initialise a seeded model, save both.

    A large ``initializer_range`` makes an untrained model's predictions vary across inputs,
    which tests need; the default 0.02 gives nearly constant outputs.
    """
    import torch
    from transformers import RobertaForSequenceClassification

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = tokenizer or train_bpe(texts, vocab_size)
    save_tokenizer(tokenizer, folder, max_length)
    config = tiny_config(
        tokenizer.get_vocab_size(), labels, max_length=max_length, initializer_range=initializer_range, **sizes
    )
    torch.manual_seed(seed)
    model = RobertaForSequenceClassification(config).eval()
    model.save_pretrained(str(folder))
    return folder
