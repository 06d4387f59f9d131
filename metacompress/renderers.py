"""The report pipeline: one renderer per ``--format``, each writing its files for the documents
it knows: an audit (``report.Report`` and its samples table), an attack (``attack.summary.AttackReport``
and the adversarial records) and a comparison (``compare.Comparison``).

The format list (``REPORT_FORMATS``) and the files an output folder may hold
(``outdir.REPORT_FILES``, ``attack.config.ATTACK_FILES``, ``outdir.COMPARE_FILES``) are read from
this table, so a new format is one ``Renderer`` here (or ``register_renderer`` from a plugin's
module) and its write functions. This module imports nothing heavy: each renderer
names its write function as ``"module:function"``, imported when it writes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .registry import Registry

AUDIT, ATTACK, COMPARE = "audit", "attack", "compare"


@dataclass(frozen=True)
class Document:
    """What a renderer is given: the typed report, and its per-input rows where it has them (an
    audit's samples table, an attack's adversarial records)."""

    report: Any
    rows: Any = None


@dataclass(frozen=True)
class Renderer:
    """One format: per document kind, the files it writes and ``"module:function"`` writing them,
    called as ``function(folder, document: Document) -> list[Path]`` (the files it wrote)."""

    format: str
    files: dict[str, tuple[str, ...]]
    writers: dict[str, str] = field(default_factory=dict)

    def writer(self, kind: str) -> Callable[[Path, Any], list[Path]]:
        module, _, name = self.writers[kind].partition(":")
        return getattr(importlib.import_module(module), name)


RENDERERS: Registry[Renderer] = Registry("report format")
_ORDER: list[str] = []  # registration order: the order of --format's choices and of the files


def register_renderer(renderer: Renderer) -> Renderer:
    RENDERERS.add(renderer.format, renderer)
    _ORDER.append(renderer.format)
    return renderer


def formats(kind: str) -> tuple[str, ...]:
    """The formats that render documents of ``kind``, in registration order."""
    return tuple(name for name in _ORDER if kind in RENDERERS.get(name).files)


def files(kind: str) -> tuple[str, ...]:
    """Every file a folder of ``kind`` may hold; the first (report.json, compare.json) marks a previous one."""
    return tuple(name for fmt in formats(kind) for name in RENDERERS.get(fmt).files[kind])


def render(kind: str, folder: Path, document: Document,
           chosen: tuple[str, ...] | list[str] | None = None) -> list[Path]:
    """Write ``document`` into ``folder`` in the ``chosen`` formats (default: all of its kind's);
    json is always written."""
    wanted = set(chosen if chosen is not None else formats(kind)) | {"json"}
    written: list[Path] = []
    for fmt in formats(kind):
        if fmt in wanted:
            written += RENDERERS.get(fmt).writer(kind)(folder, document)
    return written


register_renderer(Renderer("json", {AUDIT: ("report.json",), ATTACK: ("report.json",), COMPARE: ("compare.json",)}, {
    AUDIT: "metacompress.report.writers:write_audit_json",
    ATTACK: "metacompress.attack.summary:write_attack_json",
    COMPARE: "metacompress.report.writers:write_comparison_json"}))
register_renderer(Renderer("csv", {AUDIT: ("samples.csv", "rewrites.jsonl"), ATTACK: ("adversarial.jsonl",)}, {
    AUDIT: "metacompress.report.writers:write_audit_samples",
    ATTACK: "metacompress.attack.summary:write_adversarial_jsonl"}))
register_renderer(Renderer("md", {AUDIT: ("report.md",), ATTACK: ("report.md",), COMPARE: ("compare.md",)}, {
    AUDIT: "metacompress.report.writers:write_audit_markdown",
    ATTACK: "metacompress.attack.render:write_attack_markdown",
    COMPARE: "metacompress.report.writers:write_comparison_markdown"}))
register_renderer(Renderer("html", {AUDIT: ("report.html",), ATTACK: ("report.html",), COMPARE: ("compare.html",)}, {
    AUDIT: "metacompress.report.writers:write_audit_html",
    ATTACK: "metacompress.attack.html:write_attack_html",
    COMPARE: "metacompress.report.writers:write_comparison_html"}))

REPORT_FORMATS = formats(AUDIT)
