"""report.html: self-contained, readable without JavaScript, numbers equal to report.json's, and a
real browser renders it (headless Chromium, where installed)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress.cli import cli

RELATIONS = "rename-identifiers,swap-operands,insert-dead-code,swap-if-else"


@pytest.fixture(scope="module")
def audit(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("html")
    models = build_models(root / "models")
    pairs = write_pairs(root / "pairs.jsonl", count=24)
    out = root / "run"
    result = CliRunner().invoke(cli, [
        "run", "--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
        "--task", "clone-detection", "--data", str(pairs), "--relations", RELATIONS, "--bootstrap", "200",
        "--fail-on", "student_only_flip_rate>0.0", "--out", str(out), "--quiet"])
    assert result.exit_code in (0, 1), result.output
    return out


class Page(HTMLParser):
    """Tags, outgoing references and the visible text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "data") and value:
                self.references.append(value)
            if name == "style" and value and "url(" in value and "url(#" not in value:
                self.references.append(value)

    def handle_data(self, data):
        self.text.append(data)


def test_run_writes_a_self_contained_page_with_svg_plots(audit):
    page = Page((audit / "report.html").read_text(encoding="utf-8"))
    assert page.tags.count("svg") >= 3  # forest plot, reliability diagram, probability map
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    # inline data (the colour bar's gradient is an embedded PNG) is fine; nothing may be fetched
    outside = [r[:60] for r in page.references if not r.startswith(("#", "data:"))]
    assert not outside, outside
    css = re.findall(r"<style[^>]*>(.*?)</style>", (audit / "report.html").read_text(), flags=re.S)
    assert all("@import" not in block and "url(http" not in block for block in css)


def test_the_page_shows_report_json_numbers(audit):
    from metacompress.report.format import interval, number

    report = json.loads((audit / "report.json").read_text())
    text = " ".join(Page((audit / "report.html").read_text(encoding="utf-8")).text)
    for name, row in [*report["relations"].items(), ("all relations", report["all_relations"])]:
        for metric in ("teacher_flip_rate", "student_flip_rate", "student_only_flip_rate", "discrepancy_rate",
                       "induced_discrepancy_rate"):
            entry = row["metrics"][metric]
            assert number(entry["value"], "rate") in text, (name, metric)
            assert interval(entry["ci95"], "rate") in text, (name, metric)
            assert f"{entry['count']}/{entry['n']}" in text
    for gate in report["gates"]:
        assert gate["condition"] in text and gate["status"] in text
    for role in ("teacher", "student"):
        assert report["run"]["models"][role]["fingerprint"] in text
    assert report["run"]["command"] in text


def test_worst_cases_show_both_codes_and_probabilities(audit):
    html = (audit / "report.html").read_text(encoding="utf-8")
    if "Worst cases (student-only flips" not in html:
        pytest.fail("the perturbed student should flip alone on some of these pairs")
    block = html[html.index("Worst cases"):]
    assert '<div class="diff">' in block and "P on x'" in block
    assert 'class="add"' in block and 'class="del"' in block


def test_format_chooses_the_files(tmp_path, audit):
    report = json.loads((audit / "report.json").read_text())
    models = report["run"]["config"]
    out = tmp_path / "json-only"
    result = CliRunner().invoke(cli, [
        "run", "--teacher", models["teacher"], "--student", models["student"], "--task", "clone-detection",
        "--data", models["data"], "--relations", "swap-operands", "--bootstrap", "0", "--limit", "6",
        "--format", "json,csv", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "rewrites.jsonl", "samples.csv"]
    bad = CliRunner().invoke(cli, [
        "run", "--teacher", models["teacher"], "--student", models["student"], "--task", "clone-detection",
        "--data", models["data"], "--format", "json,pdf", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "pdf" in bad.output


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip("no headless Chromium installed (apt-get install chromium)")


def test_a_real_browser_renders_the_page_without_console_errors(audit, tmp_path):
    shot = tmp_path / "page.png"
    result = subprocess.run(
        [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         f"--screenshot={shot}", "--window-size=1200,2400", (audit / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.is_file(), result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    width, height, pixels = read_png(shot)
    assert (width, height) == (1200, 2400)
    assert len(set(pixels[:: 97])) > 20  # text, tables and plots, not a blank or one-colour page


def read_png(path: Path) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of an 8-bit RGB(A) PNG (enough to see it is not blank)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, width, height = 8, [], 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_report_md_and_html_say_per_model_how_many_outputs_came_from_the_store(tmp_path):
    models = build_models(tmp_path / "models")
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=6)
    store = str(tmp_path / "store.sqlite")
    for student in ("teacher", "perturbed"):  # the second run finds the teacher's outputs stored
        out = tmp_path / student
        result = CliRunner().invoke(cli, [
            "run", "--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(pairs), "--relations", "insert-dead-code", "--bootstrap", "0", "--cache", store,
            "--format", "json,md,html", "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
    recorded = json.loads((out / "report.json").read_text())["run"]["models"]
    assert recorded["teacher"]["outputs_computed"] == 0 and recorded["student"]["outputs_from_store"] == 0
    markdown = {line.split(":")[0]: line for line in (out / "report.md").read_text().splitlines()
                if line.startswith(("- teacher:", "- student:"))}
    page = Page((out / "report.html").read_text(encoding="utf-8")).text
    for role, model in recorded.items():
        said = f"{model['outputs_from_store']} from the prediction store, {model['outputs_computed']} computed"
        assert markdown[f"- {role}"].endswith(f"; outputs: {said}")
        assert page[page.index(f"{role} outputs") + 1] == said
