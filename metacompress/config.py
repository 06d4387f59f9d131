"""AuditConfig: every setting of an audit, and ``validate()``, which checks them all up front.

Validation loads no data and no model, so a typo or an impossible setting fails in well under a
second instead of after the inference it would otherwise spoil.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError

PAIR_SIDES = ("first", "second", "both")
PRECISIONS = ("fp32", "fp16", "bf16")
ROLES = ("teacher", "student")


@dataclass
class AuditConfig:
    """Everything that determines an audit's figures (all of it is recorded in report.json)."""

    teacher: str
    student: str
    task: str
    data: str
    out: str | None = None
    overwrite: bool = False
    relations: list[str] | None = None  # None: every relation that supports the language
    language: str | None = None  # None: the task's default
    limit: int | None = None
    seed: int = 0
    pair_side: str = "both"
    code_field: str | None = None
    label_field: str | None = None
    batch_size: int = 32
    device: str = "auto"
    precision: str = "fp32"
    js_threshold: float = 0.1
    confidence: float = 0.9
    ece_bins: int = 10
    bootstrap: int = 1000  # 0: no intervals
    fail_on: list[str] = field(default_factory=list)
    label_map: dict[str, list[str]] = field(default_factory=dict)  # role -> names per output index
    relation_options: dict[str, dict[str, str]] = field(default_factory=dict)
    model_root: str | None = None
    trust_remote_code: bool = False
    progress: bool = True
    command: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.fail_on, str):  # one gate given as a plain string
            self.fail_on = [self.fail_on]

    def validate(self) -> "Plan":
        """Check every setting without loading data or models; UsageError names the first bad one."""
        from .outdir import check_out

        _check_numbers(self)
        _check_choices(self)
        _check_label_map(self.label_map)
        task, language = _task_and_language(self)
        relations = select_relations(self.relations, language)
        _check_relation_options(self.relation_options, relations)
        gates = _gates(self.fail_on, relations)
        sides = task.rewrite_sides(self.pair_side) if task.is_pair else (0,)
        out = check_out(self.out, self.overwrite) if self.out is not None else None
        return Plan(task, language, relations, sides, gates, out)


@dataclass
class Plan:
    """What validation resolved: the task object, language, relations, gates and out folder."""

    task: Any
    language: str
    relations: list[str]
    sides: tuple[int, ...]
    gates: list[Any]
    out: Path | None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_numbers(config: AuditConfig) -> None:
    integers = {"--seed": (config.seed, 0), "--bootstrap": (config.bootstrap, 0),
                "--batch-size": (config.batch_size, 1), "--ece-bins": (config.ece_bins, 1)}
    if config.limit is not None:
        integers["--limit"] = (config.limit, 1)
    for flag, (value, least) in integers.items():
        if not _is_int(value):
            raise UsageError(f"{flag} must be a whole number, not {value!r}")
        if value < least:
            raise UsageError(f"{flag} must be at least {least}, not {value}")
    if not _is_number(config.confidence) or not 0 < config.confidence <= 1:
        raise UsageError(f"--confidence must be a number in (0, 1], not {config.confidence!r}")
    if not _is_number(config.js_threshold) or not 0 <= config.js_threshold <= 1:
        raise UsageError(f"--js-threshold must be a number in [0, 1], not {config.js_threshold!r}")


def _check_choices(config: AuditConfig) -> None:
    for flag, value in (("--teacher", config.teacher), ("--student", config.student), ("--data", config.data)):
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{flag} must name a path, not {value!r}")
    if config.pair_side not in PAIR_SIDES:
        raise UsageError(f"--pair-side must be first, second or both, not {config.pair_side!r}")
    if config.precision not in PRECISIONS:
        raise UsageError(f"--precision must be one of {', '.join(PRECISIONS)}, not {config.precision!r}")
    device = str(config.device).strip().lower()
    if device not in ("auto", "cpu", "cuda", "mps") and not (device.startswith("cuda:") and device[5:].isdigit()):
        raise UsageError(f"--device must be auto, cpu, cuda, cuda:N or mps, not {config.device!r}")
    if not isinstance(config.fail_on, (list, tuple)) or not all(isinstance(g, str) for g in config.fail_on):
        raise UsageError(f"--fail-on must be a list of conditions, not {config.fail_on!r}")


def _check_label_map(label_map: dict[str, list[str]]) -> None:
    for role, names in label_map.items():
        if role not in ROLES:
            raise UsageError(f"--label-map: unknown role {role!r}; use teacher=NAMES or student=NAMES")
        if not names or not all(isinstance(n, str) and n for n in names):
            raise UsageError(f"--label-map {role}: expected label names, one per output index, not {names!r}")


def _task_and_language(config: AuditConfig):
    from .code.parsing import LANGUAGES
    from .tasks import get_task

    task = get_task(config.task)  # raises the "did you mean" UsageError
    language = config.language or task.default_language
    if not language:
        raise UsageError(f"task {task.name} needs --language ({', '.join(LANGUAGES)})")
    if language not in LANGUAGES:
        raise UsageError(f"--language {language}: not supported (available: {', '.join(LANGUAGES)})")
    return task, language


def select_relations(names: list[str] | None, language: str) -> list[str]:
    """The relations of the run: all that support the language (None), or the ones named."""
    from .relations import RELATIONS, get_relation

    if names is None:
        return [n for n in RELATIONS.names() if language in get_relation(n).languages]
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise UsageError(f"--relations must be a list of relation names, not {names!r}")
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise UsageError("--relations is empty; name at least one relation, or leave it out to run all of them")
    chosen = []
    for name in names:
        relation = get_relation(name)  # raises the "did you mean" UsageError
        if language not in relation.languages:
            why = relation.unsupported.get(language, "not implemented")
            raise UsageError(f"relation {name} does not support {language}: {why}")
        chosen.append(name)
    return list(dict.fromkeys(chosen))


def _check_relation_options(options: dict[str, dict[str, str]], relations: list[str]) -> None:
    from .relations import get_relation

    for name, settings in options.items():
        if name not in relations:
            raise UsageError(f"--option {name}:...: relation {name!r} is not in this run "
                             f"(relations: {', '.join(relations)})")
        get_relation(name).check_options(dict(settings))


def _gates(conditions: list[str], relations: list[str]):
    from .gates import parse_gates

    return parse_gates(conditions, relations)
