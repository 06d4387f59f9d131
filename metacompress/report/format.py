"""How figures read in the human views (markdown, terminal); report.json keeps full precision."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..metrics import Metric, RelationSummary
from .document import ModelRecord, Report

MISSING = "n/a"
INTERVALS_OFF = "off (--bootstrap 0)"

# The columns of the overview tables, in order, with a short heading for the terminal: first
# what the rewrite causes (induced, resolved), then the discrepancy on x and x' side by side.
HEADLINE = (
    ("induced_discrepancy_rate", "induced"),
    ("resolved_discrepancy_rate", "resolved"),
    ("discrepancy_rate_x", "discr x"),
    ("discrepancy_rate", "discr x'"),
    ("student_only_flip_rate", "S-only"),
    ("teacher_only_flip_rate", "T-only"),
    ("prediction_agreement", "agree x'"),
    ("probability_similarity", "JS x'"),
    ("high_confidence_preservation", "conf kept x'"),
    ("teacher_accuracy_drop", "T acc drop"),
    ("student_accuracy_drop", "S acc drop"),
    ("relative_drop", "rel drop"),
)


def number(value: float | None, kind: str) -> str:
    if value is None:
        return MISSING
    return f"{_fixed(100 * value, 1)}%" if kind == "rate" else _fixed(value, 3)


def value_of(row: RelationSummary, metric: str) -> float | None:
    """The metric's value in the row; None when the row lacks it or it is undefined."""
    entry = row.metrics.get(metric)
    return None if entry is None else entry.value


def interval(ci: Sequence[float] | None, kind: str) -> str:
    if not ci:
        return MISSING
    low, high = ci
    if kind == "rate":
        return f"[{_fixed(100 * low, 1)}, {_fixed(100 * high, 1)}]"
    return f"[{_fixed(low, 3)}, {_fixed(high, 3)}]"


def _fixed(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.000"


def counts(entry: Metric) -> str:
    if entry.count is None:
        return f"n={entry.n}"
    return f"{entry.count}/{entry.n}"


def outputs_source(model: ModelRecord) -> str | None:
    """Where a model's outputs came from, e.g. "48 from the prediction store, 12 computed" (the
    distinct inputs of report.json's outputs_from_store and outputs_computed); None when the
    report does not say."""
    if model.outputs_from_store is None and model.outputs_computed is None:
        return None
    return f"{model.outputs_from_store or 0} from the prediction store, {model.outputs_computed or 0} computed"


def headline_columns(report: Report) -> list[tuple[str, str]]:
    """The headline metrics that this report has (label ones only with labels)."""
    present = set(report.all_relations.metrics)
    for row in report.relations.values():
        present |= set(row.metrics)
    return [(name, short) for name, short in HEADLINE if name in present]


def p_value(row: RelationSummary) -> str:
    """McNemar's exact p-value of a row, for the tables."""
    value = row.mcnemar.p_value if row.mcnemar is not None else None
    if value is None:
        return MISSING
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def true_flags(column: pd.Series) -> np.ndarray:
    """A flag column of the samples table as booleans, a missing flag counting as False."""
    return np.array([False if pd.isna(v) else bool(v) for v in column], dtype=bool)
