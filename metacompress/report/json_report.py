"""report.json: the audit's figures as versioned data; every other view is rendered from it.

The layout is documented in SCHEMA.md beside this file and pinned by
metacompress/schema/report.schema.json. Bump ``SCHEMA_VERSION`` on any change a script
reading the report would notice (a renamed or removed field, a changed meaning).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..gates import Gate, evaluate_gates
from ..metrics import Thresholds, metric_definitions, metrics_from_samples

SCHEMA_VERSION = "2.0"
CI_METHOD = ("95% BCa bootstrap (bias-corrected and accelerated, acceleration from the "
             "leave-one-cluster-out jackknife), resampling original inputs (example_id) with "
             "every row of a drawn input, pooled row included")


def build_report(samples: pd.DataFrame, *, run: Mapping[str, Any] | None = None,
                 thresholds: Thresholds = Thresholds(), gates: Iterable[str | Gate] = (),
                 seed: int = 0, n_bootstrap: int = 1000, positive_label: int = 1) -> dict[str, Any]:
    """Judge the samples table and assemble the whole report (gates evaluated on it)."""
    summary = metrics_from_samples(samples, thresholds=thresholds, seed=seed,
                                   n_bootstrap=n_bootstrap, positive_label=positive_label)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run": dict(run or {}),
        "thresholds": thresholds.as_dict(),
        "judging": {"seed": seed, "n_bootstrap": n_bootstrap, "ci": CI_METHOD, "ci_method": "bca",
                    "resampling_unit": "example_id", "positive_label": positive_label},
        "metric_definitions": metric_definitions(),
        "relations": {name: row.as_dict() for name, row in summary.relations.items()},
        "all_relations": summary.all_relations.as_dict(),
        "baseline": summary.baseline.as_dict(),
        "gates": [],
    }
    report["gates"] = [result.as_dict() for result in evaluate_gates(gates, report)]
    return report


def report_json(report: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN), numpy scalars turned into Python numbers."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False, default=_plain) + "\n"


def write_report_json(report: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(report_json(report), encoding="utf-8")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (np.ndarray, tuple, set)):
        return list(value.tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
