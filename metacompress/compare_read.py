"""Reading compared report folders, shared by ``compare`` (audits) and ``compare_attacks``:
a report.json as JSON with one-line errors, the numbers a report may not hold, and the names
the tables give each report."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from .errors import InputError


def load_json(path: Path) -> Any:
    """A report.json as JSON, unchecked; InputError naming the file when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path.parent}: no report.json (is it a folder metacompress run or attack wrote?)") from None
    except RecursionError:
        raise InputError(f"{path}: cannot read the report (nested too deeply)") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the report ({printable(str(exc))})") from None


def printable(text: str) -> str:
    """One line, whatever keys a hand-edited document holds (a newline, a terminal escape)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_LARGEST_NUMBER = sys.float_info.max  # beyond it an integer cannot be shown as a rate or a figure


def first_unusable_number(document: Any) -> str | None:
    """NaN, an infinity or an integer beyond any float: JSON written by metacompress has none.
    Walked without recursion, so that any depth json could read is safe."""
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return f"{path}: {value} is not a number a report may hold"
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST_NUMBER:
            return f"{path}: integer too large ({len(str(abs(value)))} digits)"
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}", item) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(value))))
    return None


def json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def named(audits: list[Any]) -> list[Any]:
    """Name each audit after its student; fall back to the folder when two students share a name."""
    names = [Path(str(model_source(a, "student"))).stem or a.folder.name for a in audits]
    for audit, name in zip(audits, names):
        audit.name = name if names.count(name) == 1 else f"{name} ({audit.folder.name})"
    seen: dict[str, int] = {}
    for audit in audits:  # the same folder twice, or twins: number them
        seen[audit.name] = seen.get(audit.name, 0) + 1
        if seen[audit.name] > 1:
            audit.name = f"{audit.name} #{seen[audit.name]}"
    return audits


def model_source(audit: Any, role: str) -> str:
    return audit.report["run"].get("models", {}).get(role, {}).get("source", "")


def short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "..."
