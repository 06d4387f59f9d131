"""The figures of report.html, drawn with matplotlib and returned as inline SVG text.

Every function takes plain numbers and returns one ``<svg>`` element, with nothing fetched from
elsewhere: text stays text (``svg.fonttype = none``, generic font families, so no embedded or
remote fonts), and the output is byte-stable for the same input (fixed hash salt, no date), so two
runs of the same audit write the same page. matplotlib is imported here only, when a page is drawn.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

TEACHER = "#1f77b4"
STUDENT = "#d62728"
STUDENT_ONLY = "#9467bd"
GRID = "#dddddd"
SVG_SETTINGS = {
    "svg.fonttype": "none",
    "svg.hashsalt": "metacompress",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9,
}


@dataclass(frozen=True)
class Estimate:
    """A rate with its 95% interval (``low``/``high`` are None when intervals are off)."""

    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Series:
    """One coloured series of a forest plot: an estimate per row (None where it has none)."""

    name: str
    estimates: Sequence[Estimate]
    colour: str
    marker: str = "o"


PALETTE = ((TEACHER, "o"), (STUDENT, "s"), (STUDENT_ONLY, "D"), ("#2ca02c", "^"), ("#ff7f0e", "v"),
           ("#8c564b", "P"), ("#e377c2", "X"), ("#17becf", "*"))


def forest_plot(labels: Sequence[str], series: Sequence[Series], xlabel: str) -> str:
    """Estimates with their 95% intervals, one row per label and one offset mark per series."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(7.2, (0.14 + 0.09 * len(series)) * len(labels) + 1.1))
        axes = figure.add_subplot()
        positions = np.arange(len(labels))[::-1]
        spread = 0.6 / max(len(series), 1)
        for k, one in enumerate(series):
            offset = (k - (len(series) - 1) / 2) * spread
            _forest_series(axes, positions - offset, list(one.estimates), one.name, one.colour, one.marker)
        axes.set_yticks(positions, list(labels))
        axes.set_xlabel(xlabel)
        axes.xaxis.set_major_formatter(_percent())
        axes.set_xlim(left=0)
        axes.grid(axis="x", color=GRID)
        axes.set_axisbelow(True)
        if axes.get_legend_handles_labels()[0]:  # no series has a value: a legend would be empty
            axes.legend(loc="lower right", frameon=False, ncol=min(len(series), 3), fontsize=8, bbox_to_anchor=(1, 1))
        figure.tight_layout()
        return _svg(figure)


def _forest_series(axes, positions, estimates: list[Estimate], name: str, colour: str, marker: str) -> None:
    shown = [(y, e) for y, e in zip(positions, estimates) if e.value is not None]
    if not shown:
        return
    ys = np.array([y for y, _ in shown])
    values = np.array([e.value for _, e in shown])
    with_ci = [(y, e) for y, e in shown if e.low is not None and e.high is not None]
    if with_ci:
        axes.hlines([y for y, _ in with_ci], [e.low for _, e in with_ci], [e.high for _, e in with_ci],
                    color=colour, linewidth=1.2)
    axes.plot(values, ys, linestyle="none", marker=marker, markersize=4.5, color=colour, label=name)


@dataclass(frozen=True)
class Reliability:
    """One model on one side (x or x'): top-label confidence and whether that label was right."""

    label: str
    confidence: np.ndarray
    correct: np.ndarray
    colour: str
    dashed: bool = False


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per equal-width confidence bin: mean confidence, accuracy and count (the bins of the ECE)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    count = np.bincount(index, minlength=bins)
    total_confidence = np.bincount(index, weights=confidence, minlength=bins)
    total_correct = np.bincount(index, weights=correct.astype(float), minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total_confidence / count, total_correct / count, count


def reliability_diagram(curves: Sequence[Reliability], bins: int) -> str:
    """Accuracy against confidence per bin; the diagonal is perfect calibration."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(4.2, 3.8))
        axes = figure.add_subplot()
        axes.plot([0, 1], [0, 1], color="#888888", linewidth=0.8, linestyle=":", label="perfect calibration")
        for curve in curves:
            mean_confidence, accuracy, count = reliability_bins(curve.confidence, curve.correct, bins)
            filled = count > 0
            axes.plot(mean_confidence[filled], accuracy[filled], marker="o", markersize=3.5, color=curve.colour,
                      linestyle="--" if curve.dashed else "-", linewidth=1.2, label=f"{curve.label} (n={len(curve.confidence)})")
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_xlabel("confidence (top probability), binned")
        axes.set_ylabel("accuracy in bin")
        axes.grid(color=GRID)
        axes.legend(loc="upper left", frameon=False, fontsize=7.5)
        figure.tight_layout()
        return _svg(figure)


def probability_map(teacher: np.ndarray, student: np.ndarray, positive: str, side: str = "x'") -> str:
    """Teacher against student probability of the positive label: a 2-D histogram (inputs per hexagon)."""
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(4.4, 3.8))
        axes = figure.add_subplot()
        if len(teacher):
            # hexagons only where inputs fall: an empty cell costs nothing in the SVG
            cells = axes.hexbin(teacher, student, gridsize=24, extent=(0, 1, 0, 1), mincnt=1, cmap="viridis",
                                norm=LogNorm(), linewidths=0.2)
            figure.colorbar(cells, ax=axes).set_label("inputs per cell")
        axes.plot([0, 1], [0, 1], color="#888888", linewidth=0.8, linestyle=":")
        axes.axvline(0.5, color=GRID, linewidth=0.8)
        axes.axhline(0.5, color=GRID, linewidth=0.8)
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_xlabel(f"teacher P({positive} | {side})")
        axes.set_ylabel(f"student P({positive} | {side})")
        figure.tight_layout()
        return _svg(figure)


@dataclass
class ThresholdCurve:
    """One panel of the threshold plot: the grid, the chosen threshold, metric -> values."""

    title: str
    chosen: float
    grid: Sequence[float]
    values: dict[str, Sequence[float | None]]


def threshold_plot(curves: Sequence[ThresholdCurve]) -> str:
    """Each threshold metric against its threshold, one panel per threshold, the run's own
    threshold marked: a curve steep there is a knife edge."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(4.0 * max(1, len(curves)), 3.4))
        for index, curve in enumerate(curves):
            axes = figure.add_subplot(1, len(curves), index + 1)
            for (name, values), (colour, marker) in zip(curve.values.items(), PALETTE):
                ys = np.array([np.nan if v is None else v for v in values], dtype=float)
                axes.plot(curve.grid, ys, color=colour, marker=marker, markersize=3, linewidth=1.2, label=name)
            axes.axvline(curve.chosen, color="#888888", linestyle="--", linewidth=0.9, label=f"setting ({curve.chosen:g})")
            axes.set_ylim(0, 1)
            axes.yaxis.set_major_formatter(_percent())
            axes.set_xlabel(curve.title)
            axes.grid(color=GRID)
            axes.legend(loc="best", frameon=False, fontsize=7)
        figure.tight_layout()
        return _svg(figure)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=None)


class _style:
    """matplotlib's rc settings for the duration of one figure, restored afterwards.

    Warnings raised while drawing are dropped: the figure is drawn regardless, and a warning such
    as "Tight layout not applied" (a long relation name) is noise on the stderr of a run that
    succeeded, which the reader of report.html never needs.
    """

    def __enter__(self):
        import matplotlib

        self._quiet = warnings.catch_warnings()
        self._quiet.__enter__()
        warnings.simplefilter("ignore")
        self._context = matplotlib.rc_context(SVG_SETTINGS)
        self._context.__enter__()

    def __exit__(self, *exc_info):
        try:
            return self._context.__exit__(*exc_info)
        finally:
            self._quiet.__exit__(*exc_info)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.index("<svg")
    # The XML prologue and DOCTYPE are not allowed inline in HTML; comments and the RDF
    # metadata block only add bytes.
    text = re.sub(r"<!--.*?-->", "", text[start:], flags=re.S)
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S).strip()


@dataclass(frozen=True)
class Curve:
    """One line of a budget plot: an estimate at each budget (queries per input)."""

    name: str
    budgets: Sequence[int]
    estimates: Sequence[Estimate]
    colour: str
    marker: str = "o"
    dashed: bool = False


def budget_plot(curves: Sequence[Curve], gaps: Sequence[Curve] = ()) -> str:
    """Success rate against the query budget (log x), each curve with its 95% band; where ``gaps``
    are given, a second panel holds them (a difference of rates, 0 marked)."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(4.8 * (2 if gaps else 1), 3.7))
        axes = figure.add_subplot(1, 2 if gaps else 1, 1)
        _budget_axes(axes, curves, "success rate, 95% interval", (0, 1))
        if gaps:
            right = figure.add_subplot(1, 2, 2)
            right.axhline(0, color="#888888", linewidth=0.9)
            _budget_axes(right, gaps, "student minus teacher, 95% interval", (-1, 1))
        figure.tight_layout()
        return _svg(figure)


def _budget_axes(axes, curves: Sequence[Curve], ylabel: str, limits: tuple[float, float]) -> None:
    for curve in curves:
        xs = np.array(curve.budgets, dtype=float)
        ys = np.array([np.nan if e.value is None else e.value for e in curve.estimates], dtype=float)
        # a point without an interval (every resample equal to it) is a band of no width, not a gap
        low = np.array([e.value if e.low is None else e.low for e in curve.estimates], dtype=float)
        high = np.array([e.value if e.high is None else e.high for e in curve.estimates], dtype=float)
        if (np.isfinite(low) & (low != high)).any():
            axes.fill_between(xs, low, high, color=curve.colour, alpha=0.15, linewidth=0)
        axes.plot(xs, ys, color=curve.colour, marker=curve.marker, markersize=3.5, linewidth=1.3,
                  linestyle="--" if curve.dashed else "-", label=curve.name)
    axes.set_xscale("log")
    budgets = sorted({b for curve in curves for b in curve.budgets})
    axes.set_xticks(budgets, [str(b) for b in budgets])
    axes.minorticks_off()
    axes.set_ylim(*limits)
    axes.yaxis.set_major_formatter(_percent())
    axes.set_xlabel("queries per input and model (log scale)")
    axes.set_ylabel(ylabel)
    axes.grid(color=GRID)
    axes.set_axisbelow(True)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", frameon=False, fontsize=7.5)
