"""Sharded runs under Hugging Face Accelerate: ``accelerate launch -m metacompress run ...``.

A launch starts one process per GPU (or CPU worker), each running the whole command. Every
process validates the settings, loads the data and both models, then takes its share of the work:
- rewriting: a contiguous share of the sampled examples (all relations), gathered back in order;
  rewrites are seeded per snippet, so where a snippet is rewritten does not change the result;
- inference: a contiguous share of each model's distinct inputs, gathered back into the
  Predictions one process would have computed (probabilities, truncation, digests, failures).
Only the main process holds ``--out``, judges, writes the report and prints; the others stop after
the last gather and exit quietly.

Errors. Each sharded step runs inside ``Team.run_everywhere``, which gathers every process's
outcome, so an error on one process stops all of them: the main process reports it ("process 1:
..."), the others exit with the same code without printing. A process that dies outright (killed,
out of memory) cannot report: the launcher (torchrun under ``accelerate launch``) then stops the
others.

A single process (no launcher, or ``WORLD_SIZE`` 1) never imports accelerate or torch here: the
``Team`` of one runs every step in place.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from typing import Any, Callable, ContextManager, Iterator, Sequence, TypeVar

from .errors import MetacompressError, UsageError

T = TypeVar("T")

__all__ = ["Team", "current_team", "launched", "predict_proba", "rewrite_all", "StoppedElsewhere"]


class StoppedElsewhere(MetacompressError):
    """This process stops because another one failed; the main process prints the error."""

    def __init__(self, exit_code: int):
        super().__init__(f"stopped: another process failed (exit code {exit_code})")
        self.exit_code = exit_code


def launched() -> bool:
    """Whether a launcher (accelerate launch, torchrun) started several processes for this run."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1")) > 1
    except ValueError:
        return False


@dataclass
class Team:
    """The processes of one run: this one's rank, how many there are, and the device it was given."""

    rank: int = 0
    size: int = 1
    device: str | None = None  # what accelerate assigned this process ("cuda:1", "cpu"); None alone

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def share(self, count: int, rank: int | None = None) -> range:
        """The contiguous slice of ``count`` items that process ``rank`` (default: this one) takes."""
        rank = self.rank if rank is None else rank
        return range(count * rank // self.size, count * (rank + 1) // self.size)

    def gather(self, part: Any) -> list:
        """Every process's ``part``, in rank order, on every process."""
        if self.size == 1:
            return [part]
        from accelerate.utils import gather_object

        return list(gather_object([part]))

    def run_everywhere(self, step: Callable[[], T]) -> list[T]:
        """Run ``step`` here and gather every process's result in rank order; if it raised on any
        process, raise on all of them (see the module docstring) instead of leaving some waiting."""
        if self.size == 1:
            return [step()]
        return self._run(step, share=True)

    def together(self, step: Callable[[], T]) -> T:
        """``step`` on every process, its own result here (only whether it failed is shared); an
        error anywhere stops every process."""
        if self.size == 1:
            return step()
        return self._run(step, share=False)

    def _run(self, step: Callable[[], Any], share: bool) -> Any:
        try:
            problem, value = None, step()
        except Exception as exc:  # noqa: BLE001 - shared with the other processes, then raised
            problem, value = exc, None
        outcomes = self.gather((_portable(problem), value if share else None))
        failed = [(rank, theirs) for rank, (theirs, _) in enumerate(outcomes) if theirs is not None]
        if failed:
            raise self._failure(failed, problem)
        return [v for _, v in outcomes] if share else value

    @contextmanager
    def main_only(self, make: Callable[[], ContextManager[Any]]) -> Iterator[None]:
        """Hold the context ``make()`` gives on the main process only (e.g. the --out lock); the
        others wait to hear that it was entered, so a refusal stops every process."""
        with ExitStack() as stack:
            self.together(lambda: stack.enter_context(make()) if self.is_main else None)
            yield

    def _failure(self, failed: list[tuple[int, Any]], mine: BaseException | None) -> BaseException:
        rank, problem = failed[0]
        if not self.is_main:
            if mine is not None and not isinstance(mine, MetacompressError):
                return mine  # a bug here: keep its traceback
            return StoppedElsewhere(getattr(problem[0], "exit_code", 70) if isinstance(problem, tuple) else 70)
        if mine is not None:
            return mine
        kind, message = problem
        if isinstance(kind, type) and issubclass(kind, MetacompressError):
            return kind(f"process {rank}: {message}")
        return RuntimeError(f"process {rank}: {getattr(kind, '__name__', kind)}: {message}")


def _portable(problem: BaseException | None) -> tuple[type, str] | None:
    """An exception as it can travel between processes: (its class, the first line of its message)."""
    if problem is None:
        return None
    text = str(problem).strip()
    return type(problem), text.splitlines()[0] if text else ""


_TEAM: Team | None = None


def current_team(device: str = "auto") -> Team:
    """This run's team, set up on first use: a team of one unless launched with several processes.

    ``device`` is the run's ``--device``: with ``cpu``, or on a machine without CUDA, the
    processes talk over gloo; otherwise each gets its own GPU (NCCL), as accelerate assigns them.
    """
    global _TEAM
    if _TEAM is None:
        _TEAM = _join(device) if launched() else Team()
    return _TEAM


def _join(device: str) -> Team:
    import torch

    try:
        from accelerate import PartialState
    except ImportError:
        raise UsageError(f"this run was launched as {os.environ.get('WORLD_SIZE')} processes (WORLD_SIZE), which needs "
                         "Hugging Face Accelerate: pip install 'metacompress[distributed]'") from None

    cpu = device == "cpu" or not torch.cuda.is_available()
    state = PartialState(cpu=cpu)
    return Team(rank=state.process_index, size=state.num_processes, device=str(state.device))


# ---- sharded steps of an audit -------------------------------------------------------------------


def rewrite_all(examples: list, relations: list[str], language: str, sides: tuple[int, ...], seed: int,
                options: dict[str, dict[str, str]] | None = None, progress: bool = True, visible=None) -> list:
    """``rewriting.rewrite_all``, each process rewriting a share of the examples; same result."""
    from . import rewriting

    team = current_team()
    if team.size == 1:
        return rewriting.rewrite_all(examples, relations, language, sides, seed, options, progress, visible)

    def my_share() -> list:
        mine = team.share(len(examples))
        return rewriting.rewrite_all(examples[mine.start : mine.stop], relations, language, sides, seed, options,
                                     progress and team.is_main, visible)

    parts = team.run_everywhere(my_share)
    ordered = []
    for position in range(len(relations)):  # each part is relation-major over its own examples
        for rank, part in enumerate(parts):
            share = team.share(len(examples), rank)
            block = part[position * len(share) : (position + 1) * len(share)]
            ordered += [replace(r, example_index=r.example_index + share.start) for r in block]
    return rewriting.number_rows(ordered)


def predict_proba(model, inputs: Sequence, settings=None, **options):
    """``inference.predict_proba``, each process classifying a share of the distinct inputs.

    The gathered Predictions equal one process's: probabilities, truncation, digests and
    failures in input order, and ``distinct_sequences`` counts the distinct sequences of all
    inputs (as one process would encode them; processes sharing a pair's function each encode
    it). ``seconds`` is this call's wall time, gathering included; ``device`` lists the devices
    of all processes, e.g. ``cuda:0,cuda:1`` (``cpu`` when all ran on the CPU).
    """
    from . import inference

    team = current_team()
    if team.size == 1:
        return inference.predict_proba(model, inputs, settings, **options)
    start = time.perf_counter()
    settings = settings or inference.InferenceSettings()
    distinct, positions = _distinct(list(inputs))

    def my_share():
        mine = team.share(len(distinct))
        return inference.predict_proba(model, distinct[mine.start : mine.stop], _settings_here(settings, team),
                                       **options)

    parts = team.run_everywhere(my_share)
    return _joined(parts, positions, _encoded_count(model, distinct), time.perf_counter() - start)


def _settings_here(settings, team: Team):
    """This process's settings: progress bars on the main process only, and the GPU accelerate
    gave this process where the run says auto or cuda."""
    device = settings.device
    if team.device and team.device.startswith("cuda") and device in ("auto", "cuda"):
        device = team.device
    return replace(settings, device=device, progress=settings.progress and team.is_main)


def _distinct(inputs: list) -> tuple[list, list[int]]:
    """Distinct inputs in first-seen order, and each input's position among them."""
    seen: dict = {}
    positions = [seen.setdefault(tuple(x) if isinstance(x, list) else x, len(seen)) for x in inputs]
    return list(seen), positions


def _encoded_count(model, distinct: list) -> int:
    """How many distinct sequences one process would encode for these inputs."""
    if not distinct:
        return 0
    from .inference import _are_pairs

    units, _, _ = model.layout.units(model, distinct, _are_pairs(distinct))
    return len(set(units))


def _joined(parts: list, positions: list[int], distinct_sequences: int, seconds: float):
    """One Predictions over all inputs from the processes' Predictions over their shares."""
    import numpy as np

    from .inference import Predictions

    index = np.asarray(positions, dtype=np.int64)
    failed_distinct: dict[int, str] = {}
    offset = 0
    for part in parts:
        failed_distinct.update({offset + k: why for k, why in part.failed.items()})
        offset += len(part.probs)
    failed = {i: failed_distinct[p] for i, p in enumerate(positions) if p in failed_distinct}
    devices = ",".join(dict.fromkeys(part.device for part in parts))
    return Predictions(
        probs=np.concatenate([p.probs for p in parts])[index],
        truncated=np.concatenate([p.truncated for p in parts])[index],
        distinct_sequences=distinct_sequences,
        seconds=seconds,
        device=devices,
        digests=np.concatenate([p.digests for p in parts])[index],
        failed=failed,
    )
