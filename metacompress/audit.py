"""run_audit(config) -> AuditResult: the whole teacher-versus-student audit, one call.

Data flows one way: load the task's data and both models, rewrite every sampled example with
every selected relation, run both models once over every distinct input, compare, report.
The CLI's ``run`` command is a thin wrapper around this function; a notebook calls it directly.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import InputError, UsageError
from .labels import align
from .relations import RELATIONS, get_relation
from .rewriting import RewrittenExample, rewrite_all


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
    bootstrap: int = 1000
    fail_on: list[str] = field(default_factory=list)
    label_map: dict[str, list[str]] = field(default_factory=dict)  # role -> names per output index
    relation_options: dict[str, dict[str, str]] = field(default_factory=dict)
    model_root: str | None = None
    trust_remote_code: bool = False
    progress: bool = True
    command: str = ""


@dataclass
class AuditResult:
    report: dict[str, Any]
    samples: Any  # pandas.DataFrame, one row per input x relation
    out_dir: Path | None
    gates: list[Any]

    @property
    def gate_breached(self) -> bool:
        return any(g.holds for g in self.gates)


def run_audit(config: AuditConfig) -> AuditResult:
    from .gates import GateResult, parse_gates
    from .report import build_report, write_reports
    from .tasks import get_task, sample

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    # Everything that can be checked without loading anything, so a typo fails in milliseconds.
    task = get_task(config.task)
    language = config.language or task.default_language
    if not language:
        raise UsageError(f"task {task.name} needs --language (c, java or python)")
    relations = _select_relations(config.relations, language)
    sides = task.rewrite_sides(config.pair_side) if task.is_pair else (0,)
    gates = parse_gates(config.fail_on, relations)
    out_dir = _prepare_out(config.out, config.overwrite)
    _check_settings(config)

    data = task.load(config.data, **_load_options(config, task, language))
    examples = sample(data.examples, config.limit, config.seed)
    if not examples:
        raise InputError(f"{config.data}: no usable examples")
    timings["load_data"] = _lap(clock)

    teacher, student = _load_models(config, data.label_names)
    timings["load_models"] = _lap(clock) - timings["load_data"]

    start = time.perf_counter()
    both_see = _both_see(task, teacher, student, examples)
    rewrites = rewrite_all(examples, relations, language, sides, config.seed, config.relation_options,
                           config.progress, visible=both_see)
    timings["transform"] = time.perf_counter() - start

    start = time.perf_counter()
    predictions = _infer(config, task, examples, rewrites, teacher, student)
    timings["inference"] = time.perf_counter() - start

    start = time.perf_counter()
    samples = _samples_table(config, examples, relations, rewrites, predictions)
    run = _run_metadata(config, task, language, relations, data, examples, predictions, teacher, student)
    report = build_report(
        samples,
        run=run,
        thresholds=_thresholds(config),
        gates=gates,
        seed=config.seed,
        n_bootstrap=config.bootstrap,
    )
    timings["compare"] = time.perf_counter() - start
    timings["total"] = _lap(clock)
    run["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    report["run"] = run

    if out_dir is not None:
        write_reports(out_dir, report, samples)
    gate_results = [GateResult(**{k: v for k, v in g.items() if k != "status"}) for g in report["gates"]]
    return AuditResult(report, samples, out_dir, gate_results)


def _thresholds(config: AuditConfig):
    from .metrics import Thresholds

    return Thresholds(js_distance=config.js_threshold, confidence=config.confidence, ece_bins=config.ece_bins)


def _lap(clock: float) -> float:
    return time.perf_counter() - clock


def _select_relations(names: list[str] | None, language: str) -> list[str]:
    if not names:
        return [n for n in RELATIONS.names() if language in get_relation(n).languages]
    chosen = []
    for name in names:
        relation = get_relation(name)  # raises the "did you mean" UsageError
        if language not in relation.languages:
            why = relation.unsupported.get(language, "not implemented")
            raise UsageError(f"relation {name} does not support {language}: {why}")
        chosen.append(name)
    return list(dict.fromkeys(chosen))


def _prepare_out(out: str | None, overwrite: bool) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if (path / "report.json").exists() and not overwrite:
        raise UsageError(f"--out {out}: holds a previous report; pass --overwrite or choose another folder")
    return path


def _check_settings(config: AuditConfig) -> None:
    if config.pair_side not in ("first", "second", "both"):
        raise UsageError(f"--pair-side must be first, second or both, not {config.pair_side!r}")
    if config.limit is not None and config.limit < 1:
        raise UsageError(f"--limit must be at least 1, not {config.limit}")
    if config.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, not {config.batch_size}")
    if not 0 < config.confidence <= 1:
        raise UsageError(f"--confidence must be in (0, 1], not {config.confidence}")
    if not 0 <= config.js_threshold <= 1:
        raise UsageError(f"--js-threshold must be in [0, 1], not {config.js_threshold}")
    unknown_roles = set(config.label_map) - {"teacher", "student"}
    if unknown_roles:
        raise UsageError(f"--label-map: unknown role {sorted(unknown_roles)[0]!r} (use teacher= or student=)")


def _both_see(task, teacher, student, examples):
    from .visibility import BothSee

    return BothSee(task, [teacher[0], student[0]], examples)


def _load_options(config: AuditConfig, task, language: str) -> dict[str, Any]:
    """Pass the data options the user set; a task that does not take one says so itself."""
    options: dict[str, Any] = {"language": language}
    if config.code_field:
        options["code_field"] = config.code_field
    if config.label_field:
        options["label_field"] = config.label_field
    return options


def _load_models(config: AuditConfig, task_labels: tuple[str, ...]):
    from .models import load_model

    loaded = []
    for role, source in (("teacher", config.teacher), ("student", config.student)):
        model = load_model(source, model_root=config.model_root, trust_remote_code=config.trust_remote_code)
        names = config.label_map.get(role) or model.info.labels
        order = align(names, task_labels, f"{role} ({source})")
        loaded.append((model, order))
    return loaded


def _infer(config, task, examples, rewrites, teacher, student) -> dict[str, dict[str, np.ndarray]]:
    """Both models over originals and every applied rewrite; probabilities in task label order."""
    from .inference import InferenceSettings, predict_proba

    inputs = [task.model_input(e.code) for e in examples]
    applied = [r for r in rewrites if r.applied]
    inputs += [task.model_input(r.code) for r in applied]
    results: dict[str, dict[str, np.ndarray]] = {}
    for role, (model, order) in (("teacher", teacher), ("student", student)):
        settings = InferenceSettings(
            batch_size=config.batch_size,
            device=config.device,
            precision=config.precision,
            progress=config.progress,
            description=role,
        )
        predicted = predict_proba(model, inputs, settings)
        probs = predicted.probs[:, order]
        results[role] = {
            "original": probs[: len(examples)],
            "rewritten": probs[len(examples) :],
            "truncated_original": predicted.truncated[: len(examples)],
            "truncated_rewritten": predicted.truncated[len(examples) :],
            "digest_original": predicted.digests[: len(examples)],
            "digest_rewritten": predicted.digests[len(examples) :],
            "distinct_sequences": predicted.distinct_sequences,
            "seconds": predicted.seconds,
            "device": getattr(predicted, "device", config.device),
        }
    return results


def _samples_table(config, examples, relations, rewrites: list[RewrittenExample], predictions):
    """One row per example x relation with both models' probabilities: everything judging needs."""
    from .metrics import concat_samples, relation_samples, skipped_samples

    thresholds = _thresholds(config)
    teacher, student = predictions["teacher"], predictions["student"]
    labelled = all(e.label is not None for e in examples)
    rewritten_row = {id(r): k for k, r in enumerate(r for r in rewrites if r.applied)}
    frames = []
    for relation in relations:
        mine = [r for r in rewrites if r.relation == relation]
        for applied in (True, False):
            group = [r for r in mine if r.applied == applied]
            if not group:
                continue
            index = [r.example_index for r in group]
            ids = [examples[i].id for i in index]
            labels = [examples[i].label for i in index] if labelled else None
            extra = _extra_columns(examples, group, predictions, rewritten_row)
            if applied:
                rows = [rewritten_row[id(r)] for r in group]
                frames.append(relation_samples(
                    relation, ids, teacher["original"][index], teacher["rewritten"][rows],
                    student["original"][index], student["rewritten"][rows], labels,
                    thresholds=thresholds, extra=extra,
                ))
            else:
                frames.append(skipped_samples(
                    relation, ids, [r.reason for r in group], labels,
                    T_x=teacher["original"][index], S_x=student["original"][index], extra=extra,
                ))
    return concat_samples(frames)


def _extra_columns(examples, group, predictions, rewritten_row) -> dict[str, list]:
    def truncated(r: RewrittenExample) -> bool:
        flags = [predictions[m]["truncated_original"][r.example_index] for m in ("teacher", "student")]
        if r.applied:
            flags += [predictions[m]["truncated_rewritten"][rewritten_row[id(r)]] for m in ("teacher", "student")]
        return bool(any(flags))

    def sees(model: str, r: RewrittenExample) -> bool | None:
        if not r.applied:
            return None
        outputs = predictions[model]
        return bool(outputs["digest_original"][r.example_index] != outputs["digest_rewritten"][rewritten_row[id(r)]])

    return {
        "teacher_sees_rewrite": [sees("teacher", r) for r in group],
        "student_sees_rewrite": [sees("student", r) for r in group],
        "window_retry": [r.window_retry for r in group],
        "rewritten_sides": [",".join(str(s) for s in r.sides) for r in group],
        "sites": [r.sites for r in group],
        "truncated": [truncated(r) for r in group],
        "original_code": [_show(examples[r.example_index].code) for r in group],
        "rewritten_code": [_show(r.code) if r.applied else "" for r in group],
    }


def _show(code: tuple[str, ...]) -> str:
    return code[0] if len(code) == 1 else "\n// ---- second function of the pair ----\n".join(code)


def _run_metadata(config, task, language, relations, data, examples, predictions, teacher, student) -> dict[str, Any]:
    skipped: dict[str, int] = {}
    for item in data.skipped:
        skipped[item.reason] = skipped.get(item.reason, 0) + 1
    models = {}
    for role, (model, order) in (("teacher", teacher), ("student", student)):
        info = asdict(model.info)
        info["label_order_used"] = [info["labels"][i] for i in order]
        info["truncated_inputs"] = {
            "original": int(np.sum(predictions[role]["truncated_original"])),
            "rewritten": int(np.sum(predictions[role]["truncated_rewritten"])),
        }
        info["distinct_sequences_encoded"] = int(predictions[role]["distinct_sequences"])
        info["inference_seconds"] = round(float(predictions[role]["seconds"]), 3)
        models[role] = info
    return {
        "command": config.command,
        "config": {k: v for k, v in asdict(config).items() if k not in ("command", "progress")},
        "seed": config.seed,
        "task": task.name,
        "language": language,
        "relations": relations,
        "label_names": list(data.label_names),
        "data": {
            "path": config.data,
            "files": data.files,
            "records_loaded": len(data.examples),
            "records_skipped": len(data.skipped),
            "skip_reasons": skipped,
            "examples_audited": len(examples),
            "labelled": all(e.label is not None for e in examples),
        },
        "models": models,
        "device": str(predictions["teacher"]["device"]),
        "precision": config.precision,
        "versions": _versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _versions() -> dict[str, str]:
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
