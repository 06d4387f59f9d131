"""Clone detection: is a pair of methods a semantic clone? (BigCloneBench, Java by default.)

Two layouts are read:
- JSON Lines (or CSV) with one pair per record: ``code1``, ``code2``, ``label`` (1 = clone), and
  optional ``id1``/``id2``, as in the ALERT/Compressor test split.
- CodeXGLUE's BigCloneBench layout: ``data.jsonl`` (``idx``, ``func``) plus pair files of
  ``idx1 idx2 label`` lines (``train.txt``, ``valid.txt``, ``test.txt``). ``--data`` names a pair
  file (data.jsonl beside it) or the folder (``test.txt`` unless the ``pairs`` option says which).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from ..errors import InputError, UsageError
from .base import LoadedData, Task, register_task
from .formats import (
    Draft,
    Record,
    binary_label,
    check_language,
    check_options,
    code_field,
    data_files,
    draft_all,
    finish,
    keep_labelled,
    read_codexglue_pairs,
    read_records,
    record_id,
)

FUNCTIONS_FILE = "data.jsonl"


@register_task
class CloneDetection(Task):
    name = "clone-detection"
    summary = "Is a pair of methods a clone? Pairs from JSONL/CSV or CodeXGLUE's data.jsonl + pair file."
    default_language = "java"
    is_pair = True
    label_names: ClassVar[tuple[str, ...]] = ("not-clone", "clone")
    options: ClassVar[dict[str, str]] = {
        "language": "language of both methods (default java)",
        "first_field": "field holding the first method (default code1)",
        "second_field": "field holding the second method (default code2)",
        "label_field": "field holding the label, 1 = clone (default label; optional)",
        "pairs": "CodeXGLUE layout: the pair file to read, relative to the data folder (default test.txt)",
    }

    def load(self, path: str, **options: Any) -> LoadedData:
        check_options(self.name, options, self.options)
        language = check_language(self.name, options.get("language"), self.default_language)
        first = options.get("first_field") or "code1"
        second = options.get("second_field") or "code2"
        label_field = options.get("label_field") or "label"
        layout = _codexglue_layout(Path(path), options.get("pairs"))
        if layout:
            pair_file, functions_file = layout
            files = [pair_file, functions_file]
            records = read_codexglue_pairs(pair_file, functions_file)
            first, second, label_field = "code1", "code2", "label"
        else:
            files = data_files(path)
            records = read_records(files)

        def convert(record: Record) -> Draft:
            fields = record.fields
            code = (code_field(fields, first), code_field(fields, second))
            label = binary_label(fields.get(label_field), label_field)
            extra = {k: v for k, v in fields.items() if k not in (first, second, label_field)}
            return Draft(record.where, record_id(fields, ("id1", "id2"), record.where), code, label, extra)

        drafts, skipped = draft_all(records, convert)
        drafts = keep_labelled(drafts, skipped, label_field, bool(options.get("label_field")), str(path))
        return finish(drafts, skipped, self.label_names, files, str(path), language)


def _codexglue_layout(path: Path, pairs: str | None) -> tuple[Path, Path] | None:
    """(pair file, data.jsonl) when ``path`` is in CodeXGLUE's layout, else None."""
    if path.is_dir():
        folder = path
        if pairs:
            pair_file = folder / pairs
        elif not (folder / FUNCTIONS_FILE).is_file():
            return None
        else:
            pair_file = _default_pair_file(folder)
    elif path.is_file() and (pairs or path.suffix.lower() not in (".jsonl", ".csv")):
        folder = path.parent
        pair_file = folder / pairs if pairs else path
    else:
        return None
    functions_file = folder / FUNCTIONS_FILE
    if not pair_file.is_file():
        raise InputError(f"{pair_file}: no such pair file")
    if not functions_file.is_file():
        raise InputError(f"{functions_file}: not found (CodeXGLUE pair files need data.jsonl beside them)")
    return pair_file, functions_file


def _default_pair_file(folder: Path) -> Path:
    if (folder / "test.txt").is_file():
        return folder / "test.txt"
    candidates = sorted(p.name for p in folder.glob("*.txt"))
    if len(candidates) == 1:
        return folder / candidates[0]
    if not candidates:
        raise InputError(f"{folder}: has {FUNCTIONS_FILE} but no pair file (idx1 idx2 label lines, e.g. test.txt)")
    raise UsageError(f"{folder}: several pair files ({', '.join(candidates)}); choose one with the 'pairs' option "
                     "(--task-option pairs=NAME)")
