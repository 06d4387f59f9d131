"""Sharded runs under Hugging Face Accelerate: ``accelerate launch -m metacompress run ...``.

A launch starts one process per GPU (or CPU worker), each running the whole command. Every
process validates the settings, loads the data and both models, then takes its share of the work:
- rewriting: a contiguous share of the sampled examples (all relations), gathered back in order;
  rewrites are seeded per snippet, so where a snippet is rewritten does not change the result;
- inference: whole batches of the batch plan one process would follow, round by round, the
  unit outputs gathered after each round, so the Predictions are bitwise those of one process
  (``predict_proba``);
- the prediction store (``metacompress.store``): the main process alone opens it, looks every
  input up and shares what it found, so only the missing inputs are computed; it writes each
  round's finished inputs as one process would (see ``store.predict_with_store``).
Only the main process holds ``--out``, judges, writes the report and prints; the others stop after
the last gather and exit quietly.

Errors. Each sharded step runs inside ``Team.run_everywhere``, which gathers every process's
outcome, so an error on one process stops all of them: the main process reports it ("process 1:
..."), the others exit with the same code without printing. A process that dies outright (killed,
out of memory) cannot report: the launcher (torchrun under ``accelerate launch``) then stops the
others. At exit every process closes its process group (``_leave``), so that no thread of
gloo's outlives the interpreter.

A single process (no launcher, or ``WORLD_SIZE`` 1) never imports accelerate or torch here: the
``Team`` of one runs every step in place.
"""

from __future__ import annotations

import atexit
import os
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

    def from_main(self, step: Callable[[], T]) -> T:
        """``step`` run on the main process only, its result on every process; an error there
        stops every process."""
        return self.run_everywhere(lambda: step() if self.is_main else None)[0]

    def run_batches(self, batches: list[list[int]], compute: Callable[[list[int]], Any],
                    consume: Callable[[list[int], Any], None]) -> None:
        """``consume(batch, compute(batch))`` for every batch in order, on every process, each
        batch computed by one process: in round ``k``, process ``r`` computes batch
        ``k * size + r``, then the round's results are gathered (on the CPU) and consumed in
        order. One collective per round: an error in ``consume`` (e.g. a store write on the
        main process) is raised in the next round's step, so it stops every process."""
        if self.size == 1:
            for batch in batches:
                consume(batch, compute(batch))
            return
        problem: list[BaseException] = []

        def mine(first: int):
            if problem:
                raise problem[0]
            k = first + self.rank
            return compute(batches[k]).cpu() if k < len(batches) else None

        for first in range(0, len(batches), self.size):
            results = self.run_everywhere(lambda: mine(first))
            try:
                for batch, result in zip(batches[first : first + self.size], results):
                    consume(batch, result)
            except Exception as exc:  # noqa: BLE001 - raised in the next step, shared with the others
                problem.append(exc)
        self.together(lambda: mine(len(batches)))

    @contextmanager
    def main_only(self, make: Callable[[], ContextManager[Any]]) -> Iterator[Any]:
        """Hold the context ``make()`` gives on the main process only (e.g. the --out lock, the
        prediction store) and give what it entered (None on the others); the others wait to hear
        that it was entered, so a refusal stops every process."""
        with ExitStack() as stack:
            yield self.together(lambda: stack.enter_context(make()) if self.is_main else None)

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

    # imported before the group exists: torch.distributed.nn's functions take the group current at
    # import as a default argument, which would keep it, and gloo's threads, alive past _leave;
    # transformers imports the module when it loads a RoBERTa model, after the group exists
    import torch.distributed.nn  # noqa: F401

    cpu = device == "cpu" or not torch.cuda.is_available()
    state = PartialState(cpu=cpu)
    atexit.register(_leave)
    return Team(rank=state.process_index, size=state.num_processes, device=str(state.device))


def _leave() -> None:
    """Close this process's process group, joining gloo's threads, while the interpreter is whole.
    Left running, a thread still releasing the last collective's tensors when the interpreter
    shuts down aborts the process now and then ("terminate called without an active exception",
    exit code -6), failing a run whose work was done."""
    from accelerate import PartialState

    PartialState().destroy_process_group()


# ---- sharded steps of an audit -------------------------------------------------------------------


def rewrite_all(examples: list, relations: list[str], language: str, sides: tuple[int, ...], seed: int,
                options: dict[str, dict[str, str]] | None = None, progress: bool = True, visible=None,
                team: Team | None = None, rewrites: int = 1) -> list:
    """``rewriting.rewrite_all``, each process of ``team`` (default: this run's) rewriting a share
    of the examples; same result."""
    from . import rewriting

    team = team or current_team()
    if team.size == 1:
        return rewriting.rewrite_all(examples, relations, language, sides, seed, options, progress, visible, rewrites)

    def my_share() -> list:
        mine = team.share(len(examples))
        return rewriting.rewrite_all(examples[mine.start : mine.stop], relations, language, sides, seed, options,
                                     progress and team.is_main, visible, rewrites)

    parts = team.run_everywhere(my_share)
    ordered = []
    for position in range(len(relations)):  # each part is relation-major over its own examples
        for rank, part in enumerate(parts):
            share = team.share(len(examples), rank)
            size = len(share) * rewrites  # each example's K rewrites sit together
            block = part[position * size : (position + 1) * size]
            ordered += [replace(r, example_index=r.example_index + share.start) for r in block]
    return rewriting.number_rows(ordered)


def predict_proba(model, inputs: Sequence, settings=None, *, on_batch=None, team: Team | None = None):
    """``inference.predict_proba``, each process computing whole batches of one process's plan.

    Every process tokenises all the distinct units (a small share of the time) and so knows the
    batch plan one process would follow: the same units, sorted and padded the same way, in the
    same batches. Process ``r`` computes batches ``r``, ``r + size``, ...; after each round the
    unit outputs are gathered, and every process puts them in place and combines them (a
    pair-concat head's two vectors) exactly as one process does, so the Predictions are bitwise
    those of one process (given the same torch thread count: CPU kernels may round differently
    with another): probabilities, truncation, digests, failures, ``distinct_sequences``.
    ``on_batch`` runs on the main process only, after each batch in plan order, with the inputs
    one process would hand over there. ``seconds`` is this call's wall time, gathering included;
    ``device`` lists the devices of all processes, e.g. ``cuda:0,cuda:1`` (``cpu`` when all ran
    on the CPU). ``team``: the processes (default: this run's).
    """
    from . import inference

    team = team or current_team()
    if team.size == 1:
        return inference.predict_proba(model, inputs, settings, on_batch=on_batch)
    settings = settings or inference.InferenceSettings()
    predicted = inference.predict_proba(model, inputs, _settings_here(settings, team),
                                        on_batch=on_batch if team.is_main else None, team=team)
    devices = ",".join(dict.fromkeys(team.gather(predicted.device)))
    return replace(predicted, device=devices)


@dataclass(frozen=True)
class ShardedPredictor:
    """``inference.Predictor`` with each forward batch computed by one process of ``team``
    (``predict_proba`` above): the same Predictions as one process."""

    model: Any
    settings: Any  # inference.InferenceSettings
    team: Team

    def predict(self, inputs: Sequence, on_batch=None):
        return predict_proba(self.model, inputs, self.settings, on_batch=on_batch, team=self.team)


def _settings_here(settings, team: Team):
    """This process's settings: progress bars on the main process only, and the GPU accelerate
    gave this process where the run says auto or cuda."""
    device = settings.device
    if team.device and team.device.startswith("cuda") and device in ("auto", "cuda"):
        device = team.device
    return replace(settings, device=device, progress=settings.progress and team.is_main)
