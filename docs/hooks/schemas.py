"""MkDocs hook: publish the schema documents that live beside the code as pages of the site.

metacompress/report/SCHEMA.md and metacompress/attack/SCHEMA.md stay where the code they
describe is (and are read there on GitHub); the site shows them under schemas/ without a copy
in docs/. Links between them are rewritten to the pages' new places.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGES = {  # page in the site -> document in the repository
    "schemas/report.md": "metacompress/report/SCHEMA.md",
    "schemas/attack.md": "metacompress/attack/SCHEMA.md",
}
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def rewrite_links(text: str, source: str, page: str) -> str:
    by_source = {src: dest for dest, src in PAGES.items()}

    def replace(match: re.Match) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
        if resolved not in by_source:
            return match.group(0)
        return f"]({posixpath.relpath(by_source[resolved], posixpath.dirname(page))}{anchor})"

    return LINK.sub(replace, text)


def on_files(files, config):
    from mkdocs.structure.files import File  # here, so that the tests can read PAGES without mkdocs

    for page, source in PAGES.items():
        text = (REPO / source).read_text(encoding="utf-8")
        files.append(File.generated(config, page, content=rewrite_links(text, source, page)))
    return files
