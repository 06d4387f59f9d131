"""Writing an audit's results: report.json (the data), samples.csv, rewrites.jsonl, report.md,
and a terminal summary. Every view is rendered from the report dict that ``build_report``
assembles from the samples table; SCHEMA.md documents the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .csv_report import read_samples_csv, samples_for_csv, write_rewrites_jsonl, write_samples_csv
from .json_report import SCHEMA_VERSION, build_report, report_json, write_report_json
from .markdown import definitions_table, render_markdown
from .schema import schema_errors, validate_report
from .terminal import render_terminal

__all__ = [
    "SCHEMA_VERSION", "build_report", "definitions_table", "read_samples_csv", "render_markdown", "render_terminal",
    "report_json", "samples_for_csv", "schema_errors", "validate_report", "write_report_json",
    "write_reports", "write_rewrites_jsonl", "write_samples_csv",
]


def write_reports(out_dir: str | Path, report: Mapping[str, Any],
                  samples: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write report.json, report.md and (with a samples table) samples.csv and rewrites.jsonl.

    Returns the written paths by file kind ("json", "markdown", "samples", "rewrites").
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {"json": write_report_json(report, out / "report.json")}
    if samples is not None:
        written["samples"] = write_samples_csv(samples, out / "samples.csv")
        rewrites = write_rewrites_jsonl(samples, out / "rewrites.jsonl")
        if rewrites is not None:
            written["rewrites"] = rewrites
    markdown = out / "report.md"
    markdown.write_text(render_markdown(report, samples), encoding="utf-8")
    written["markdown"] = markdown
    return written
