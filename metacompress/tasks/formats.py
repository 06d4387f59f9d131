"""Readers that turn data files into located records, and the rules every task's loader shares.

A reader never aborts on one bad line: it yields a ``Record`` whose ``problem`` says what is
wrong, and the task turns it into a ``Skipped`` entry for the report. Only input that is
unusable as a whole (no such path, nothing to read, every record bad) raises ``InputError``.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import InputError, UsageError
from .base import Example, LoadedData, Skipped

DATA_SUFFIXES = (".jsonl", ".csv")
EMPTY_FILE = "empty file"
NO_ROWS = "header but no rows"
_FIRST_NUMBER = re.compile(r"\d+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass
class Record:
    """One data record and where it came from; ``problem`` is set when it could not be read."""

    where: str  # "file:line"
    fields: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


class RecordError(ValueError):
    """A record that cannot become an Example; the message is the reason shown to the user."""


@dataclass
class Draft:
    """An Example before label names are known (classification learns them from the data)."""

    where: str
    id: str | None  # None: the record lacks the id field it was asked for (see keep_identified)
    code: tuple[str, ...]
    label: Any  # None when the record has no label
    extra: dict[str, Any]


# ---- files -------------------------------------------------------------------------------------


def file_order(path: Path) -> tuple:
    """Shards sort by the first number in their name (test_subs_500_1000 after test_subs_0_500)."""
    match = _FIRST_NUMBER.search(path.name)
    return (match is None, int(match.group()) if match else 0, path.name)


def data_files(path: str | Path, suffixes: tuple[str, ...] = DATA_SUFFIXES) -> list[Path]:
    """The file itself, or a folder's data files in shard order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if not path.is_dir():
        raise InputError(f"{path}: not a regular file or folder")
    files = sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes), key=file_order)
    if not files:
        raise InputError(f"{path}: no {' or '.join(suffixes)} files in this folder")
    return files


def read_records(files: Iterable[Path]) -> Iterator[Record]:
    """Records of every file in order: CSV by suffix, JSON Lines otherwise."""
    for file in files:
        reader = read_csv if file.suffix.lower() == ".csv" else read_jsonl
        yield from reader(file)


def read_jsonl(file: Path) -> Iterator[Record]:
    """One JSON object per line; blank lines are ignored, every other bad line is reported."""
    empty = True
    with _open_binary(file) as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{file.name}:{number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                empty = False
                yield Record(where, problem="not valid UTF-8")
                continue
            if number == 1:
                line = line.lstrip("\ufeff")
            if not line.strip():
                continue
            empty = False
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(where, problem=f"invalid JSON ({exc.msg}, column {exc.colno})")
                continue
            except RecursionError:
                yield Record(where, problem="JSON nested too deeply to read")
                continue
            if not isinstance(value, dict):
                yield Record(where, problem=f"not a JSON object (got {type(value).__name__})")
                continue
            surrogate = _lone_surrogate(line, value)
            if surrogate:
                yield Record(where, problem=f"holds a lone surrogate ({surrogate}), which is not valid Unicode text")
                continue
            yield Record(where, value)
    if empty:
        yield Record(file.name, problem=EMPTY_FILE)


def _lone_surrogate(line: str, value: dict) -> str:
    """The first escape like \\ud800 that decoded to half a surrogate pair ('' when none did).

    json.loads accepts such escapes, but the text cannot be encoded, parsed or written back.
    """
    escapes = _SURROGATE_ESCAPE.findall(line)
    if not escapes:
        return ""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(exc.object[exc.start]):04x}"
    return ""


def read_csv(file: Path) -> Iterator[Record]:
    """A CSV with a header row; quoted fields may span lines (code usually does)."""
    csv.field_size_limit(2**31 - 1)  # the default 128 KiB is smaller than some real functions
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    empty = True
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            empty = False
            yield Record(f"{file.name}:{start}", problem=f"malformed CSV ({exc})")
            break  # the reader cannot resynchronise after a broken quote
        empty = False
        extra_cells = row.pop(None, None)  # type: ignore[call-overload]
        if extra_cells:
            yield Record(f"{file.name}:{start}", problem=f"{len(extra_cells)} more cells than the header has columns")
            continue
        yield Record(f"{file.name}:{start}", {k: v for k, v in row.items() if v is not None})
    if empty:
        yield Record(file.name, problem=NO_ROWS if reader.fieldnames else EMPTY_FILE)


def _open_binary(file: Path):
    try:
        return file.open("rb")
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror})") from None


# ---- CodeXGLUE BigCloneBench: data.jsonl (idx, func) plus pair files ---------------------------


def read_codexglue_pairs(pair_file: Path, functions_file: Path) -> Iterator[Record]:
    """Records shaped like the JSONL layout (id1, id2, code1, code2, label) from the pair layout.

    Unreadable lines of data.jsonl are reported too, so a pair that points at one is explained.
    """
    functions: dict[str, str] = {}
    for record in read_jsonl(functions_file):
        if record.problem:
            yield record
            continue
        idx, func = record.fields.get("idx"), record.fields.get("func")
        if idx is None or not isinstance(func, str):
            yield Record(record.where, problem="a data.jsonl line needs 'idx' and a string 'func'")
            continue
        functions[str(idx)] = func
    with _open_binary(pair_file) as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{pair_file.name}:{number}"
            parts = raw.decode("utf-8", errors="replace").split()
            if not parts:
                continue
            if len(parts) not in (2, 3):
                yield Record(where, problem=f"expected 'idx1 idx2 [label]', got {len(parts)} columns")
                continue
            missing = [idx for idx in parts[:2] if idx not in functions]
            if missing:
                yield Record(where, problem=f"idx {missing[0]!r} not found in {functions_file.name}")
                continue
            fields = {"id1": parts[0], "id2": parts[1], "code1": functions[parts[0]], "code2": functions[parts[1]]}
            if len(parts) == 3:
                fields["label"] = parts[2]
            yield Record(where, fields)


# ---- fields ------------------------------------------------------------------------------------


def code_field(fields: dict[str, Any], name: str) -> str:
    if name not in fields:
        raise RecordError(f"missing field {name!r} (fields: {', '.join(map(str, fields)) or 'none'})")
    value = fields[name]
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} is not a string (got {type(value).__name__})")
    if not value.strip():
        raise RecordError(f"field {name!r} is empty")
    return value


def binary_label(value: Any, name: str) -> int | None:
    """0 or 1, given as a number, a boolean or a string; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    raise RecordError(f"bad label {value!r} in field {name!r} (expected 0 or 1)")


def record_id(fields: dict[str, Any], names: tuple[str, ...], where: str) -> str:
    """The record's own id (ids joined by '-'), or its location when it has none."""
    values = [fields.get(name) for name in names]
    if names and all(v is not None and str(v) != "" for v in values):
        return "-".join(str(v) for v in values)
    return where


def own_id(fields: dict[str, Any], name: str) -> str | None:
    """The record's id from field ``name``, or None when it has none."""
    value = fields.get(name)
    return None if value is None or str(value) == "" else str(value)


def check_options(task: str, options: dict[str, Any], allowed: dict[str, str]) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise UsageError(
            f"Unknown option {unknown[0]!r} for task {task}. Available: {', '.join(sorted(allowed))}."
        )


def check_language(task: str, language: str | None, default: str) -> str:
    from ..code.parsing import LANGUAGES

    chosen = language or default
    if not chosen:
        raise UsageError(f"--language is required for task {task} (one of: {', '.join(LANGUAGES)})")
    if chosen not in LANGUAGES:
        raise UsageError(f"--language {chosen}: not supported (available: {', '.join(LANGUAGES)})")
    return chosen


# ---- records to examples -----------------------------------------------------------------------


def draft_all(records: Iterable[Record], convert: Callable[[Record], Draft]) -> tuple[list[Draft], list[Skipped]]:
    drafts: list[Draft] = []
    skipped: list[Skipped] = []
    for record in records:
        if record.problem:
            skipped.append(Skipped(record.where, record.problem))
            continue
        try:
            drafts.append(convert(record))
        except RecordError as exc:
            skipped.append(Skipped(record.where, str(exc)))
        except (RecursionError, TypeError, ValueError, AttributeError) as exc:  # a value no check foresaw
            skipped.append(Skipped(record.where, f"unusable record ({type(exc).__name__}: {exc})"))
    return drafts, skipped


def keep_labelled(drafts: list[Draft], skipped: list[Skipped], label_field: str, explicit: bool, source: str) -> list[Draft]:
    """Data is labelled when any record has a label; then a record without one is skipped.

    Asking for a label field that no record has is an error, not silently unlabelled data.
    """
    if not any(d.label is not None for d in drafts):
        if explicit and drafts:
            raise InputError(f"{source}: no record has the label field {label_field!r}")
        return drafts
    return _skip_without(drafts, skipped, lambda d: d.label, f"no label in field {label_field!r} (other records have one)")


def keep_identified(drafts: list[Draft], skipped: list[Skipped], id_field: str, source: str) -> list[Draft]:
    """With ``--task-option id_field`` given, ids come from that field (a draft without one has id
    None): no record having it is an error, and a record without one is skipped, since its line
    number would pass for an id that the reports and adversarial.jsonl name it by."""
    if drafts and all(d.id is None for d in drafts):
        raise InputError(f"{source}: no record has the id field {id_field!r} (--task-option id_field)")
    return _skip_without(drafts, skipped, lambda d: d.id, f"no id in field {id_field!r} (other records have one)")


def _skip_without(drafts: list[Draft], skipped: list[Skipped], value, reason: str) -> list[Draft]:
    """The drafts whose ``value`` is not None; the others are skipped with ``reason``."""
    kept = []
    for draft in drafts:
        if value(draft) is None:
            skipped.append(Skipped(draft.where, reason))
        else:
            kept.append(draft)
    return kept


def finish(
    drafts: list[Draft],
    skipped: list[Skipped],
    label_names: tuple[str, ...],
    files: list[Path],
    source: str,
    language: str,
) -> LoadedData:
    """Examples with unique ids, or InputError when nothing usable is left."""
    if not drafts:
        if all(s.reason in (EMPTY_FILE, NO_ROWS) for s in skipped):
            what = skipped[0].reason if len(skipped) == 1 else f"all {len(skipped)} files are empty"
            raise InputError(f"{source}: no data records ({what})")
        first = skipped[0]
        raise InputError(f"{source}: no usable records ({len(skipped)} bad); first problem at {first.where}: {first.reason}")
    examples = [Example(example_id, draft.code, draft.label, draft.extra)
                for example_id, draft in zip(unique_ids([d.id for d in drafts]), drafts)]
    return LoadedData(examples, label_names, skipped, [str(f) for f in files], language)


def unique_ids(ids: list[str]) -> list[str]:
    """Each id as given where it is the first of its spelling, else ``id#N`` with the smallest N
    from 2 up that no record uses (a data set holding "a", "a" and "a#2" gets a, a#3, a#2)."""
    taken = set(ids)
    seen: set[str] = set()
    unique = []
    for given in ids:
        chosen = given
        if given in seen:
            number = 2
            while f"{given}#{number}" in taken:
                number += 1
            chosen = f"{given}#{number}"
            taken.add(chosen)
        seen.add(chosen)
        unique.append(chosen)
    return unique
