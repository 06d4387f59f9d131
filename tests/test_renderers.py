"""One report pipeline (issue 19): the renderer table decides the formats `run` offers, the files
an output folder may hold, and what run, attack and compare write."""

from __future__ import annotations

from pathlib import Path

import pytest

from metacompress import renderers
from metacompress.attack.config import ATTACK_FILES
from metacompress.config import REPORT_FORMATS, check_formats
from metacompress.errors import UsageError
from metacompress.outdir import COMPARE_FILES, REPORT_FILES, check_out
from metacompress.renderers import AUDIT, RENDERERS, Renderer, register_renderer
from metacompress.report import write_reports
from test_report import make_samples, report_of


def write_summary_txt(folder: Path, document) -> list[Path]:
    path = folder / "summary.txt"
    path.write_text(f"{len(document.report.relations)} relations\n", encoding="utf-8")
    return [path]


@pytest.fixture
def txt_format():
    renderer = register_renderer(Renderer("txt", {AUDIT: ("summary.txt",)},
                                          {AUDIT: "test_renderers:write_summary_txt"}))
    yield renderer
    RENDERERS.remove("txt")
    renderers._ORDER.remove("txt")


def test_the_format_list_and_the_folder_files_come_from_the_renderers():
    assert REPORT_FORMATS == ("json", "csv", "md", "html")
    assert set(REPORT_FILES) == {"report.json", "samples.csv", "rewrites.jsonl", "report.md", "report.html"}
    assert set(ATTACK_FILES) == {"report.json", "adversarial.jsonl", "report.md", "report.html"}
    assert set(COMPARE_FILES) == {"compare.json", "compare.md", "compare.html"}
    # the first file marks a previous report, which only --overwrite replaces
    assert (REPORT_FILES[0], ATTACK_FILES[0], COMPARE_FILES[0]) == ("report.json", "report.json", "compare.json")


def test_an_audit_writes_the_chosen_formats_only(tmp_path):
    samples = make_samples()
    written = write_reports(tmp_path, report_of(samples), samples, ["json", "md"])
    assert sorted(written) == ["report.json", "report.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]


def test_a_registered_format_is_offered_written_and_belongs_to_the_folder(txt_format, tmp_path):
    assert check_formats(["json", "txt"]) == ["json", "txt"]
    samples = make_samples()
    out = tmp_path / "run"
    write_reports(out, report_of(samples), samples, ["json", "txt"])
    assert (out / "summary.txt").read_text() == "2 relations\n"
    check_out(str(out), overwrite=True)  # summary.txt is part of a report, not a foreign file


def test_an_unknown_format_is_refused_naming_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown format 'pdf' \(choose from json, csv, md, html\)"):
        check_formats(["json", "pdf"])
