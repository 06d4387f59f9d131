"""Writing an audit's results: report.json (the data), samples.csv, rewrites.jsonl, report.md,
and a terminal summary. This package only renders: judging happens in ``metacompress.metrics``
(``judge``), and every view is rendered from the typed ``Report`` (``Report.of(judgement, run)``;
``Report.from_dict`` / ``load_report`` read report.json back). SCHEMA.md documents the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..renderers import AUDIT, Document, render
from .csv_report import read_samples_csv, samples_for_csv, write_rewrites_jsonl, write_samples_csv
from .document import (SCHEMA_VERSION, DataInfo, MetricDefinition, ModelRecord, Report, RunInfo, SkippedRecord,
                       load_report)
from .json_report import report_json, write_report_json
from .markdown import definitions_table, render_markdown
from .schema import load_schema, schema_errors, validate_adversarial_record, validate_attack_report, validate_report
from .terminal import render_terminal

__all__ = [
    "SCHEMA_VERSION", "DataInfo", "MetricDefinition", "ModelRecord", "Report", "RunInfo", "SkippedRecord",
    "definitions_table", "load_report", "read_samples_csv", "render_markdown", "render_terminal",
    "report_json", "samples_for_csv", "load_schema", "schema_errors", "validate_adversarial_record",
    "validate_attack_report", "validate_report", "write_report_json",
    "write_reports", "write_rewrites_jsonl", "write_samples_csv",
]


def write_reports(out_dir: str | Path, report: Report, samples: pd.DataFrame | None = None,
                  formats: Iterable[str] | None = None) -> dict[str, Path]:
    """Write report.json and the views ``formats`` asks for (default: every renderer's, see
    ``metacompress.renderers``): csv (samples.csv and rewrites.jsonl, with a samples table),
    md (report.md), html (report.html).

    Returns the written paths by file name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = render(AUDIT, out, Document(report, samples), None if formats is None else list(formats))
    return {path.name: path for path in written}
