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


TOO_FEW_MARK = " (too few)"


def row_label(label: str, row: RelationSummary) -> str:
    """A row's label, marked when it has too few judged inputs to be read beside the others."""
    return label + TOO_FEW_MARK if row.too_few else label


def too_few_note(report: Report) -> str | None:
    from ..metrics.summary import MIN_JUDGED

    marked = [label for label, row in report.rows() if row.too_few]
    if not marked:
        return None
    return (f"(too few): fewer than {MIN_JUDGED} judged inputs; its figures are shown but not "
            f"comparable with the other rows ({', '.join(marked)})")


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
        return f"n={_count(entry.n)}"
    return f"{_count(entry.count)}/{_count(entry.n)}"


def _count(value: int | float) -> str:
    """A count; an expected count over several rewrites (--rewrites) with one decimal."""
    return str(value) if isinstance(value, int) else f"{value:.1f}"


PER_ORIGINAL_TEXT = ("*all relations* weighs every judged (input, relation) row alike, so an original that "
                     "many relations apply to counts many times; *per original (macro)* weighs every "
                     "original once, its relations (compose left out: it repeats the others' edits) "
                     "equally. Intervals of both resample originals.")


def per_original_note(report: Report) -> str | None:
    return PER_ORIGINAL_TEXT if report.per_original is not None else None


# the rates whose rewrite-draw share the views show (report.json has the whole split)
DRAW_COLUMNS = (("discrepancy_rate", "discr x'"), ("induced_discrepancy_rate", "induced"),
                ("student_flip_rate", "S flip"), ("teacher_flip_rate", "T flip"))


def rewrite_draw_table(report: Report) -> tuple[list[str], list[list[str]]] | None:
    """Per row: the share of each rate's variance (of per-original means) from the rewrite draw;
    None when no row drew several rewrites."""
    rows = [(label, row) for label, row in report.rows() if row.rewrite_draw]
    if not rows:
        return None
    header = ["relation", "originals with >= 2 rewrites"] + [short for _, short in DRAW_COLUMNS]

    def share(row: RelationSummary, metric: str) -> str:
        split = row.rewrite_draw.get(metric)
        return MISSING if split is None or split.share is None else f"{100 * split.share:.0f}%"

    units = lambda row: str(next(iter(row.rewrite_draw.values())).units)  # noqa: E731
    return header, [[row_label(label, row), units(row)] + [share(row, m) for m, _ in DRAW_COLUMNS]
                    for label, row in rows]


DRAW_TEXT = ("Share of the variance of a per-original mean that comes from the rewrite draw itself "
             "(the variance across an original's rewrites over their number, against the variance of "
             "the means; 0%: every rewrite of an original behaves alike). Rates average each "
             "original's rewrites; intervals resample originals.")


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
    rows = [row for _, row in report.rows()]
    # a ratio whose denominator is below its minimum everywhere leaves the headline (the
    # metric's null_reason in report.json says why)
    return [(name, short) for name, short in HEADLINE if name in present
            and (name != "relative_drop" or any(value_of(row, name) is not None for row in rows))]


def p_value(row: RelationSummary, adjusted: bool = False) -> str:
    """McNemar's p-value of a row (exact, or clustered where rows share clusters), raw or
    adjusted for multiplicity, for the tables."""
    test = row.mcnemar
    value = None if test is None else test.p_adjusted if adjusted else test.p_value
    if value is None:
        return MISSING
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def true_flags(column: pd.Series) -> np.ndarray:
    """A flag column of the samples table as booleans, a missing flag counting as False."""
    return np.array([False if pd.isna(v) else bool(v) for v in column], dtype=bool)
