"""The samples table: one row per input × relation, enough to recompute every metric.

The audit builds it with ``relation_samples`` (inputs a relation applied to) and
``skipped_samples`` (inputs it did not apply to, with the reason), and ``concat_samples``
joins them. The table keeps both models' raw probabilities on x and x', so judging can be
redone later without any model (``metrics_from_samples``), with other thresholds if wanted.

In memory a probability cell is a list of floats; in ``samples.csv`` it is a JSON list with
each float's shortest exact repr (``"[0.12, 0.88]"``), so a value read back is bit-identical.
Cells that do not apply (x' of a skipped input) are missing: ``None`` in memory, empty in CSV.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .core import FLAG_NAMES, FLOAT_FLAGS, MODELS, SIDES, Thresholds, sample_flags

ID_COLUMNS = ("example_id", "relation", "applied", "skip_reason", "label")
PRED_COLUMNS = tuple(f"{m}_pred_{s}" for m in MODELS for s in SIDES)
PROB_COLUMNS = tuple(f"{m}_probs_{s}" for m in MODELS for s in SIDES)
SAMPLE_COLUMNS = ID_COLUMNS + PRED_COLUMNS + PROB_COLUMNS + FLAG_NAMES
# Which model's input a rewrite changed (token ids after truncation), and whether the audit
# re-drew the rewrite to reach the visible window; absent from tables of older versions.
VISIBILITY_COLUMNS = ("teacher_sees_rewrite", "student_sees_rewrite")
# Code travels beside the table (report.md's diffs, rewrites.jsonl), not in samples.csv.
CODE_COLUMNS = ("original_code", "rewritten_code")

_DTYPES = {"applied": "bool", "skip_reason": "str", "label": "Int64",
           **{c: "Int64" for c in PRED_COLUMNS},
           **{c: "float64" if c in FLOAT_FLAGS else "boolean" for c in FLAG_NAMES}}


def relation_samples(relation: str, example_ids: Sequence[Any], *, T_x: np.ndarray, T_xp: np.ndarray,
                     S_x: np.ndarray, S_xp: np.ndarray, labels: Sequence[Any] | None = None,
                     thresholds: Thresholds = Thresholds(),
                     extra: Mapping[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """Rows for the inputs ``relation`` applied to: predictions, probabilities and flags.

    The probability arrays are keyword-only, like ``sample_flags``'s."""
    probs = dict(zip(PROB_COLUMNS, (T_x, T_xp, S_x, S_xp)))
    n = len(example_ids)
    frame = _base(relation, example_ids, [True] * n, [""] * n, labels)
    for column, array in probs.items():
        array = np.asarray(array, dtype=np.float64)
        frame[column.replace("probs", "pred")] = array.argmax(axis=1) if n else []
        frame[column] = _cells(array)
    if n:
        for name, values in sample_flags(T_x=T_x, T_xp=T_xp, S_x=S_x, S_xp=S_xp, thresholds=thresholds).items():
            frame[name] = values
    return _finish(frame, extra)


def skipped_samples(relation: str, example_ids: Sequence[Any], skip_reasons: Sequence[str],
                    labels: Sequence[Any] | None = None, *, T_x: np.ndarray | None = None,
                    S_x: np.ndarray | None = None,
                    extra: Mapping[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """Rows for inputs ``relation`` did not apply to; originals' probabilities if known."""
    n = len(example_ids)
    frame = _base(relation, example_ids, [False] * n, list(skip_reasons), labels)
    for model, array in (("teacher", T_x), ("student", S_x)):
        if array is not None and n:
            array = np.asarray(array, dtype=np.float64)
            frame[f"{model}_pred_x"] = array.argmax(axis=1)
            frame[f"{model}_probs_x"] = _cells(array)
    return _finish(frame, extra)


def concat_samples(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Join per-relation frames into one table with the standard columns first."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return _finish(pd.DataFrame({c: [] for c in ID_COLUMNS}), None)
    return _finish(pd.concat(frames, ignore_index=True), None)


def encode_probs(cell: Any) -> str:
    """One probability vector as JSON with exact float reprs; '' when missing."""
    if _missing(cell):
        return ""
    return json.dumps([float(v) for v in cell])


def decode_probs(cells: Iterable[Any]) -> np.ndarray:
    """A column of probability cells (lists, arrays or JSON strings) as an [n, L] array."""
    rows = [json.loads(c) if isinstance(c, str) else c for c in cells]
    if not rows:
        return np.zeros((0, 2))
    return np.asarray(rows, dtype=np.float64)


def has_probs(cells: Iterable[Any]) -> np.ndarray:
    """Which cells hold a probability vector."""
    return np.array([not _missing(c) for c in cells], dtype=bool)


def _cells(array: np.ndarray) -> pd.Series:
    return pd.Series(array.tolist(), dtype="object")


def _missing(cell: Any) -> bool:
    if isinstance(cell, (list, tuple, np.ndarray)):
        return False
    return cell is None or (isinstance(cell, str) and not cell.strip()) or bool(pd.isna(cell))


def _base(relation: str, example_ids: Sequence[Any], applied: list[bool], reasons: list[str],
          labels: Sequence[Any] | None) -> pd.DataFrame:
    n = len(example_ids)
    if len(reasons) != n or (labels is not None and len(labels) != n):
        raise ValueError("example_ids, skip_reasons and labels must have the same length")
    return pd.DataFrame({
        "example_id": [str(i) for i in example_ids],
        "relation": [relation] * n,
        "applied": applied,
        "skip_reason": reasons,
        "label": pd.array(list(labels) if labels is not None else [None] * n, dtype="Int64"),
    })


def _finish(frame: pd.DataFrame, extra: Mapping[str, Sequence[Any]] | None) -> pd.DataFrame:
    for name, values in (extra or {}).items():
        if name in SAMPLE_COLUMNS:
            raise ValueError(f"extra column {name!r} would overwrite a standard column")
        frame[name] = list(values)
    for column in SAMPLE_COLUMNS:
        if column not in frame:
            frame[column] = pd.Series([None] * len(frame), dtype=_DTYPES.get(column, "object"))
    for column, dtype in _DTYPES.items():
        frame[column] = frame[column].astype(dtype)
    for column in PROB_COLUMNS:
        frame[column] = frame[column].astype("object")
    ordered = list(SAMPLE_COLUMNS) + [c for c in frame.columns if c not in SAMPLE_COLUMNS]
    return frame[ordered].reset_index(drop=True)
