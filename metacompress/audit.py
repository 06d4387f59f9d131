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
    from .gates import parse_gates
    from .tasks import get_task

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    # Everything that can be checked without loading anything, so a typo fails in milliseconds.
    task = get_task(config.task)
    language = config.language or task.default_language
    relations = _select_relations(config.relations, language)
    sides = task.rewrite_sides(config.pair_side) if task.is_pair else (0,)
    gates = parse_gates(config.fail_on)
    out_dir = _prepare_out(config.out, config.overwrite)
    _check_settings(config)

    data = task.load(config.data, **_load_options(config, language))
    from .tasks import sample

    examples = sample(data.examples, config.limit, config.seed)
    if not examples:
        raise InputError(f"{config.data}: no usable examples")
    timings["load_data"] = _lap(clock)

    teacher, student = _load_models(config, data.label_names)
    timings["load_models"] = _lap(clock) - timings["load_data"]

    start = time.perf_counter()
    rewrites = rewrite_all(examples, relations, language, sides, config.seed, config.relation_options, config.progress)
    timings["transform"] = time.perf_counter() - start

    start = time.perf_counter()
    predictions = _infer(config, task, examples, rewrites, teacher, student)
    timings["inference"] = time.perf_counter() - start

    start = time.perf_counter()
    samples = _samples_frame(task, examples, rewrites, predictions, config)
    report = _build_report(config, task, language, relations, data, examples, samples, predictions, teacher, student)
    from .gates import evaluate_gates

    gate_results = evaluate_gates(gates, report)
    report["gates"] = [g.as_dict() for g in gate_results]
    timings["compare"] = time.perf_counter() - start
    timings["total"] = _lap(clock)
    report["run"]["timings_s"] = {k: round(v, 3) for k, v in timings.items()}

    if out_dir is not None:
        from .report import write_reports

        write_reports(out_dir, report, samples)
    return AuditResult(report, samples, out_dir, gate_results)


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


def _load_options(config: AuditConfig, language: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if config.code_field:
        options["code_field"] = config.code_field
    if config.label_field:
        options["label_field"] = config.label_field
    if config.task == "code-classification":
        options["language"] = language
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
            "distinct_sequences": predicted.distinct_sequences,
            "seconds": predicted.seconds,
            "device": getattr(predicted, "device", config.device),
        }
    return results


def _samples_frame(task, examples, rewrites: list[RewrittenExample], predictions, config: AuditConfig):
    import pandas as pd

    from .metrics import Thresholds, sample_flags

    thresholds = Thresholds(js_distance=config.js_threshold, confidence=config.confidence, ece_bins=config.ece_bins)
    teacher, student = predictions["teacher"], predictions["student"]
    applied_rows = [i for i, r in enumerate(rewrites) if r.applied]
    position = {row: k for k, row in enumerate(applied_rows)}
    records = []
    for i, rewrite in enumerate(rewrites):
        example = examples[rewrite.example_index]
        record: dict[str, Any] = {
            "example_id": example.id,
            "relation": rewrite.relation,
            "applied": rewrite.applied,
            "skip_reason": rewrite.reason,
            "label": example.label,
            "rewritten_sides": ",".join(str(s) for s in rewrite.sides),
            "sites": rewrite.sites,
        }
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    frame["label"] = frame["label"].astype("Int64")
    columns = {
        "teacher_probs_x": [teacher["original"][r.example_index] for r in rewrites],
        "student_probs_x": [student["original"][r.example_index] for r in rewrites],
        "teacher_probs_xp": [teacher["rewritten"][position[i]] if i in position else None for i, _ in enumerate(rewrites)],
        "student_probs_xp": [student["rewritten"][position[i]] if i in position else None for i, _ in enumerate(rewrites)],
    }
    for name, values in columns.items():
        frame[name] = values
    for role in ("teacher", "student"):
        frame[f"{role}_pred_x"] = [int(np.argmax(p)) for p in frame[f"{role}_probs_x"]]
        frame[f"{role}_pred_xp"] = pd.array(
            [int(np.argmax(p)) if p is not None else None for p in frame[f"{role}_probs_xp"]], dtype="Int64"
        )
    if applied_rows:
        flags = sample_flags(
            np.stack([teacher["original"][rewrites[i].example_index] for i in applied_rows]),
            teacher["rewritten"],
            np.stack([student["original"][rewrites[i].example_index] for i in applied_rows]),
            student["rewritten"],
            thresholds,
        )
        for name, values in flags.items():
            column = pd.Series([pd.NA] * len(frame), dtype="object")
            column.iloc[applied_rows] = list(values)
            frame[name] = column
    frame["truncated"] = [
        bool(teacher["truncated_original"][r.example_index] or student["truncated_original"][r.example_index])
        or bool(i in position and (teacher["truncated_rewritten"][position[i]] or student["truncated_rewritten"][position[i]]))
        for i, r in enumerate(rewrites)
    ]
    frame["original_code"] = [_show(examples[r.example_index].code) for r in rewrites]
    frame["rewritten_code"] = [_show(r.code) if r.applied else "" for r in rewrites]
    return frame


def _show(code: tuple[str, ...]) -> str:
    return code[0] if len(code) == 1 else "\n// ---- second function of the pair ----\n".join(code)


def _build_report(config, task, language, relations, data, examples, samples, predictions, teacher, student):
    from .metrics import Thresholds, baseline_metrics, relation_metrics

    thresholds = Thresholds(js_distance=config.js_threshold, confidence=config.confidence, ece_bins=config.ece_bins)
    labelled = all(e.label is not None for e in examples)
    gold = np.array([e.label for e in examples]) if labelled else None
    teacher_p, student_p = predictions["teacher"], predictions["student"]
    per_relation: dict[str, Any] = {}
    pooled: dict[str, list[np.ndarray]] = {"tx": [], "txp": [], "sx": [], "sxp": [], "y": []}
    for relation in relations:
        rows = samples[(samples["relation"] == relation)]
        applied = rows[rows["applied"]]
        entry: dict[str, Any] = {
            "inputs": int(len(rows)),
            "applied": int(len(applied)),
            "not_applicable": int(len(rows) - len(applied)),
            "skip_reasons": _count_reasons(rows[~rows["applied"]]["skip_reason"]),
            "metrics": {},
        }
        if len(applied):
            arrays = _arrays(applied)
            y = np.array(applied["label"].astype(int)) if labelled else None
            entry["metrics"] = _as_dicts(
                relation_metrics(*arrays, labels=y, thresholds=thresholds, seed=config.seed, n_bootstrap=config.bootstrap)
            )
            for key, value in zip(("tx", "txp", "sx", "sxp"), arrays):
                pooled[key].append(value)
            if y is not None:
                pooled["y"].append(y)
        per_relation[relation] = entry
    all_relations: dict[str, Any] = {"applied": int(samples["applied"].sum()), "inputs": int(len(samples)), "metrics": {}}
    if pooled["tx"]:
        arrays = [np.concatenate(pooled[k]) for k in ("tx", "txp", "sx", "sxp")]
        y = np.concatenate(pooled["y"]) if labelled else None
        all_relations["metrics"] = _as_dicts(
            relation_metrics(*arrays, labels=y, thresholds=thresholds, seed=config.seed, n_bootstrap=config.bootstrap)
        )
    baseline = _as_dicts(
        baseline_metrics(teacher_p["original"], student_p["original"], labels=gold, seed=config.seed, n_bootstrap=config.bootstrap)
    )
    return {
        "run": _run_metadata(config, task, language, relations, data, examples, predictions, teacher, student),
        "thresholds": asdict(thresholds),
        "baseline": baseline,
        "relations": per_relation,
        "all_relations": all_relations,
        "gates": [],
    }


def _arrays(applied) -> list[np.ndarray]:
    return [np.stack(list(applied[c])) for c in ("teacher_probs_x", "teacher_probs_xp", "student_probs_x", "student_probs_xp")]


def _as_dicts(metrics: dict[str, Any]) -> dict[str, Any]:
    return {name: metric.as_dict() for name, metric in metrics.items()}


def _count_reasons(reasons) -> dict[str, int]:
    counts = reasons.value_counts()
    return {str(reason): int(count) for reason, count in counts.items()}


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
