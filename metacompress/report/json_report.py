"""report.json: the audit's figures as versioned data, written from the typed ``Report``.

The layout is documented in SCHEMA.md beside this file and pinned by
metacompress/schema/report.schema.json. Bump ``SCHEMA_VERSION`` (in ``document``) on any
change a script reading the report would notice (a renamed or removed field, a changed meaning).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .document import SCHEMA_VERSION, Report

__all__ = ["SCHEMA_VERSION", "report_json", "write_report_json"]


def report_json(report: Report) -> str:
    """Strict JSON (no NaN), numpy scalars turned into Python numbers."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False, default=_plain) + "\n"


def write_report_json(report: Report, path: str | Path) -> Path:
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
