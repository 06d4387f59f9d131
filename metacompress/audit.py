"""run_audit(config) -> AuditResult: the whole teacher-versus-student audit, one call.

Data flows one way: load the task's data and both models, rewrite every sampled example with
every selected relation, run both models once over every distinct input, compare, report.
The CLI's ``run`` command is a thin wrapper around this function; a notebook calls it directly.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .config import AuditConfig, Plan
from .errors import InputError
from .labels import align
from .rewriting import RewrittenExample, rewrite_all

__all__ = ["AuditConfig", "AuditResult", "run_audit"]

SHOWN_SKIPS = 200  # skipped records listed one by one in report.json (all are counted)


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
    """Validate every setting, then (holding ``--out``) load, rewrite, infer, judge and write."""
    plan = config.validate()  # everything checkable without loading anything: a typo fails in milliseconds
    if plan.out is None:
        return _audit(config, plan)
    from .outdir import check_out, lock_out

    with lock_out(plan.out):
        check_out(config.out, config.overwrite)  # again: another run may have written it meanwhile
        return _audit(config, plan)


def _audit(config: AuditConfig, plan: Plan) -> AuditResult:
    from .gates import GateResult
    from .report import build_report
    from .tasks import sample

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    task, language, relations = plan.task, plan.language, plan.relations
    _check_device(config)

    data = task.load(config.data, **_load_options(config, task, language))
    examples = sample(data.examples, config.limit, config.seed)
    if not examples:
        raise InputError(f"{config.data}: no usable examples")
    timings["load_data"] = _lap(clock)

    teacher, student = _load_models(config, data.label_names)
    timings["load_models"] = _lap(clock) - timings["load_data"]

    start = time.perf_counter()
    both_see = _both_see(task, teacher, student, examples)
    rewrites = rewrite_all(examples, relations, language, plan.sides, config.seed, config.relation_options,
                           config.progress, visible=both_see)
    timings["transform"] = time.perf_counter() - start

    start = time.perf_counter()
    predictions = _infer(config, task, examples, rewrites, teacher, student)
    examples, rewrites, predictions = _drop_failed(examples, rewrites, predictions, data.skipped)
    timings["inference"] = time.perf_counter() - start

    start = time.perf_counter()
    samples = _samples_table(config, examples, relations, rewrites, predictions)
    run = _run_metadata(config, task, language, relations, data, examples, predictions, teacher, student)
    report = build_report(
        samples,
        run=run,
        thresholds=_thresholds(config),
        gates=plan.gates,
        seed=config.seed,
        n_bootstrap=config.bootstrap,
    )
    timings["compare"] = time.perf_counter() - start
    timings["total"] = _lap(clock)
    run["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    report["run"] = run

    if plan.out is not None:
        from .outdir import publish
        from .report import write_reports

        publish(plan.out, lambda folder: write_reports(folder, report, samples))
    gate_results = [GateResult(**{k: v for k, v in g.items() if k != "status"}) for g in report["gates"]]
    return AuditResult(report, samples, plan.out, gate_results)


def _thresholds(config: AuditConfig):
    from .metrics import Thresholds

    return Thresholds(js_distance=config.js_threshold, confidence=config.confidence, ece_bins=config.ece_bins)


def _lap(clock: float) -> float:
    return time.perf_counter() - clock


def _check_device(config: AuditConfig) -> None:
    """Whether the device and precision exist here, before any data or model loads."""
    from .inference import resolve_device, resolve_precision

    resolve_precision(config.precision, resolve_device(config.device))


def _both_see(task, teacher, student, examples):
    from .visibility import BothSee

    return BothSee(task, [teacher[0], student[0]], examples)


def _load_options(config: AuditConfig, task, language: str) -> dict[str, Any]:
    """The data options the user set (--language, --code-field, --label-field, --task-option)."""
    from .config import task_load_options

    return task_load_options(config, task, language)


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
            "failed": getattr(predicted, "failed", {}),
        }
    return results


def _drop_failed(examples, rewrites, predictions, skipped):
    """Leave out what a model could not take (its tokenizer failed): an original drops its example,
    counted with the data's skipped records; a rewrite becomes a skipped row with the reason."""
    from dataclasses import replace

    from .tasks import Skipped

    failed: dict[int, str] = {}
    for role in ("teacher", "student"):
        for index, why in predictions[role]["failed"].items():
            failed.setdefault(index, f"{role}: {why}")
    if not failed:
        return examples, rewrites, predictions
    count = len(examples)
    dropped = {i for i in failed if i < count}
    for i in sorted(dropped):
        skipped.append(Skipped(examples[i].id, f"cannot be given to the models: {failed[i]}"))
    keep = [i for i in range(count) if i not in dropped]
    if not keep:
        raise InputError(f"no example could be given to the models; first problem: {failed[min(dropped)]}")
    position = {old: new for new, old in enumerate(keep)}
    kept_rows, kept_rewrites, row = [], [], 0
    for rewrite in rewrites:
        if rewrite.applied:
            row += 1
        if rewrite.example_index in dropped:
            continue
        moved = replace(rewrite, example_index=position[rewrite.example_index])
        if rewrite.applied and count + row - 1 in failed:
            reason = f"skipped: the rewrite cannot be given to the models: {failed[count + row - 1]}"
            moved = replace(moved, applied=False, code=examples[rewrite.example_index].code, reason=reason,
                            sides=(), sites="")
        elif rewrite.applied:
            kept_rows.append(row - 1)
        kept_rewrites.append(moved)
    for role in ("teacher", "student"):
        p = predictions[role]
        for key in ("original", "truncated_original", "digest_original"):
            p[key] = p[key][keep]
        for key in ("rewritten", "truncated_rewritten", "digest_rewritten"):
            p[key] = p[key][kept_rows]
    return [examples[i] for i in keep], kept_rewrites, predictions


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
            "skipped_records": [{"where": s.where, "reason": s.reason} for s in data.skipped[:SHOWN_SKIPS]],
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
