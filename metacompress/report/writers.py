"""The write functions the renderer table (``metacompress.renderers``) names for an audit's and a
comparison's files: each takes the folder and a ``renderers.Document`` and returns what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_audit_json(folder: Path, document: Any) -> list[Path]:
    from . import write_report_json

    return [write_report_json(document.report, folder / "report.json")]


def write_audit_samples(folder: Path, document: Any) -> list[Path]:
    """samples.csv and rewrites.jsonl, when the audit has a samples table."""
    from . import write_rewrites_jsonl, write_samples_csv  # the package's names: what a test may replace

    if document.rows is None:
        return []
    written = [write_samples_csv(document.rows, folder / "samples.csv")]
    rewrites = write_rewrites_jsonl(document.rows, folder / "rewrites.jsonl")
    return written + ([rewrites] if rewrites is not None else [])


def write_audit_markdown(folder: Path, document: Any) -> list[Path]:
    from . import render_markdown

    path = folder / "report.md"
    path.write_text(render_markdown(document.report, document.rows), encoding="utf-8")
    return [path]


def write_audit_html(folder: Path, document: Any) -> list[Path]:
    from .html import render_html  # matplotlib is imported only when a page is drawn

    path = folder / "report.html"
    path.write_text(render_html(document.report, document.rows), encoding="utf-8")
    return [path]


def write_comparison_json(folder: Path, document: Any) -> list[Path]:
    path = folder / "compare.json"
    path.write_text(json.dumps(document.report.as_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    return [path]


def write_comparison_markdown(folder: Path, document: Any) -> list[Path]:
    from .comparison import render_comparison_markdown

    path = folder / "compare.md"
    path.write_text(render_comparison_markdown(document.report), encoding="utf-8")
    return [path]


def write_comparison_html(folder: Path, document: Any) -> list[Path]:
    from .comparison import render_comparison_html

    path = folder / "compare.html"
    path.write_text(render_comparison_html(document.report), encoding="utf-8")
    return [path]
