"""The report as typed data: ``Report`` and its sections, one-to-one with report.json.

``Report.of(judgement, run)`` puts a judgement (``metacompress.metrics.judge``) beside the run's
provenance; ``Report.to_dict()`` is the report.json document (schema ``SCHEMA_VERSION``) and
``Report.from_dict(document)`` (or ``load_report(path)``) rebuilds the typed report from one,
so that tools reading report.json back (views, comparisons) use the same attributes as the
renderers. SCHEMA.md documents every field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError
from ..metrics.threshold_curves import Curve
from ..metrics import (Baseline, GateResult, Judgement, JudgingSettings, RelationSummary, Thresholds,
                       metric_definitions)

SCHEMA_VERSION = "2.1"
PER_ORIGINAL = "per original (macro)"  # the label of Report.per_original in the views


@dataclass(frozen=True)
class SkippedRecord:
    """A data record the audit could not use: where it is and why."""

    where: str
    reason: str


@dataclass
class DataInfo:
    """``run.data``: what was loaded, what was skipped (counted by reason; the first ones listed)."""

    path: str
    files: list[str]
    records_loaded: int
    records_skipped: int
    skip_reasons: dict[str, int]
    skipped_records: list[SkippedRecord]
    examples_audited: int
    labelled: bool

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "files": list(self.files), "records_loaded": self.records_loaded,
                "records_skipped": self.records_skipped, "skip_reasons": dict(self.skip_reasons),
                "skipped_records": [{"where": s.where, "reason": s.reason} for s in self.skipped_records],
                "examples_audited": self.examples_audited, "labelled": self.labelled}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DataInfo":
        return cls(path=data["path"], files=list(data["files"]), records_loaded=data["records_loaded"],
                   records_skipped=data["records_skipped"], skip_reasons=dict(data["skip_reasons"]),
                   skipped_records=[SkippedRecord(s["where"], s["reason"]) for s in data["skipped_records"]],
                   examples_audited=data["examples_audited"], labelled=data["labelled"])


@dataclass
class ModelRecord:
    """``run.models[role]``: the model's own description and how the audit used it.

    description: the model's ``ModelInfo`` as loaded (source, format, labels, fingerprint, ...),
        written first and as is.
    """

    description: dict[str, Any]
    label_order_used: list[str]
    truncated_original: int
    truncated_rewritten: int
    distinct_sequences_encoded: int
    inference_seconds: float
    outputs_from_store: int | None = None  # distinct inputs whose outputs came from the prediction store
    outputs_computed: int | None = None  # distinct inputs the model was run on

    _OWN = ("label_order_used", "truncated_inputs", "distinct_sequences_encoded", "inference_seconds",
            "outputs_from_store", "outputs_computed")

    @property
    def source(self) -> str | None:
        return self.description.get("source")

    @property
    def fingerprint(self) -> str | None:
        return self.description.get("fingerprint")

    def to_dict(self) -> dict[str, Any]:
        return {**self.description, "label_order_used": list(self.label_order_used),
                "truncated_inputs": {"original": self.truncated_original, "rewritten": self.truncated_rewritten},
                "distinct_sequences_encoded": self.distinct_sequences_encoded,
                "inference_seconds": self.inference_seconds,
                **{key: getattr(self, key) for key in ("outputs_from_store", "outputs_computed")
                   if getattr(self, key) is not None}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ModelRecord":
        truncated = data["truncated_inputs"]
        return cls(description={k: v for k, v in data.items() if k not in cls._OWN},
                   label_order_used=list(data["label_order_used"]), truncated_original=truncated["original"],
                   truncated_rewritten=truncated["rewritten"],
                   distinct_sequences_encoded=data["distinct_sequences_encoded"],
                   inference_seconds=data["inference_seconds"],
                   outputs_from_store=data.get("outputs_from_store"), outputs_computed=data.get("outputs_computed"))


@dataclass
class RunInfo:
    """``run``: the audit's provenance, as recorded. A field left None is not written (a run
    assembled by hand may record only some); keys this version does not know travel in ``extra``.

    config: the run's settings as given (``AuditConfig`` fields but ``command`` and ``progress``).
    timings_s: seconds per stage, rounded to milliseconds.
    """

    command: str | None = None
    config: dict[str, Any] | None = None
    seed: int | None = None
    task: str | None = None
    language: str | None = None
    relations: list[str] | None = None
    label_names: list[str] | None = None
    data: DataInfo | None = None
    models: dict[str, ModelRecord] | None = None
    device: str | None = None
    precision: str | None = None
    versions: dict[str, str] | None = None
    created: str | None = None
    timings_s: dict[str, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "extra" or value is None:
                continue
            if isinstance(value, DataInfo):
                value = value.to_dict()
            elif item.name == "models":
                value = {role: model.to_dict() for role, model in value.items()}
            out[item.name] = value
        return {**out, **self.extra}

    @classmethod
    def from_dict(cls, run: Mapping[str, Any]) -> "RunInfo":
        known = {item.name for item in fields(cls)} - {"extra"}
        values: dict[str, Any] = {k: v for k, v in run.items() if k in known}
        if values.get("data") is not None:
            values["data"] = DataInfo.from_dict(values["data"])
        if values.get("models") is not None:
            values["models"] = {role: ModelRecord.from_dict(m) for role, m in values["models"].items()}
        return cls(**values, extra={k: v for k, v in run.items() if k not in known})


@dataclass(frozen=True)
class MetricDefinition:
    """A metric's glossary entry; ``kind`` is "rate" (a share, shown as a percentage) or "value"."""

    description: str
    needs_labels: bool
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "needs_labels": self.needs_labels, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "MetricDefinition":
        return cls(data["description"], data["needs_labels"], data["kind"])


def registered_definitions() -> dict[str, MetricDefinition]:
    """The glossary of every registered metric, in registration order."""
    return {name: MetricDefinition.from_dict(entry) for name, entry in metric_definitions().items()}


@dataclass
class Report:
    """An audit's report: provenance, settings, every judged row and the gates.

    ``relations`` keeps the order the relations ran in; ``all_relations`` is the pooled row;
    ``gates`` holds one result per condition and row it was checked on.
    """

    run: RunInfo
    thresholds: Thresholds
    judging: JudgingSettings
    metric_definitions: dict[str, MetricDefinition]
    relations: dict[str, RelationSummary]
    all_relations: RelationSummary
    baseline: Baseline
    gates: list[GateResult]
    schema_version: str = SCHEMA_VERSION
    per_original: RelationSummary | None = None  # the macro row: every original weighs 1, compose left out
    threshold_sensitivity: list[Curve] | None = None  # the threshold metrics over their thresholds

    @property
    def gate_breached(self) -> bool:
        return any(g.holds for g in self.gates)

    def rows(self) -> list[tuple[str, RelationSummary]]:
        """(label, row) for each relation, the pooled row ("all relations"), then the per-original one."""
        macro = [(PER_ORIGINAL, self.per_original)] if self.per_original is not None else []
        return [*self.relations.items(), ("all relations", self.all_relations), *macro]

    def kind_of(self, metric: str) -> str:
        definition = self.metric_definitions.get(metric)
        return definition.kind if definition is not None else "value"

    @classmethod
    def of(cls, judgement: Judgement, run: RunInfo | Mapping[str, Any] | None = None) -> "Report":
        """The report of a judgement, with the run's provenance (a mapping is read as report.json's ``run``)."""
        if not isinstance(run, RunInfo):
            run = RunInfo.from_dict(run or {})
        return cls(run=run, thresholds=judgement.thresholds, judging=judgement.settings,
                   metric_definitions=registered_definitions(), relations=dict(judgement.relations),
                   all_relations=judgement.all_relations, baseline=judgement.baseline, gates=list(judgement.gates),
                   per_original=judgement.per_original, threshold_sensitivity=judgement.threshold_curves)

    def to_dict(self) -> dict[str, Any]:
        """The report.json document."""
        return {
            "schema_version": self.schema_version,
            "run": self.run.to_dict(),
            "thresholds": self.thresholds.as_dict(),
            "judging": self.judging.as_dict(),
            "metric_definitions": {name: d.to_dict() for name, d in self.metric_definitions.items()},
            "relations": {name: row.as_dict() for name, row in self.relations.items()},
            "all_relations": self.all_relations.as_dict(),
            "per_original": self.per_original.as_dict() if self.per_original is not None else None,
            "baseline": self.baseline.as_dict(),
            "threshold_sensitivity": ([curve.as_dict() for curve in self.threshold_sensitivity]
                                      if self.threshold_sensitivity is not None else None),
            "gates": [result.as_dict() for result in self.gates],
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> "Report":
        """Rebuild the typed report from a report.json document of this schema version.

        Raises ``InputError`` for another schema version or a document missing a field.
        """
        version = document.get("schema_version")
        if version != SCHEMA_VERSION:
            raise InputError(f"report schema {version!r} is not {SCHEMA_VERSION!r}, the one this version reads")
        try:
            return cls(
                run=RunInfo.from_dict(document["run"]),
                thresholds=Thresholds.from_dict(document["thresholds"]),
                judging=JudgingSettings.from_dict(document["judging"]),
                metric_definitions={name: MetricDefinition.from_dict(d)
                                    for name, d in document["metric_definitions"].items()},
                relations={name: RelationSummary.from_dict(row) for name, row in document["relations"].items()},
                all_relations=RelationSummary.from_dict(document["all_relations"]),
                per_original=_row_or_none(document.get("per_original")),
                threshold_sensitivity=_curves_or_none(document.get("threshold_sensitivity")),
                baseline=Baseline.from_dict(document["baseline"]),
                gates=[GateResult.from_dict(g) for g in document["gates"]],
                schema_version=version,
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise InputError(f"report document is incomplete or malformed ({type(error).__name__}: {error})") from None


def _row_or_none(row: Mapping[str, Any] | None) -> RelationSummary | None:
    return RelationSummary.from_dict(row) if row is not None else None


def _curves_or_none(curves: list | None) -> list[Curve] | None:
    return [Curve.from_dict(curve) for curve in curves] if curves is not None else None


def load_report(path: str | Path) -> Report:
    """report.json from disk as a typed ``Report``; an unreadable or foreign file is an ``InputError``."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read the report ({error})") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: not a report (expected a JSON object)")
    try:
        return Report.from_dict(document)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None
