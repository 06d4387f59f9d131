"""Ids, names, paths and code from a user cannot forge report.md (posted as a PR comment), run in
report.html, run as a spreadsheet formula in samples.csv, or blow a report past its bound."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, methods
from metacompress.cli import cli
from metacompress.report.escape import HTML_LIMIT, MARKDOWN_LIMIT, csv_cell, csv_value, md_code, md_text

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=http://evil.example>x</a>",
    "[x](javascript:alert(1))",
    "![i](http://evil.example/i.png)",
    "a\n# Forged heading",
    "a|b|c",
    "```\n<script>x</script>",
    '=HYPERLINK("http://evil.example","x")',
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]
CODE_COMMENT = "    // <img src=x onerror=alert(1)> ```` [x](javascript:alert(1))\n"
# a path part that is legal on Linux and hostile in Markdown
HOSTILE_NAME = "m <img src=x onerror=alert(1)> [x](javascript:alert(1)) =cmd"
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "details",
                "summary", "strong", "em", "ul", "li", "br", "hr"}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The tiny teacher and perturbed student, in folders with hostile names."""
    built = build_models(tmp_path_factory.mktemp("models"))
    root = tmp_path_factory.mktemp("hostile-models")
    out = {}
    for role, source in (("teacher", built["teacher"]), ("student", built["perturbed"])):
        folder = root / f"{role} {HOSTILE_NAME}"
        shutil.copytree(source, folder)
        out[role] = folder
    return out


def hostile_pairs(folder: Path) -> Path:
    items = methods()
    lines = []
    for k, hostile in enumerate(HOSTILE):
        first, second = items[k % len(items)], items[(k + 3) % len(items)]
        code1 = first["code"].replace("{\n", "{\n" + CODE_COMMENT, 1)
        lines.append({"id1": hostile, "id2": f"{k}", "code1": code1, "code2": second["code"],
                      "label": int(first["functionality"] == second["functionality"])})
    path = folder / f"data {HOSTILE_NAME}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def audit(models, data: Path, out: Path, *extra: str):
    args = ["run", "--teacher", str(models["teacher"]), "--student", str(models["student"]), "--task",
            "clone-detection", "--data", str(data), "--relations", "insert-dead-code,add-unused-variable",
            "--bootstrap", "20", "--quiet", "--out", str(out), *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def outside_code_blocks(markdown: str) -> str:
    """report.md without its fenced code blocks, where code is shown as code and nothing runs."""
    return re.sub(r"^(`{3,})[^\n]*\n.*?^\1\s*$", "", markdown, flags=re.M | re.S)


def assert_inert_markdown(markdown: str) -> None:
    assert len(markdown) <= MARKDOWN_LIMIT
    prose = outside_code_blocks(markdown)
    for tag in ("<script", "<img", "<a ", "<a\t"):
        assert tag not in prose.lower(), tag
    assert not re.search(r"(?<!\\)\]\((javascript|http)", prose), "a link or image from the data"
    assert not re.search(r"^#+ Forged heading", markdown, flags=re.M)
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered))
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    headings = re.findall(r"<h\d>(.*?)</h\d>", rendered)
    assert not any(h.startswith("Forged") for h in headings)


def assert_no_formula(samples_csv: Path) -> None:
    with samples_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


@pytest.fixture(scope="module")
def hostile_audit(models, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-audit")
    return audit(models, hostile_pairs(folder), folder / "r")


@pytest.mark.slow
def test_a_hostile_audit_writes_inert_bounded_reports(hostile_audit):
    out = hostile_audit
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert_inert_markdown(markdown)
    assert "Worst cases" in markdown and "onerror" in markdown  # the hostile ids are shown, as text
    assert_no_formula(out / "samples.csv")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert len(page) <= HTML_LIMIT
    assert "<script" not in page and "<img" not in page and "<a " not in page
    # the data files keep every id whole, and samples.csv reads back to the ids as given
    from metacompress.report import read_samples_csv

    ids = set(read_samples_csv(out / "samples.csv")["example_id"])
    assert {f"{h}-{k}" for k, h in enumerate(HOSTILE)} <= ids
    records = [json.loads(line) for line in (out / "rewrites.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {f"{h}-{k}" for k, h in enumerate(HOSTILE)} <= {r["example_id"] for r in records}


@pytest.mark.slow
def test_a_300_kb_function_and_a_100_kb_id_keep_reports_within_their_bounds(hostile_audit):
    """The hostile audit's own report and samples, every row's id grown to 100 KB and its code to
    one 300 KB line (an audit of such input spends a minute tokenising; the renderers are what
    this bounds)."""
    from metacompress.report import load_report, read_samples_csv, render_markdown
    from metacompress.report.html import render_html

    report = load_report(hostile_audit / "report.json")
    samples = read_samples_csv(hostile_audit / "samples.csv")
    line = " ".join(f"int a{i} = {i};" for i in range(16_000))  # about 300 KB
    samples["example_id"] = ["<img src=x>" + "I" * 100_000 + str(k) for k in range(len(samples))]
    samples["original_code"] = f"int f(int x) {{ {line} return x; }}"
    samples["rewritten_code"] = f"int f(int x) {{ int unused = 0; {line} return x; }}"
    markdown = render_markdown(report, samples)
    assert_inert_markdown(markdown)
    assert re.search(r"… \(100,01\d characters\)", markdown) and re.search(r"… \((29|30)\d,\d{3} characters\)", markdown)
    assert max(len(line) for line in markdown.splitlines()) < 2_000
    page = render_html(report, samples)
    assert len(page) <= HTML_LIMIT and len(page) < 1_000_000  # the cut strings, not the cap, bound it
    assert "<img" not in page


def test_report_md_gives_way_section_by_section_to_stay_within_a_comment():
    from metacompress.report.escape import Section, cap_sections

    sections = [Section("# head"), Section("x" * 40_000, 50, "*big: left out*"), Section("y" * 40_000, 10, "*also*")]
    text = cap_sections(sections, "\n\n", MARKDOWN_LIMIT, closing="\n")
    assert len(text) <= MARKDOWN_LIMIT and "*also*" in text and "x" * 40_000 in text
    text = cap_sections([Section("z\n" * 50_000)], "\n\n", MARKDOWN_LIMIT, closing="\n")
    assert len(text) <= MARKDOWN_LIMIT and "cut at 65,536 characters" in text


@pytest.mark.slow
def test_a_hostile_attack_writes_an_inert_report(models, tmp_path):
    data = hostile_pairs(tmp_path)
    out = tmp_path / "a"
    args = ["attack", "--teacher", str(models["teacher"]), "--student", str(models["student"]), "--task",
            "clone-detection", "--data", str(data), "--bootstrap", "20", "--budget", "4", "--limit", "4",
            "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "onerror" in markdown  # the hostile paths are shown, as text
    assert_inert_markdown(markdown)


@pytest.mark.parametrize("value", HOSTILE + ["<a href='x'>", "*bold* _it_ __b__ ~~s~~", "> quote", "1. item",
                                              "&lt;img&gt;", "\u202eevil\x1b[2J"])
def test_md_text_renders_as_the_text_it_holds_on_one_line(value):
    markdown_it = pytest.importorskip("markdown_it")
    text = md_text(value)
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(
        f"| {text} |\n|---|\n")
    cell = re.search(r"<th>(.*?)</th>", rendered, flags=re.S).group(1)
    import html

    expected = re.sub(r"[\n\r\t]", " ", value).replace("\u202e", "\ufffd").replace("\x1b", "\ufffd")
    assert html.unescape(cell) == expected.strip()  # a table cell is trimmed
    assert "\n" not in text


def test_long_text_and_code_are_cut_with_their_length_noted():
    assert md_text("x" * 100_000) == "x" * 200 + "… (100,000 characters)"
    block = md_code("a ```` b\n" + "y" * 300_000 + "\n" + "z\n" * 100, "diff")
    fence = block.splitlines()[0]
    assert fence == "`````diff" and block.splitlines()[-1] == "`````"
    assert len(block) < 5_000 and "(300,000 characters)" in block and "more lines" in block


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("'=x", "''=x"), ("-0.5", "-0.5"), ("+1e5", "+1e5"), (-0.5, -0.5), ("id-1", "id-1"),
])
def test_csv_cells_never_start_a_formula_and_read_back_exactly(value, written):
    assert csv_cell(value) == written
    assert csv_value(csv_cell(value)) == value
