"""samples.csv (one row per input × relation) and rewrites.jsonl (the code behind each row).

samples.csv holds everything judging needs: ids, labels, predictions, both models'
probabilities on x and x' as exact JSON lists, the flags, and any extra columns the audit
added. The code itself (``original_code``, ``rewritten_code``) would make the table huge and
unreadable in a spreadsheet, so it goes to rewrites.jsonl, one JSON object per row of
samples.csv in the same order: ``{"example_id", "relation", "applied", "original_code",
"rewritten_code"}``. Read samples.csv back with ``read_samples_csv``.

A text cell that a spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a
carriage return) is written with a leading ``'`` (``escape.csv_cell``); ``read_samples_csv``
takes it off again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..metrics import CODE_COLUMNS, FLAG_NAMES, PROB_COLUMNS, SAMPLE_COLUMNS, encode_probs
from ..metrics.core import FLOAT_FLAGS
from ..metrics.samples import PRED_COLUMNS, VISIBILITY_COLUMNS
from .escape import csv_cell, csv_value

_BOOLEAN = FLAG_NAMES + VISIBILITY_COLUMNS
_NULLABLE = ("label",) + PRED_COLUMNS + _BOOLEAN  # empty cell = missing


def samples_for_csv(samples: pd.DataFrame) -> pd.DataFrame:
    """The table as written: standard columns first, probabilities as JSON, no code."""
    front = [c for c in SAMPLE_COLUMNS if c in samples.columns]
    rest = [c for c in samples.columns if c not in SAMPLE_COLUMNS and c not in CODE_COLUMNS]
    out = samples[front + rest].copy()
    for column in PROB_COLUMNS:
        if column in out:
            out[column] = [encode_probs(cell) for cell in out[column]]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):  # text columns (object or str dtype)
            out[column] = [csv_cell(cell) for cell in out[column]]
    return out


def write_samples_csv(samples: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    # CRLF rows (RFC 4180): the writer then quotes a cell holding a bare "\r", which a "\n"-ended
    # file leaves bare and every reader takes for the end of a row
    samples_for_csv(samples).to_csv(path, index=False, lineterminator="\r\n")
    return path


def read_samples_csv(path: str | Path) -> pd.DataFrame:
    """samples.csv as written, with its types back (nullable ints and booleans)."""
    path = Path(path)
    try:
        # Only the columns that may be missing treat '' as missing: an id may well be "NA".
        frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                            na_values={c: [""] for c in _NULLABLE})
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read the samples table ({error})") from None
    frame = frame.map(csv_value)
    missing = [c for c in ("example_id", "relation", "applied") if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: not a samples table (no column {', '.join(missing)})")
    try:
        frame["applied"] = frame["applied"].map(_boolean).astype(bool)
        for column in _BOOLEAN:
            if column in frame and column not in FLOAT_FLAGS:
                frame[column] = frame[column].map(_boolean).astype("boolean")
        for column in ("label",) + PRED_COLUMNS:
            if column in frame:
                frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        for column in FLOAT_FLAGS:
            if column in frame:
                frame[column] = pd.to_numeric(frame[column]).astype("float64")
    except (ValueError, TypeError, KeyError) as error:
        raise InputError(f"{path}: malformed value in the samples table ({error})") from None
    return frame


def _boolean(value):
    if value is None or (isinstance(value, float) and value != value):
        return pd.NA
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def write_rewrites_jsonl(samples: pd.DataFrame, path: str | Path) -> Path | None:
    """The code of each row, when the table carries it; None (nothing written) otherwise."""
    if not all(c in samples.columns for c in CODE_COLUMNS):
        return None
    path = Path(path)
    with path.open("w", encoding="utf-8") as handle:
        for row in samples[["example_id", "relation", "applied", *CODE_COLUMNS]].itertuples(index=False):
            record = {"example_id": str(row.example_id), "relation": row.relation,
                      "applied": bool(row.applied),
                      "original_code": _text(row.original_code),
                      "rewritten_code": _text(row.rewritten_code) if row.applied else None}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _text(value) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)
