"""AuditConfig: every setting of an audit, and ``validate()``, which checks them all up front.

Validation loads no data and no model, so a typo or an impossible setting fails in well under a
second instead of after the inference it would otherwise spoil. Each check lives here once; the
library functions that can be called on their own (``tasks.sample``, ``inference.predict_proba``)
guard their arguments by calling the same functions.

Each field's ``metadata`` is what the command line needs to offer it (``metacompress.cli.options``
turns the fields into the options of ``metacompress run``), so a new field is a new flag:

- ``help``: the option's help text;
- ``flag``: the long flag when it is not ``--field-name`` (``--option``, ``--quiet``);
- ``choices``: a function giving the accepted values, listed in ``--help`` (validate checks them);
- ``parse``: turns what the flag received (a string, or a tuple of them when repeatable) into
  the field's value; ``comma``: one comma-separated string instead of a repeatable flag;
- ``table``: a config file may give the field as a TOML table of key = value;
- ``path``: a config file's ``./`` or ``../`` value resolves against the file's folder;
- ``negate``: the flag sets the field to False (``--quiet`` turns ``progress`` off);
- ``cli``: False keeps the field off the command line.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from .checks import check_whole_number
from .errors import UsageError
from .renderers import AUDIT, REPORT_FORMATS, formats as renderer_formats

PRECISIONS = ("fp32", "fp16", "bf16")
DEVICES = ("auto", "cpu", "cuda", "cuda:N", "mps")
ROLES = ("teacher", "student")
#: task options that have flags of their own (--language, --code-field, --label-field)
OWN_FLAG_OPTIONS = ("language", "code_field", "label_field")


def _task_names() -> list[str]:
    from .tasks import TASKS

    return TASKS.names()


def _languages() -> tuple[str, ...]:
    from .code.parsing import LANGUAGES

    return LANGUAGES


def _pair_sides() -> list[str]:
    from .tasks.base import PAIR_SIDES

    return list(PAIR_SIDES)


def _task_options_help() -> str:
    from .tasks import TASKS

    takes = []
    for name in TASKS.usable():  # a broken task plugin must not take --help down
        keys = [key for key in TASKS.get(name).options if key not in OWN_FLAG_OPTIONS]
        takes.append(f"{name}: {', '.join(keys) if keys else 'none'}")
    return ("A data option of the task, KEY=VALUE; repeatable. " + "; ".join(takes) + ".")


def split_commas(value: str | list[str] | None) -> list[str] | None:
    """``a,b`` (or a list of names) as a list; None stays None."""
    if value is None or not isinstance(value, str):
        return value
    return value.split(",")


def parse_label_map(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``teacher=a,b`` or ``student=a,b`` for one model, plain ``a,b`` for both."""
    from .labels import parse_label_list

    result: dict[str, list[str]] = {}
    for value in values:
        role, sep, names = value.partition("=")
        if sep:
            result[role.strip()] = parse_label_list(names)
        else:
            result.update({r: parse_label_list(value) for r in ROLES})
    return result


def parse_relation_options(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``RELATION:KEY=VALUE`` strings as {relation: {key: value}}."""
    result: dict[str, dict[str, str]] = {}
    for value in values:
        relation, colon, setting = value.partition(":")
        key, equals, option_value = setting.partition("=")
        if not (colon and equals and relation and key):
            raise UsageError(f"--option {value!r}: expected RELATION:KEY=VALUE, e.g. rename-identifiers:style=words")
        result.setdefault(relation, {})[key] = option_value
    return result


def parse_task_options(values: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` strings as {key: value}; ``first-field`` is read as ``first_field``."""
    result: dict[str, str] = {}
    for value in values:
        key, equals, option_value = value.partition("=")
        if not (equals and key.strip()):
            raise UsageError(f"--task-option {value!r}: expected KEY=VALUE, e.g. pairs=test.txt")
        result[key.strip().replace("-", "_")] = option_value.strip()
    return result


@dataclass(kw_only=True)
class ModelSettings:
    """The two models and how they run."""

    teacher: str = field(metadata={
        "help": "Reference model: Hugging Face folder or hub id, or a model spec (.toml).", "path": True,
        "metavar": "MODEL"})
    student: str = field(metadata={"help": "Model under audit, in any of the same forms.", "path": True, "metavar": "MODEL"})
    batch_size: int = field(default=32, metadata={"help": "Inputs per forward pass."})
    device: str = field(default="auto", metadata={
        "help": "Where the models run (auto: CUDA, then Apple MPS, then CPU).", "choices": lambda: DEVICES, "metavar": "DEVICE"})
    precision: str = field(default="fp32", metadata={
        "help": "fp16/bf16 need a GPU.", "choices": lambda: PRECISIONS, "metavar": "NAME"})
    cache: str | None = field(default=None, metadata={
        "help": "Prediction store: model outputs are read from and saved to this SQLite file, so a teacher "
                "is computed once and an interrupted run resumes (default: $XDG_CACHE_HOME/metacompress/"
                "predictions.sqlite, else ~/.cache/metacompress/predictions.sqlite).",
        "path": True, "metavar": "PATH"})
    no_cache: bool = field(default=False, metadata={"help": "Run every model input; neither read nor write the prediction store."})
    label_map: dict[str, list[str]] = field(default_factory=dict, metadata={  # role -> names per output index
        "help": "Output label names per index, e.g. 'student=vulnerable,not-vulnerable'; repeatable.",
        "parse": parse_label_map, "metavar": "[ROLE=]NAMES"})
    model_root: str | None = field(default=None, metadata={
        "help": "Folder that model specs' relative paths resolve against.", "path": True, "metavar": "DIR"})
    trust_remote_code: bool = field(default=False, metadata={
        "help": "Allow Hugging Face models that ship their own code."})


@dataclass(kw_only=True)
class DataSettings:
    """What is read and how it is rewritten: task, data, sample, relations."""

    task: str = field(metadata={"help": "What the models predict; it fixes the data format and the labels.", "choices": _task_names,
        "metavar": "NAME"})
    data: str = field(metadata={"help": "Data file, or a folder of data files.", "path": True, "metavar": "PATH"})
    relations: list[str] | None = field(default=None, metadata={  # None: every relation that supports the language
        "help": "Comma-separated relation names (default: all for the language; see `metacompress relations`).",
        "comma": True, "parse": split_commas, "metavar": "NAMES"})
    language: str | None = field(default=None, metadata={  # None: the task's default
        "help": "Code language (default: the task's; code-classification needs one).", "choices": _languages, "metavar": "NAME"})
    limit: int | None = field(default=None, metadata={"help": "Audit a seeded random sample of this many examples.", "metavar": "N"})
    seed: int = field(default=0, metadata={"help": "Seed for sampling, rewriting and bootstrap intervals."})
    rewrites: int = field(default=1, metadata={
        "help": "Independent rewrites per input and relation, each with its own derived seed; rates become "
                "the expected rate over the relation's rewrites (1: one rewrite, with --seed itself).",
        "metavar": "K"})
    pair_side: str = field(default="both", metadata={
        "help": "Pair tasks (clone detection): which function(s) of a pair relations rewrite.",
        "choices": _pair_sides, "metavar": "SIDE"})
    code_field: str | None = field(default=None, metadata={"help": "Field holding the code (default: the task's).", "metavar": "FIELD"})
    label_field: str | None = field(default=None, metadata={
        "help": "Field holding the label (default: the task's); labels are optional.", "metavar": "FIELD"})
    relation_options: dict[str, dict[str, str]] = field(default_factory=dict, metadata={
        "help": "Relation option, e.g. rename-identifiers:style=words; repeatable.", "flag": "--option",
        "parse": parse_relation_options, "metavar": "RELATION:KEY=VALUE"})
    task_options: dict[str, str] = field(default_factory=dict, metadata={
        "help": _task_options_help, "flag": "--task-option", "parse": parse_task_options, "table": True,
        "metavar": "KEY=VALUE"})


@dataclass(kw_only=True)
class JudgingSettings:
    """How outputs are judged: thresholds, intervals, gates."""

    js_threshold: float = field(default=0.1, metadata={
        "help": "Jensen-Shannon distance above which T(x') and S(x') differ."})
    confidence: float = field(default=0.9, metadata={
        "help": "Confidence threshold tau for high-confidence preservation."})
    ece_bins: int = field(default=10, metadata={"help": "Bins of the expected calibration error."})
    bootstrap: int = field(default=1000, metadata={  # 0: no intervals
        "help": "Bootstrap resamples for the 95% intervals (0: no intervals)."})
    p_adjust: str = field(default="holm", metadata={
        "help": "Multiplicity adjustment of the per-relation McNemar p-values: holm (family-wise error) "
                "or bh (Benjamini-Hochberg false discovery rate).", "choices": lambda: ("holm", "bh"), "metavar": "METHOD"})
    fail_on: list[str] = field(default_factory=list, metadata={
        "help": "Gate, e.g. 'discrepancy_rate>0.10' or 'swap-if-else:student_flip_rate>0.05'; repeatable.",
        "metavar": "CONDITION"})

    def __post_init__(self) -> None:
        if isinstance(self.fail_on, str):  # one gate given as a plain string
            self.fail_on = [self.fail_on]


@dataclass(kw_only=True)
class OutputSettings:
    """Where a command writes (run, attack and compare)."""

    out: str | None = field(default=None, metadata={
        "help": "Report folder (default: runs/<task>-<time>).", "path": True, "metavar": "DIR"})
    overwrite: bool = field(default=False, metadata={"help": "Replace a previous report in --out."})


@dataclass(kw_only=True)
class ReportSettings:
    """What run writes and shows (attack's files and terminal are fixed)."""

    formats: list[str] = field(default_factory=lambda: list(REPORT_FORMATS), metadata={
        "help": "Comma-separated files to write: json (report.json, always), csv (samples.csv and rewrites.jsonl), "
                "md (report.md), html (report.html).", "flag": "--format", "comma": True, "parse": split_commas,
        "metavar": "FORMATS"})
    progress: bool = field(default=True, metadata={"help": "No progress bars.", "flag": "--quiet", "negate": True})


#: report.json's ``run.config`` order (each command records the settings it has, in this order, then
#: its own): the fields' order before settings were split by concern, kept so reports read the same
RECORDED_ORDER = (
    "teacher", "student", "task", "data", "out", "overwrite", "relations", "language", "limit", "seed",
    "rewrites", "pair_side", "code_field", "label_field", "batch_size", "device", "precision", "cache",
    "no_cache", "js_threshold", "confidence", "ece_bins", "bootstrap", "p_adjust", "fail_on", "label_map",
    "relation_options", "task_options", "model_root", "trust_remote_code", "formats", "progress", "command",
)


def recorded_settings(config: Any, left_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A command's settings, flat, in ``RECORDED_ORDER`` and then its own fields' order."""
    values = asdict(config)
    ordered = [k for k in RECORDED_ORDER if k in values] + [k for k in values if k not in RECORDED_ORDER]
    return {k: values[k] for k in ordered if k not in left_out}


# The bases are listed in reverse: a dataclass's fields start with its last base's.
@dataclass(kw_only=True)
class AuditConfig(ReportSettings, OutputSettings, JudgingSettings, DataSettings, ModelSettings):
    """Everything that determines an audit's figures (all of it is recorded in report.json), by
    concern: ``ModelSettings``, ``DataSettings``, ``JudgingSettings``, ``OutputSettings`` and
    ``ReportSettings`` (``AttackConfig`` shares all but the last)."""

    command: str = field(default="", metadata={"cli": False})


    def validate(self) -> "Plan":
        """Check every setting without loading data or models; UsageError names the first bad one."""
        from .outdir import check_out

        self.formats = check_formats(self.formats)
        task, language, load_options, relations = check_shared(self, lambda lang: select_relations(self.relations, lang))
        gates = _gates(self.fail_on, relations)
        sides = task.rewrite_sides(self.pair_side)
        out = check_out(self.out, self.overwrite) if self.out is not None else None
        return Plan(task, language, relations, sides, gates, out, load_options)


def check_shared(config: AuditConfig, choose_relations: Callable[[str], list[str]]) -> tuple[Any, str, dict[str, str], list[str]]:
    """The checks of every setting ``run`` and ``attack`` share, in one place so that neither
    accepts what the other refuses: numbers, paths, device, precision, gates' form, label map,
    the prediction store, task, language, task options, relations and their options.
    ``choose_relations(language)`` picks the command's relations. Returns (task, language,
    load options, relations)."""
    _check_numbers(config)
    _check_choices(config)
    _check_label_map(config.label_map)
    _check_cache(config)
    task, language = _task_and_language(config)
    load_options = task_load_options(config, task, language)
    relations = choose_relations(language)
    _check_relation_options(config.relation_options, relations)
    return task, language, load_options, relations


@dataclass
class Plan:
    """What validation resolved: the task object, language, relations, gates and out folder."""

    task: Any
    language: str
    relations: list[str]
    sides: tuple[int, ...]
    gates: list[Any]
    out: Path | None
    load_options: dict[str, Any] = field(default_factory=dict)  # what task.load gets


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_device(name: Any) -> str:
    """The device name, normalised (``CUDA:1`` -> ``cuda:1``); UsageError unless it is one of DEVICES."""
    device = str(name).strip().lower()
    if device not in DEVICES and not (device.startswith("cuda:") and device[5:].isdigit()):
        raise UsageError(f"--device must be {', '.join(DEVICES[:-1])} or {DEVICES[-1]}, not {name!r}")
    return device


def check_precision(name: Any) -> None:
    if name not in PRECISIONS:
        raise UsageError(f"--precision must be one of {', '.join(PRECISIONS)}, not {name!r}")


def _check_numbers(config: AuditConfig) -> None:
    integers = {"--seed": (config.seed, 0), "--bootstrap": (config.bootstrap, 0),
                "--batch-size": (config.batch_size, 1), "--ece-bins": (config.ece_bins, 1), "--rewrites": (config.rewrites, 1)}
    if config.limit is not None:
        integers["--limit"] = (config.limit, 1)
    for flag, (value, least) in integers.items():
        check_whole_number(flag, value, least)
    if not _is_number(config.confidence) or not 0 < config.confidence <= 1:
        raise UsageError(f"--confidence must be a number in (0, 1], not {config.confidence!r}")
    if not _is_number(config.js_threshold) or not 0 <= config.js_threshold <= 1:
        raise UsageError(f"--js-threshold must be a number in [0, 1], not {config.js_threshold!r}")


def _check_choices(config: AuditConfig) -> None:
    for flag, value in (("--teacher", config.teacher), ("--student", config.student), ("--data", config.data)):
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{flag} must name a path, not {value!r}")
    check_precision(config.precision)
    if config.p_adjust not in ("holm", "bh"):
        raise UsageError(f"--p-adjust must be holm or bh, not {config.p_adjust!r}")
    check_device(config.device)
    if not isinstance(config.fail_on, (list, tuple)) or not all(isinstance(g, str) for g in config.fail_on):
        raise UsageError(f"--fail-on must be a list of conditions, not {config.fail_on!r}")


def check_formats(formats: Any) -> list[str]:
    """The report files to write: known names, json among them (every other view derives from it)."""
    known = renderer_formats(AUDIT)
    if isinstance(formats, str) or not isinstance(formats, (list, tuple)) or not all(isinstance(f, str) for f in formats):
        raise UsageError(f"--format must be a list of formats ({', '.join(known)}), not {formats!r}")
    chosen = [f.strip().lower() for f in formats if f.strip()]
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise UsageError(f"--format {','.join(formats)}: unknown format {unknown[0]!r} (choose from {', '.join(known)})")
    if "json" not in chosen:
        raise UsageError(f"--format {','.join(formats)}: must include json (report.json is the record the other files are views of)")
    return list(dict.fromkeys(chosen))


def _check_cache(config: AuditConfig) -> None:
    if config.cache is not None and (not isinstance(config.cache, str) or not config.cache.strip()):
        raise UsageError(f"--cache must name a file, not {config.cache!r}")
    if config.cache is not None and config.no_cache:
        raise UsageError("--cache and --no-cache contradict each other; give one of them")


def _check_label_map(label_map: dict[str, list[str]]) -> None:
    for role, names in label_map.items():
        if role not in ROLES:
            raise UsageError(f"--label-map: unknown role {role!r}; use teacher=NAMES or student=NAMES")
        if not names or not all(isinstance(n, str) and n for n in names):
            raise UsageError(f"--label-map {role}: expected label names, one per output index, not {names!r}")


def _task_and_language(config: AuditConfig):
    from .tasks import get_task
    from .tasks.formats import check_language

    task = get_task(config.task)  # raises the "did you mean" UsageError
    return task, check_language(task.name, config.language, task.default_language)


def task_load_options(config: AuditConfig, task, language: str) -> dict[str, str]:
    """What ``task.load`` gets: the language, --code-field, --label-field and every --task-option.

    UsageError for a key the task does not declare in ``Task.options`` (naming the options it
    takes), or for a task option that has a flag of its own.
    """
    from .tasks.formats import check_options

    options = {"language": language}
    for name in ("code_field", "label_field"):
        if getattr(config, name):
            options[name] = getattr(config, name)
    if not isinstance(config.task_options, dict):
        raise UsageError(f"--task-option must be a mapping of KEY to VALUE, not {config.task_options!r}")
    for key, value in config.task_options.items():
        if key in OWN_FLAG_OPTIONS:
            raise UsageError(f"--task-option {key}: set it with --{key.replace('_', '-')} instead")
        if not isinstance(value, str):
            raise UsageError(f"--task-option {key}: the value must be a string, not {value!r}")
        options[key] = value
    check_options(task.name, options, task.options)
    return options


def select_relations(names: list[str] | None, language: str) -> list[str]:
    """The relations of the run: all that support the language (None), or the ones named."""
    from .relations import RELATIONS, get_relation

    if names is None:
        return [n for n in RELATIONS.usable() if language in get_relation(n).languages]  # a broken plugin is left out
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise UsageError(f"--relations must be a list of relation names, not {names!r}")
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise UsageError("--relations is empty; name at least one relation, or leave it out to run all of them")
    for name in names:
        get_relation(name).check_language(language)  # raises "did you mean", or why the language is unsupported
    return list(dict.fromkeys(names))


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
