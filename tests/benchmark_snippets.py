"""Distinct snippets of a benchmark's JSONL files in ../shared, for tests that run code over real data."""

from __future__ import annotations

import json
from pathlib import Path


def distinct_snippets(folder: Path, fields: tuple[str, ...], limit: int) -> list[str]:
    """The first ``limit`` distinct values of ``fields`` across the folder's JSONL files, in file order."""
    seen: dict[str, None] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for name in fields:
                seen.setdefault(row[name], None)
            if len(seen) >= limit:
                return list(seen)
    return list(seen)
