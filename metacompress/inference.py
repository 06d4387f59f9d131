"""Run a CodeClassifier over many inputs fast, with results identical to one-at-a-time inference.

An audit sends each model the same originals plus one rewrite per relation, and clone pairs
share methods (4,000 BigCloneBench pairs hold 859 distinct method texts), so the engine:
- encodes each distinct text once per call (pair-concat heads: each distinct function once,
  then classifies every pair from the cached vectors);
- sorts sequences by length and pads each batch only to its longest member, with an attention
  mask over the real tokens, so padding changes no result;
- runs under ``torch.inference_mode`` on the chosen device, with fp16/bf16 autocast on GPUs;
- applies softmax in float32 and returns float64 probabilities in input order;
- fingerprints each input's token ids after truncation (``digests``), so the audit can tell
  whether a rewrite changed what the model actually saw.

The same code path runs on CPU and CUDA; only the device, pinned host memory and autocast differ.
Under ``accelerate launch`` every process makes the same batch plan and computes every N-th
batch of it (``metacompress.distributed``), so the results are those of one process.
"""

from __future__ import annotations

import hashlib
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Sequence, TypeVar

import numpy as np

from .config import check_device, check_precision, check_whole_number
from .errors import UsageError
from .models.base import CodeClassifier, Encoded

AUTOCAST_DTYPES = {"fp16": "float16", "bf16": "bfloat16"}
T = TypeVar("T")
TOKENISE_CHUNK = 256  # texts per tokenizer call: large enough to be fast, small enough for progress


@dataclass
class InferenceSettings:
    batch_size: int = 32
    device: str = "auto"
    precision: str = "fp32"
    progress: bool = True
    description: str = ""  # shown before each progress bar, e.g. "student, rename-identifiers"
    tokens: "UnitTokens | None" = None  # units of this model already tokenised (reused, and added to)


@dataclass
class Predictions:
    probs: np.ndarray  # [n, labels], float64, in the model's own label order
    truncated: np.ndarray  # [n] bool: some part of this input was cut to the model's max length
    distinct_sequences: int  # how many sequences were actually encoded
    seconds: float
    device: str = ""  # where it ran, e.g. "cuda:0" or "cpu" (what "auto" resolved to)
    # [n] uint64: a fingerprint of the token ids the model received (after truncation);
    # two inputs with equal digests are the same input to the model
    digests: np.ndarray | None = None
    failed: dict[int, str] = field(default_factory=dict)  # input index -> why it could not be tokenised (NaN probs)


@dataclass
class FinishedInputs:
    """What ``predict_proba``'s ``on_batch`` receives after each forward batch: the inputs whose
    every unit has now been through the model (indices into the call's ``inputs``), with their
    probabilities [k, labels] (float64), truncation flags and token digests. Inputs the tokenizer
    failed on are never handed over."""

    indices: np.ndarray
    probs: np.ndarray
    truncated: np.ndarray
    digests: np.ndarray


def resolve_device(name: str):
    """auto picks CUDA, then Apple MPS, then CPU; naming an absent device is a usage error."""
    import torch

    name = check_device(name or "auto")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise UsageError(f"--device {name}: CUDA is not available on this machine")
        device = torch.device(name)
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise UsageError(f"--device {name}: this machine has {count} CUDA device(s), numbered from 0")
        return device
    if not _mps_available():  # check_device left only mps
        raise UsageError("--device mps: Apple MPS is not available on this machine")
    return torch.device("mps")


def resolve_precision(name: str, device):
    """The autocast dtype for ``name`` on ``device`` (None for fp32)."""
    import torch

    check_precision(name)
    if name == "fp32":
        return None
    if device.type == "cpu":
        raise UsageError(f"--precision {name} needs a GPU (the device is cpu); use --precision fp32")
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise UsageError("--precision bf16: this GPU does not support bfloat16; use fp16")
    return getattr(torch, AUTOCAST_DTYPES[name])


class Alone:
    """The processes sharing one ``predict_proba`` call: only this one.

    ``metacompress.distributed.Team`` has the same two methods for a sharded run: ``together``
    runs a step that every process runs on its own, so that an error on one stops them all, and
    ``run_batches`` spreads the forward batches over the processes.
    """

    def together(self, step: Callable[[], T]) -> T:
        return step()

    def run_batches(self, batches: list[list[int]], compute: Callable[[list[int]], object],
                    consume: Callable[[list[int], object], None]) -> None:
        """``consume(batch, compute(batch))`` for every batch, in order."""
        for batch in batches:
            consume(batch, compute(batch))


ALONE = Alone()


@dataclass(frozen=True)
class Predictor:
    """One model's forward passes in this process, with its settings: the innermost layer of the
    prediction path (``distributed.ShardedPredictor`` spreads them over a team,
    ``store.StoredPredictor`` puts the prediction store in front)."""

    model: CodeClassifier
    settings: InferenceSettings

    def predict(self, inputs: Sequence, on_batch: Callable[[FinishedInputs], None] | None = None) -> Predictions:
        return predict_proba(self.model, inputs, self.settings, on_batch=on_batch)


def predict_proba(
    model: CodeClassifier,
    inputs: Sequence[str] | Sequence[tuple[str, str]],
    settings: InferenceSettings | None = None,
    *,
    on_batch: Callable[[FinishedInputs], None] | None = None,
    team: Alone | None = None,
) -> Predictions:
    """Class probabilities for single snippets, or for (first, second) pairs.

    ``on_batch``, if given, is called after every forward batch with the inputs that batch
    completed (``FinishedInputs``), so a caller can save results as they come (the prediction
    store commits each call in one transaction); the returned ``Predictions`` are unchanged.

    ``team`` is for ``metacompress.distributed``: the processes that share this call, each
    computing whole batches of the batch plan one process would follow (see ``Alone``).
    """
    settings = settings or InferenceSettings()
    team = team or ALONE
    pairs = _are_pairs(inputs)
    runner = team.together(lambda: _Runner(model, settings, team))
    start = time.perf_counter()
    probs, truncated, distinct, digests, failed = runner.run(list(inputs), pairs, on_batch)
    return Predictions(probs, truncated, distinct, time.perf_counter() - start, _device_name(runner.device), digests,
                       failed)


def tokenised(model: CodeClassifier, inputs: Sequence[str] | Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(digests, truncated) as ``predict_proba`` would report them, from the tokenizer alone.

    A text the tokenizer fails on gets the digest of a placeholder; ``predict_proba`` skips it.
    """
    return UnitTokens(model)(inputs)


@dataclass
class _Unit:
    ids: list[int]
    truncated: bool
    digest: int
    failure: str | None  # why the tokenizer failed on it (its ids are then a placeholder)


class UnitTokens:
    """One model's tokenizer with a memory of each distinct unit (a function, a snippet) it has
    tokenised: asked about many inputs that share units (a clone pair whose other side is
    unchanged, a rewrite of a method many pairs share), it tokenises each unit once. The audit
    hands its rewriting stage's memory to inference (``InferenceSettings.tokens``), so what the
    visibility check tokenised is not tokenised again. It keeps every unit it was asked about:
    it lives as long as one run's inputs."""

    def __init__(self, model: CodeClassifier):
        self.model = model
        self._known: dict = {}  # unit -> _Unit

    def __call__(self, inputs: Sequence[str] | Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(digests, truncated) of ``inputs``, as ``tokenised`` gives them."""
        if not inputs:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
        units, encode, per_input = self.model.layout.units(self.model, inputs, _are_pairs(inputs))
        self.encoded(list(dict.fromkeys(units)), encode)
        known = [self._known[unit] for unit in units]
        shape = (len(inputs), per_input)
        digests = np.fromiter((u.digest for u in known), dtype=np.uint64, count=len(units)).reshape(shape)
        truncated = np.fromiter((u.truncated for u in known), dtype=bool, count=len(units)).reshape(shape)
        return (digests[:, 0] if per_input == 1 else _pair_digests(digests)), truncated.any(axis=1)

    def encoded(self, units: list, encode: Callable[[list], Encoded],
                done: Callable[[int], object] = lambda n: None) -> tuple[Encoded, dict[int, str]]:
        """``_encode_all`` of distinct ``units``, tokenising only those not met before."""
        new = [unit for unit in units if unit not in self._known]
        done(len(units) - len(new))
        if new:
            encoded, failed = _encode_all(new, encode, [self.model.pad_id], done)
            digests = _digests(encoded.ids).tolist()
            for k, unit in enumerate(new):
                self._known[unit] = _Unit(encoded.ids[k], bool(encoded.truncated[k]), digests[k], failed.get(k))
        rows = [self._known[unit] for unit in units]
        failures = {i: row.failure for i, row in enumerate(rows) if row.failure is not None}
        return Encoded([row.ids for row in rows], [row.truncated for row in rows]), failures


def _place(module, device) -> None:
    """The module on ``device`` in eval mode. Both walk every submodule, so they run only when
    something is to change: an attack makes hundreds of calls with the model already in place."""
    import torch

    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    first = next(module.parameters(), None)
    if first is None or first.device != device:
        module.to(device)
    if any(sub.training for sub in module.modules()):
        module.eval()


class _Runner:
    """One predict_proba call: the model placed on its device, and the stages that use it."""

    def __init__(self, model: CodeClassifier, settings: InferenceSettings, team: Alone):
        import torch

        check_whole_number("--batch-size", settings.batch_size, 1)
        device = resolve_device(settings.device)
        dtype = resolve_precision(settings.precision, device)
        self.torch = torch
        self.model = model
        self.device = device
        self.settings = settings
        self.team = team
        self.labels = len(model.info.labels)
        self.autocast = torch.autocast(device.type, dtype=dtype) if dtype is not None else nullcontext()
        self.pin = device.type == "cuda"
        _place(model.module, device)

    def run(self, inputs: list, pairs: bool, on_batch: Callable[[FinishedInputs], None] | None = None):
        """Each distinct unit (``models.heads``) encoded once; the head's layout combines them."""
        if not inputs:
            return self._empty()
        layout = self.model.layout
        prepared = self.team.together(lambda: self._prepare(inputs, pairs))
        distinct, encoded, positions, truncated, digests, failures = prepared
        done = _Finisher(self, positions, truncated, digests, failures, on_batch).batch_done if on_batch else None
        torch = self.torch
        with torch.inference_mode(), self.autocast:
            outputs = self._forward(encoded.ids, layout.step(self.model), layout.stage, done)

            def combine():
                index = torch.as_tensor(positions, device=self.device)
                return layout.combine(self.model, outputs, index, self).cpu().numpy().astype(np.float64)

            probs = self.team.together(combine)
        probs[list(failures)] = np.nan
        return probs, truncated, len(distinct), digests, failures

    def _prepare(self, inputs: list, pairs: bool):
        """Each distinct unit (``models.heads``) tokenised once, and what each input is made of."""
        units, encode, per_input = self.model.layout.units(self.model, inputs, pairs)
        distinct, positions = _dedupe(units)
        positions = positions.reshape(len(inputs), per_input)
        encoded, failed = self._tokenise(distinct, encode)
        failures: dict[int, str] = {}
        for unit in reversed(range(per_input)):  # the first unit's reason wins
            failures.update(_failed_inputs(failed, positions[:, unit]))
        truncated, digests = _input_truncated(encoded.truncated, positions), _input_digests(encoded.ids, positions)
        return distinct, encoded, positions, truncated, digests, failures

    # ---- stages ----------------------------------------------------------------------------------

    def _tokenise(self, texts: list, encode: Callable[[list], Encoded]) -> tuple[Encoded, dict[int, str]]:
        """Ids of every text, and the texts the tokenizer failed on (index -> reason)."""
        bar = self.progress(None, "tokenise", total=len(texts), unit="text")
        tokens = self.settings.tokens
        try:
            if tokens is not None and tokens.model is self.model:
                return tokens.encoded(texts, encode, bar.update)
            return _encode_all(texts, encode, [self.model.pad_id], bar.update)
        finally:
            bar.close()

    def _forward(self, ids: list[list[int]], step: Callable, stage: str, done: Callable | None = None):
        """``step`` over length-sorted, dynamically padded batches; rows back in ``ids`` order.

        The batch plan depends on the ids alone, so every process of a team follows the same one
        and computes whole batches of it (``Alone.run_batches``): the results are those of one
        process. ``done(batch, out)``, if given, runs after each batch with the rows it filled."""
        torch = self.torch
        order = sorted(range(len(ids)), key=lambda i: (-len(ids[i]), i))
        size = self.settings.batch_size
        batches = [order[start : start + size] for start in range(0, len(order), size)]
        rows: list = []  # the output tensor, made when the first batch's width is known
        bar = self.progress(None, stage, total=len(ids), unit="seq")

        def compute(batch: list[int]):
            input_ids, mask = self._pad([ids[i] for i in batch])
            return step(input_ids, mask).float()

        def consume(batch: list[int], result) -> None:
            result = result.to(self.device)
            if not rows:
                rows.append(torch.empty((len(ids), *result.shape[1:]), dtype=torch.float32, device=self.device))
            rows[0][torch.as_tensor(batch, device=self.device)] = result
            if done is not None:
                done(batch, rows[0])
            bar.update(len(batch))

        try:
            self.team.run_batches(batches, compute, consume)
        finally:
            bar.close()
        return rows[0] if rows else None

    def _pad(self, rows: list[list[int]]):
        """Right-padded ids and the mask of real tokens, copied to the device without a stall."""
        torch = self.torch
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        host = np.full((len(rows), int(lengths.max())), self.model.pad_id, dtype=np.int64)
        for row, ids in enumerate(rows):
            host[row, : len(ids)] = ids
        input_ids = torch.from_numpy(host)
        mask = torch.from_numpy((np.arange(host.shape[1]) < lengths[:, None]).astype(np.int64))
        if self.pin:
            input_ids, mask = input_ids.pin_memory(), mask.pin_memory()
        return input_ids.to(self.device, non_blocking=True), mask.to(self.device, non_blocking=True)

    def progress(self, iterable, stage: str, **kwargs):
        from tqdm.auto import tqdm

        label = f"{self.settings.description}: {stage}" if self.settings.description else stage
        return tqdm(iterable, desc=label, file=sys.stderr, disable=None if self.settings.progress else True, leave=False, **kwargs)

    def _empty(self):
        return np.zeros((0, self.labels), dtype=np.float64), np.zeros(0, dtype=bool), 0, np.zeros(0, dtype=np.uint64), {}


class _Finisher:
    """Hands each input to ``on_batch`` as soon as every unit of it has been through the model."""

    def __init__(self, runner: _Runner, positions: np.ndarray, truncated: np.ndarray, digests: np.ndarray,
                 failures: dict[int, str], on_batch: Callable[[FinishedInputs], None]):
        self.runner, self.positions, self.truncated, self.digests = runner, positions, truncated, digests
        self.on_batch = on_batch
        self.users: dict[int, list[int]] = {}  # unit -> the inputs made of it
        self.waiting = np.zeros(len(positions), dtype=np.int64)  # units of each input not yet computed
        for index, row in enumerate(positions.tolist()):
            if index in failures:
                continue
            for unit in set(row):
                self.users.setdefault(unit, []).append(index)
            self.waiting[index] = len(set(row))

    def batch_done(self, batch: list[int], out) -> None:
        ready = []
        for unit in batch:
            for index in self.users.get(unit, ()):
                self.waiting[index] -= 1
                if self.waiting[index] == 0:
                    ready.append(index)
        if not ready:
            return
        ready.sort()
        runner = self.runner
        index = runner.torch.as_tensor(self.positions[ready], device=runner.device)
        probs = runner.model.layout.combine(runner.model, out, index, _Quiet(runner.device))
        self.on_batch(FinishedInputs(np.asarray(ready, dtype=np.int64), probs.cpu().numpy().astype(np.float64),
                                     self.truncated[ready], self.digests[ready]))


@dataclass
class _Quiet:
    """The engine a layout sees while combining one batch's inputs: no progress bars."""

    device: object

    def progress(self, iterable, stage: str, **kwargs):
        return iterable


_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _encode_all(texts: list, encode: Callable[[list], Encoded], placeholder: list[int],
                done: Callable[[int], object] = lambda n: None) -> tuple[Encoded, dict[int, str]]:
    """Ids of every text, and the texts the tokenizer failed on (index -> reason).

    A failing text gets the ``placeholder`` ids so batching stays simple; its result is replaced
    by NaN and the audit skips it, so one bad text never stops the others.
    """
    ids: list[list[int]] = []
    truncated: list[bool] = []
    failed: dict[int, str] = {}
    for start in range(0, len(texts), TOKENISE_CHUNK):
        chunk = texts[start : start + TOKENISE_CHUNK]
        encoded = _encode_chunk(chunk, encode, start, failed, placeholder)
        ids.extend(encoded.ids)
        truncated.extend(encoded.truncated)
        done(len(chunk))
    return Encoded(ids, truncated), failed


def _encode_chunk(chunk: list, encode: Callable[[list], Encoded], start: int, failed: dict[int, str],
                  placeholder: list[int]) -> Encoded:
    try:
        return encode(chunk)
    except NotImplementedError as exc:
        raise UsageError(str(exc)) from None
    except _FATAL:
        raise
    except BaseException:  # the Rust tokenizers raise PanicException, a BaseException
        pass
    ids, truncated = [], []
    for offset, text in enumerate(chunk):
        try:
            one = encode([text])
            ids.append(one.ids[0])
            truncated.append(one.truncated[0])
        except _FATAL:
            raise
        except BaseException as exc:
            failed[start + offset] = f"the tokenizer failed ({_one_line(exc)})"
            ids.append(list(placeholder))
            truncated.append(False)
    return Encoded(ids, truncated)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _failed_inputs(failed: dict[int, str], positions: np.ndarray) -> dict[int, str]:
    """Input index -> reason, for the inputs whose distinct text failed."""
    if not failed:
        return {}
    return {int(i): failed[int(p)] for i, p in enumerate(positions) if int(p) in failed}


def _digests(ids: list[list[int]]) -> np.ndarray:
    """One 64-bit fingerprint per token-id sequence (stable across processes and machines)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(np.asarray(row, dtype="<i8").tobytes(), digest_size=8).digest(), "little")
         for row in ids),
        dtype=np.uint64, count=len(ids))


def _input_digests(ids: list[list[int]], positions: np.ndarray) -> np.ndarray:
    """One fingerprint per input from its units' ids; ``positions`` is [inputs, units per input]."""
    digests = _digests(ids)
    return digests[positions[:, 0]] if positions.shape[1] == 1 else _pair_digests(digests[positions])


def _input_truncated(truncated: list[bool], positions: np.ndarray) -> np.ndarray:
    """An input is truncated when any of its units is."""
    return np.asarray(truncated, dtype=bool).reshape(-1)[positions].any(axis=1)


def _pair_digests(both: np.ndarray) -> np.ndarray:
    """Fingerprints of (first, second) pairs from the fingerprints [n, 2] of their functions."""
    return _digests(both.view(np.int64).tolist())


def _dedupe(items: list) -> tuple[list, np.ndarray]:
    """Distinct items in first-seen order, and each input's position among them."""
    seen: dict = {}
    positions = np.fromiter((seen.setdefault(item, len(seen)) for item in items), dtype=np.int64, count=len(items))
    return list(seen), positions


def _are_pairs(inputs: Sequence) -> bool:
    """True for (first, second) pairs, False for single snippets; mixed or other inputs are a bug."""
    if all(isinstance(x, str) for x in inputs):
        return False
    if all(isinstance(x, (tuple, list)) and len(x) == 2 and all(isinstance(t, str) for t in x) for x in inputs):
        return True
    raise TypeError("predict_proba takes a list of strings or a list of (str, str) pairs")


def _device_name(device) -> str:
    if device.type == "cuda" and device.index is None:
        import torch

        return f"cuda:{torch.cuda.current_device()}"
    return str(device)


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
