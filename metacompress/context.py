"""The run context both engines (``audit.run_audit``, ``attack.run_attack``) run inside: the
team of processes, the validated plan, the held ``--out`` folder and the prediction store; and
what both load and record (the models, the device check, skipped records, package versions).

    validate (every process) -> lock --out (main process) -> check it again -> the engine
"""

from __future__ import annotations

import gc
import platform
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, TypeVar

from . import __version__
from .distributed import Team, current_team
from .labels import align

T = TypeVar("T")
SHOWN_SKIPS = 200  # skipped records listed one by one in report.json (all are counted)


@dataclass
class RunContext:
    """What an engine is given: the process team (passed down explicitly, never looked up in the
    prediction path) and what validation resolved."""

    team: Team
    plan: Any  # config.Plan
    #: whether this run freezes the heap: only when nothing was frozen as it began (a host that
    #: froze objects itself is left as it is)
    freezes: bool = field(default_factory=lambda: gc.get_freeze_count() == 0, repr=False)

    def freeze_heap(self) -> None:
        """Move every object alive now out of the garbage collector's reach (``gc.freeze``).

        Called as the engine starts and once the models are loaded: what is alive then (torch,
        transformers, the models, the data: some 370,000 objects) lives to the end of the run,
        and each full collection would walk it again (0.4 of the 0.5 s an audit of 200 Devign
        functions spent collecting). ``run_in_context`` unfreezes it when the engine returns."""
        if self.freezes:
            gc.freeze()

    def store(self, config: Any, shared: bool) -> ContextManager[Any]:
        """The prediction store as a context (its value None with --no-cache). ``shared``: the
        main process alone opens it and shares its lookups (an audit's sharded inference); else
        every process opens its own connection (an attack's searches). A corrupt or locked
        --cache stops every process."""
        from .store import open_store

        def opened() -> ContextManager[Any]:
            store = open_store(config.cache, config.no_cache)
            return nullcontext() if store is None else store

        return self.team.main_only(opened) if shared else self.team.together(opened)


def run_in_context(config: Any, files: tuple[str, ...] | None, engine: Callable[[RunContext], T]) -> T:
    """Validate ``config`` on every process, then run ``engine`` holding ``--out`` (when given):
    the main process locks it and, once the lock is held, checks again that it can take ``files``
    (another run may have written there since validation)."""
    from .outdir import check_out, lock_out

    team = current_team(config.device)  # one process unless launched by accelerate (metacompress.distributed)
    plan = team.together(config.validate)  # everything checkable without loading anything
    context = RunContext(team, plan)
    context.freeze_heap()
    try:
        if plan.out is None:
            return engine(context)
        with team.main_only(lambda: lock_out(plan.out)):
            team.together(lambda: check_out(config.out, config.overwrite, files) if team.is_main else None)
            return engine(context)
    finally:
        if context.freezes:  # freeze_heap ran as the context was made
            gc.unfreeze()


# ---- what both engines load and record ----------------------------------------------------------


class GatedResult:
    """``gates`` and ``gate_breached`` of what ``run_audit`` or ``run_attack`` returns: a result
    whose ``report`` carries the gate results."""

    @property
    def gates(self) -> list[Any]:
        """The gate results (``GateResult``), one per condition and row it was checked on."""
        return self.report.gates

    @property
    def gate_breached(self) -> bool:
        return any(g.holds for g in self.gates)


@dataclass
class LoadedModel:
    """A model and where its outputs' columns go: ``order[i]`` is its column of task label i."""

    model: Any  # metacompress.models.LoadedModel
    order: list[int]


def check_device(config: Any) -> None:
    """Whether the device and precision exist here, before any data or model loads."""
    from .inference import resolve_device, resolve_precision

    resolve_precision(config.precision, resolve_device(config.device))


def load_models(config: Any, task_labels: tuple[str, ...]) -> dict[str, LoadedModel]:
    from .models import load_model

    loaded = {}
    for role, source in (("teacher", config.teacher), ("student", config.student)):
        model = load_model(source, model_root=config.model_root, trust_remote_code=config.trust_remote_code)
        names = config.label_map.get(role) or model.info.labels
        loaded[role] = LoadedModel(model, align(names, task_labels, f"{role} ({source})"))
    return loaded


def count_reasons(skipped) -> dict[str, int]:
    """Skipped records counted by reason (report.json's ``skip_reasons``; ``attack``'s too)."""
    reasons: dict[str, int] = {}
    for item in skipped:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    return reasons


def first_skipped(skipped) -> list:
    """The skipped records report.json lists one by one (all are counted)."""
    return skipped[:SHOWN_SKIPS]


def package_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"metacompress": __version__, "python": platform.python_version()}
    for package in ("torch", "transformers", "tokenizers", "tree-sitter", "tree-sitter-java", "tree-sitter-c",
                    "tree-sitter-python", "numpy", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    versions["platform"] = f"{platform.system()} {platform.machine()}"
    return versions
