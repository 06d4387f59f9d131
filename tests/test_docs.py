"""The documentation site holds together: every page is in the navigation, every link of the
README and the pages reaches a file and a heading, and the site builds strictly.

The strict build needs mkdocs (the `docs` extra, installed by `make docs-build`, which .ci/run
runs before the tests); the other checks need nothing but the files, so a broken link fails
`make test` even where mkdocs is not installed.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from conftest import REPO

DOCS = REPO / "docs"
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", flags=re.DOTALL)


def _hook():
    spec = importlib.util.spec_from_file_location("docs_hook_schemas", DOCS / "hooks" / "schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _hook()
PAGES = sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)
LINKED = [REPO / "README.md", REPO / "configs" / "models" / "README.md", *PAGES]


def _nav_entries(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [entry for value in node.values() for entry in _nav_entries(value)]
    return [entry for item in node for entry in _nav_entries(item)]


def _slug(heading: str) -> str:
    """The anchor both GitHub and MkDocs give a plain heading."""
    text = unicodedata.normalize("NFKD", heading.replace("`", "")).lower()
    return re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip())


def _source(path: Path) -> Path:
    """Where a link target's text lives: a schema page of the site is a file beside the code."""
    if path.is_relative_to(DOCS):
        page = path.relative_to(DOCS).as_posix()
        if page in HOOK.PAGES:
            return REPO / HOOK.PAGES[page]
    return path


def _anchors(path: Path) -> set[str]:
    text = CODE.sub("", _source(path).read_text(encoding="utf-8"))
    return {_slug(h) for h in re.findall(r"^#+\s+(.*?)\s*$", text, flags=re.MULTILINE)}


def test_every_page_is_in_the_navigation_and_every_entry_exists():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_entries(config["nav"])
    pages = {p.relative_to(DOCS).as_posix() for p in PAGES} | set(HOOK.PAGES)
    assert sorted(nav) == sorted(pages)
    assert len(nav) == len(set(nav)), "a page is listed twice"


@pytest.mark.parametrize("page", LINKED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_reaches_a_file_and_heading(page):
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        assert _source(path).is_file(), f"{page.name}: link to {target}, which does not exist"
        if anchor:
            assert anchor in _anchors(path), f"{page.name}: link to {target}, which has no such heading"


def test_schema_pages_link_to_each_other_on_the_site():
    source = HOOK.PAGES["schemas/report.md"]
    text = "see [the attack files](../attack/SCHEMA.md#reportjson) and [code](../../README.md)"
    rewritten = HOOK.rewrite_links(text, source, "schemas/report.md")
    assert "](attack.md#reportjson)" in rewritten
    assert "](../../README.md)" in rewritten  # not a published page: left for the strict build to report


def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs not installed (pip install -e '.[docs]')")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
               "--site-dir", str(tmp_path / "site")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "schemas" / "attack.html").is_file()
    assert (tmp_path / "site" / "relations-gallery.html").is_file()
