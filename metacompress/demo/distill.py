"""Fine-tuning and knowledge distillation for small sequence classifiers, reproducibly.

The demo needs a teacher and a distilled student that exist only on the user's machine, so they
are trained there in about a minute. Two builds with the same seed must give the same weights
byte for byte (the report fingerprints them), hence one fixed thread count, deterministic
kernels and a seeded generator for every shuffle.

Distillation follows Compressor and AVATAR: the student learns the teacher's output
distribution softened at temperature T (KL divergence, scaled by T^2), so it needs no labels
and can learn from extra unlabelled inputs.

torch is imported inside the functions: ``metacompress --help`` must not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

Ids = list[list[int]]  # token ids per input, special tokens included, unpadded
EpochHook = Optional[Callable[[int, float], None]]  # called with (epoch number, mean loss)


@dataclass(frozen=True)
class TrainSettings:
    epochs: int
    batch_size: int = 16
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.1  # share of the steps over which the learning rate rises, then decays to 0
    clip: float = 1.0  # gradient norm limit: small models trained from scratch diverge without it
    seed: int = 0


def make_deterministic(seed: int, threads: int = 1) -> None:
    """Seed torch and pin what makes CPU results vary between runs (thread count, kernels)."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def encode_pairs(tokenizer, pairs: Sequence[tuple[str, str]], max_length: int) -> Ids:
    """Token ids of code pairs as one sequence each, truncated as a loaded model truncates them."""
    encoded = tokenizer(
        [first for first, _ in pairs],
        [second for _, second in pairs],
        truncation="longest_first",
        max_length=max_length,
    )
    return [list(ids) for ids in encoded["input_ids"]]


def pad(ids: Ids, pad_id: int):
    """A padded batch: (input_ids, attention_mask) as int64 tensors."""
    import torch

    width = max(len(row) for row in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, row in enumerate(ids):
        input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return input_ids, mask


def _steps(count: int, settings: TrainSettings) -> int:
    return -(-count // settings.batch_size)


def _shuffled_batches(ids: Ids, batch_size: int, generator, pool: int = 8) -> list[list[int]]:
    """Random batches of similar lengths: shuffle, sort each pool of a few batches, shuffle batches.

    Padding to the longest input of a batch costs compute; grouping by length saves about a
    third of it while every epoch still sees a different order.
    """
    import torch

    order = torch.randperm(len(ids), generator=generator).tolist()
    span = batch_size * pool
    batches = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda i: len(ids[i]))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def _optimizer(model, settings: TrainSettings, steps_per_epoch: int):
    """AdamW with linear warm-up and linear decay: what BERT-style fine-tuning uses."""
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    total = max(settings.epochs * steps_per_epoch, 1)
    warm = max(int(total * settings.warmup), 1)

    def factor(step: int) -> float:
        return (step + 1) / warm if step < warm else max(total - step, 0) / max(total - warm, 1)

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _step(model, loss, optimizer, scheduler, settings: TrainSettings) -> None:
    import torch

    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
    optimizer.step()
    scheduler.step()


def predict_logits(model, ids: Ids, pad_id: int, batch_size: int = 64):
    """Logits [n, labels] of a model in eval mode, without gradients."""
    import torch

    model.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, len(ids), batch_size):
            input_ids, mask = pad(ids[start : start + batch_size], pad_id)
            chunks.append(model(input_ids=input_ids, attention_mask=mask).logits)
    return torch.cat(chunks)


def fine_tune(
    model, ids: Ids, labels: Sequence[int], pad_id: int, settings: TrainSettings, on_epoch: EpochHook = None
) -> list[float]:
    """Train a classifier on hard labels with cross-entropy; return the mean loss of each epoch."""
    import torch
    import torch.nn.functional as F

    targets = torch.tensor(list(labels), dtype=torch.long)
    return _train(model, ids, pad_id, settings, lambda logits, batch: F.cross_entropy(logits, targets[batch]), on_epoch)


def _train(model, ids: Ids, pad_id: int, settings: TrainSettings, loss_of, on_epoch: EpochHook) -> list[float]:
    """The shared loop: seeded shuffles, padded batches, clipped AdamW steps, per-epoch hook."""
    import torch

    generator = torch.Generator().manual_seed(settings.seed)
    optimizer, scheduler = _optimizer(model, settings, _steps(len(ids), settings))
    losses = []
    for _ in range(settings.epochs):
        model.train()
        total = 0.0
        for batch in _shuffled_batches(ids, settings.batch_size, generator):
            input_ids, mask = pad([ids[i] for i in batch], pad_id)
            loss = loss_of(model(input_ids=input_ids, attention_mask=mask).logits, batch)
            _step(model, loss, optimizer, scheduler, settings)
            total += loss.item() * len(batch)
        losses.append(total / len(ids))
        if on_epoch:
            on_epoch(len(losses), losses[-1])
    model.eval()
    return losses


def fit_distribution(
    model,
    targets,
    ids: Ids,
    pad_id: int,
    settings: TrainSettings,
    temperature: float = 1.0,
    on_epoch: EpochHook = None,
) -> list[float]:
    """Train ``model`` so that softmax(logits / T) matches ``targets`` [n, labels] (KL, scaled by T^2)."""
    import torch.nn.functional as F

    def loss(logits, batch):
        log_probs = F.log_softmax(logits / temperature, dim=-1)
        return F.kl_div(log_probs, targets[batch], reduction="batchmean") * temperature**2

    return _train(model, ids, pad_id, settings, loss, on_epoch)


def distill(
    student,
    teacher_logits,
    ids: Ids,
    pad_id: int,
    settings: TrainSettings,
    temperature: float = 2.0,
    on_epoch: EpochHook = None,
) -> list[float]:
    """Train ``student`` on the teacher's outputs softened at ``temperature``; no labels needed."""
    import torch.nn.functional as F

    soft = F.softmax(teacher_logits / temperature, dim=-1)
    return fit_distribution(student, soft, ids, pad_id, settings, temperature, on_epoch)


def accuracy(logits, labels: Sequence[int]) -> float:
    predictions = logits.argmax(dim=-1).tolist()
    return sum(int(p == y) for p, y in zip(predictions, labels)) / max(len(predictions), 1)


def agreement(logits_a, logits_b) -> float:
    """Share of inputs on which two models predict the same label."""
    same = (logits_a.argmax(dim=-1) == logits_b.argmax(dim=-1)).tolist()
    return sum(same) / max(len(same), 1)
