"""run_audit(config) -> AuditResult: the whole teacher-versus-student audit, one call.

Data flows one way: load the task's data and both models, rewrite every sampled example with
every selected relation, run both models once over every distinct input, compare, report.
The CLI's ``run`` command is a thin wrapper around this function; a notebook calls it directly.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .config import AuditConfig, recorded_settings
from .context import (GatedResult, LoadedModel, RunContext, check_device, count_reasons, first_skipped, load_models,
                      package_versions, run_in_context)
from .distributed import rewrite_all  # rewriting.rewrite_all, sharded when launched by accelerate
from .errors import InputError
from .outputs import ModelOutputs, Outputs
from .rewriting import RewrittenExample

__all__ = ["AuditConfig", "AuditResult", "run_audit"]

#: settings that change how a run goes, not its figures: left out of report.json's config
RUN_ONLY_SETTINGS = ("command", "progress", "cache", "no_cache")


@dataclass
class AuditResult(GatedResult):
    """What ``run_audit`` returns.

    report: the typed report (``metacompress.report.Report``): attribute access, e.g.
        ``result.report.all_relations.metrics["discrepancy_rate"].value``; ``report.to_dict()``
        is the report.json document.
    samples: the samples table (pandas.DataFrame), one row per input x relation.
    out_dir: where the files were written (None without ``out``).
    Under ``accelerate launch`` only the main process judges and writes: on the others all
    three are None (``metacompress.distributed``).
    """

    report: Any  # metacompress.report.Report (imported lazily: it needs pandas)
    samples: Any  # pandas.DataFrame
    out_dir: Path | None


@dataclass
class Audited:
    """What the run recorded about itself: the facts ``run`` in report.json is built from."""

    task: str
    language: str
    relations: list[str]
    data: Any  # the task's loaded data (examples, label names, files, skipped records)
    examples: list[Any]
    models: dict[str, LoadedModel]
    outputs: Outputs


def run_audit(config: AuditConfig) -> AuditResult:
    """Validate every setting, then (holding ``--out``) load, rewrite, infer, judge and write."""
    return run_in_context(config, None, lambda context: _audit(config, context))


def _audit(config: AuditConfig, context: RunContext) -> AuditResult:
    from .metrics import judge
    from .report import Report
    from .tasks import sample

    plan, team = context.plan, context.team
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    task, language, relations = plan.task, plan.language, plan.relations
    check_device(config)
    with context.store(config, shared=True):  # a corrupt or locked --cache fails now, before any data or model loads
        pass

    data = task.load(config.data, **plan.load_options)
    examples = sample(data.examples, config.limit, config.seed)
    if not examples:
        raise InputError(f"{config.data}: no usable examples")
    timings["load_data"] = _lap(clock)

    models = load_models(config, data.label_names)
    context.freeze_heap()
    timings["load_models"] = _lap(clock) - timings["load_data"]

    start = time.perf_counter()
    both_see = _both_see(task, models["teacher"], models["student"], examples)
    rewrites = rewrite_all(examples, relations, language, plan.sides, config.seed, config.relation_options,
                           config.progress, visible=both_see, team=team, rewrites=config.rewrites)
    timings["transform"] = time.perf_counter() - start

    start = time.perf_counter()
    with context.store(config, shared=True) as store:
        outputs = _infer(config, task, examples, rewrites, models, store, team, both_see.tokens)
    if not team.is_main:
        return AuditResult(None, None, None)  # the main process judges and writes the report
    examples, rewrites, outputs = _drop_failed(examples, rewrites, outputs, data.skipped)
    timings["inference"] = time.perf_counter() - start

    start = time.perf_counter()
    samples = _samples_table(config, examples, relations, rewrites, outputs)
    run = _run_info(config, Audited(task.name, language, relations, data, examples, models, outputs))
    judgement = judge(samples, thresholds=_thresholds(config), gates=plan.gates, seed=config.seed,
                      n_bootstrap=config.bootstrap, p_adjust=config.p_adjust,
                      cluster_by="function" if task.is_pair else "example_id")
    timings["compare"] = time.perf_counter() - start
    timings["total"] = _lap(clock)
    run.timings_s = {k: round(v, 3) for k, v in timings.items()}
    report = Report.of(judgement, run)

    if plan.out is not None:
        from .outdir import publish
        from .report import write_reports

        publish(plan.out, lambda folder: write_reports(folder, report, samples, config.formats))
    return AuditResult(report, samples, plan.out)


def _thresholds(config: AuditConfig):
    from .metrics import Thresholds

    return Thresholds(js_distance=config.js_threshold, confidence=config.confidence, ece_bins=config.ece_bins)


def _lap(clock: float) -> float:
    return time.perf_counter() - clock


def _both_see(task, teacher: LoadedModel, student: LoadedModel, examples):
    from .visibility import BothSee

    return BothSee(task, [teacher.model, student.model], examples)


def _infer(config, task, examples, rewrites: list[RewrittenExample], models: dict[str, LoadedModel], store,
           team, tokens=lambda model: None) -> Outputs:
    """Both models over originals and every applied rewrite (by row); probabilities in task label order.
    ``tokens(model)``: what the rewriting stage already tokenised for it (``inference.UnitTokens``).

    Each model's prediction path is built once (``store.stored_predictor``): sharded over ``team``,
    behind the prediction store, whose outputs are taken and new ones saved batch by batch."""
    from .inference import InferenceSettings
    from .store import stored_predictor

    applied = sorted((r for r in rewrites if r.applied), key=lambda r: r.row)
    inputs = [task.model_input(e.code) for e in examples] + [task.model_input(r.code) for r in applied]
    count = len(examples)
    results: dict[str, ModelOutputs] = {}
    for role, loaded in models.items():
        settings = InferenceSettings(
            batch_size=config.batch_size,
            device=config.device,
            precision=config.precision,
            progress=config.progress,
            description=role,
            tokens=tokens(loaded.model),
        )
        predicted, counts = stored_predictor(loaded.model, settings, store, team).predict(inputs)
        probs = predicted.probs[:, loaded.order]
        results[role] = ModelOutputs(
            original=probs[:count],
            rewritten=probs[count:],
            truncated_original=predicted.truncated[:count],
            truncated_rewritten=predicted.truncated[count:],
            digest_original=predicted.digests[:count],
            digest_rewritten=predicted.digests[count:],
            distinct_sequences=predicted.distinct_sequences,
            seconds=predicted.seconds,
            device=getattr(predicted, "device", config.device),
            failed=dict(getattr(predicted, "failed", {})),
            from_store=counts.from_store,
            computed=counts.computed,
        )
    return Outputs(teacher=results["teacher"], student=results["student"])


def _drop_failed(examples, rewrites: list[RewrittenExample], outputs: Outputs, skipped):
    """Leave out what a model could not take (its tokenizer failed): an original drops its example,
    counted with the data's skipped records; a rewrite becomes a skipped row with the reason.
    Kept rewrites are renumbered (example index, row) to match the outputs kept."""
    from .tasks import Skipped

    failed = outputs.failures()
    if not failed:
        return examples, rewrites, outputs
    count = len(examples)
    dropped = {i for i in failed if i < count}
    for i in sorted(dropped):
        skipped.append(Skipped(examples[i].id, f"cannot be given to the models: {failed[i]}"))
    keep = [i for i in range(count) if i not in dropped]
    if not keep:
        raise InputError(f"no example could be given to the models; first problem: {failed[min(dropped)]}")
    position = {old: new for new, old in enumerate(keep)}
    kept_rows: list[int] = []
    kept_rewrites = []
    for rewrite in rewrites:
        if rewrite.example_index in dropped:
            continue
        moved = replace(rewrite, example_index=position[rewrite.example_index])
        why = failed.get(count + rewrite.row) if rewrite.applied else None
        if why is not None:
            moved = replace(moved, applied=False, code=examples[rewrite.example_index].code, sides=(), sites="",
                            reason=f"skipped: the rewrite cannot be given to the models: {why}", row=None)
        elif rewrite.applied:
            moved = replace(moved, row=len(kept_rows))
            kept_rows.append(rewrite.row)
        kept_rewrites.append(moved)
    return [examples[i] for i in keep], kept_rewrites, outputs.select(keep, kept_rows)


def _samples_table(config, examples, relations, rewrites: list[RewrittenExample], outputs: Outputs):
    """One row per example x relation with both models' probabilities: everything judging needs."""
    from .metrics import concat_samples, relation_samples, skipped_samples

    thresholds = _thresholds(config)
    teacher, student = outputs.teacher, outputs.student
    labelled = all(e.label is not None for e in examples)
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
            extra = _extra_columns(examples, group, outputs)
            if applied:
                rows = [r.row for r in group]
                frames.append(relation_samples(
                    relation, ids, T_x=teacher.original[index], T_xp=teacher.rewritten[rows],
                    S_x=student.original[index], S_xp=student.rewritten[rows], labels=labels,
                    thresholds=thresholds, extra=extra,
                ))
            else:
                frames.append(skipped_samples(
                    relation, ids, [r.reason for r in group], labels,
                    T_x=teacher.original[index], S_x=student.original[index], extra=extra,
                ))
    return concat_samples(frames)


def _extra_columns(examples, group: list[RewrittenExample], outputs: Outputs) -> dict[str, list]:
    def truncated(r: RewrittenExample) -> bool:
        flags = [m.truncated_original[r.example_index] for _, m in outputs.by_role()]
        if r.applied:
            flags += [m.truncated_rewritten[r.row] for _, m in outputs.by_role()]
        return bool(any(flags))

    def sees(model: ModelOutputs, r: RewrittenExample) -> bool | None:
        return model.sees(r.example_index, r.row) if r.applied else None

    return {
        "rewrite": [r.rewrite for r in group],
        "teacher_sees_rewrite": [sees(outputs.teacher, r) for r in group],
        "student_sees_rewrite": [sees(outputs.student, r) for r in group],
        "window_retry": [r.window_retry for r in group],
        "rewritten_sides": [",".join(str(s) for s in r.sides) for r in group],
        "sites": [r.sites for r in group],
        "truncated": [truncated(r) for r in group],
        "original_code": [_show(examples[r.example_index].code) for r in group],
        "rewritten_code": [_show(r.code) if r.applied else "" for r in group],
    }


def _show(code: tuple[str, ...]) -> str:
    return code[0] if len(code) == 1 else "\n// ---- second function of the pair ----\n".join(code)


def _run_info(config: AuditConfig, audited: Audited):
    """report.json's ``run``: settings, data, models and versions (timings are added at the end)."""
    from .report import DataInfo, ModelRecord, RunInfo, SkippedRecord

    data, examples = audited.data, audited.examples
    skip_reasons = count_reasons(data.skipped)
    models = {}
    for role, outputs in audited.outputs.by_role():
        loaded = audited.models[role]
        description = asdict(loaded.model.info)
        models[role] = ModelRecord(
            description=description,
            label_order_used=[description["labels"][i] for i in loaded.order],
            truncated_original=int(np.sum(outputs.truncated_original)),
            truncated_rewritten=int(np.sum(outputs.truncated_rewritten)),
            distinct_sequences_encoded=int(outputs.distinct_sequences),
            inference_seconds=round(float(outputs.seconds), 3),
            outputs_from_store=outputs.from_store,
            outputs_computed=outputs.computed,
        )
    return RunInfo(
        command=config.command,
        config=recorded_settings(config, RUN_ONLY_SETTINGS),
        seed=config.seed,
        task=audited.task,
        language=audited.language,
        relations=audited.relations,
        label_names=list(data.label_names),
        data=DataInfo(
            path=config.data,
            files=data.files,
            records_loaded=len(data.examples),
            records_skipped=len(data.skipped),
            skip_reasons=skip_reasons,
            skipped_records=[SkippedRecord(s.where, s.reason) for s in first_skipped(data.skipped)],
            examples_audited=len(examples),
            labelled=all(e.label is not None for e in examples),
        ),
        models=models,
        device=str(audited.outputs.teacher.device),
        precision=config.precision,
        versions=package_versions(),
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
