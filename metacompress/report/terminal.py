"""A compact fixed-width summary for the terminal: one line per relation, then gates."""

from __future__ import annotations

from typing import Sequence

from ..metrics import GateResult
from ..printable import visible
from .document import Report
from .format import INTERVALS_OFF, headline_columns, number, p_value, row_label, too_few_note, value_of

_BASELINE = (("prediction_agreement_original", "agreement"), ("teacher_accuracy_x", "teacher acc"),
             ("student_accuracy_x", "student acc"))


def render_terminal(report: Report) -> str:
    """Plain text, no colour, no dependency: safe for CI logs."""
    columns = headline_columns(report)
    header = ["relation", "applied", "unseen", "skipped"] + [short for _, short in columns] + ["McNemar p", "adj p"]
    body = []
    for label, row in report.rows():
        cells = [visible(row_label(label, row)), str(row.applied), str(row.visibility.unseen), str(row.not_applicable)]
        cells += [number(value_of(row, name), report.kind_of(name)) for name, _ in columns]
        clustered = row.mcnemar is not None and row.mcnemar.method == "clustered"
        body.append(cells + [p_value(row) + ("*" if clustered else ""), p_value(row, adjusted=True)])
    lines = _table(header, body)
    pooled = len(report.relations) + 1  # header and relations above: set the pooled rows apart
    lines.insert(pooled, "-" * len(lines[0]))
    if any(cells[-2].endswith("*") for cells in body):
        lines.append(f"* clustered McNemar test (rows share an original or a function); adj p: "
                     f"{report.judging.p_adjust} over the relations")
    if too_few_note(report):
        lines.append(visible(too_few_note(report)))
    lines.append(_baseline_line(report))
    lines.extend(_notes(report))
    lines.extend(gate_lines(report.gates))
    return "\n".join(lines) + "\n"


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]).rstrip()

    return [line(header)] + [line(cells) for cells in body]


def _baseline_line(report: Report) -> str:
    baseline = report.baseline
    parts = [f"{label} {number(baseline.metrics[name].value, 'rate')}"
             for name, label in _BASELINE if name in baseline.metrics]
    return f"baseline on the originals (n={baseline.n}): " + (", ".join(parts) or "n/a")


def _notes(report: Report) -> list[str]:
    """Skipped records and switched-off intervals: what a reader must know to trust the table."""
    lines = []
    data = report.run.data
    if data is not None and data.skip_reasons:
        lines.append(skipped_line(data.records_skipped, data.skip_reasons))
    failures = _row_failures(report)
    if failures:
        shown = "; ".join(f"{visible(reason)} ({n})" for reason, n in failures[:3]) + ("; ..." if len(failures) > 3 else "")
        lines.append(f"rows skipped for a failure: {sum(n for _, n in failures)} ({shown})")
    if report.judging.n_bootstrap == 0:
        lines.append(f"intervals: {INTERVALS_OFF}")
    return lines


def skipped_line(records_skipped: int, skip_reasons: dict[str, int]) -> str:
    """One line: how many data records were skipped, and the three commonest reasons (``attack`` too)."""
    top = sorted(skip_reasons.items(), key=lambda item: -item[1])
    shown = "; ".join(f"{visible(reason)} ({n})" for reason, n in top[:3]) + ("; ..." if len(top) > 3 else "")
    return f"skipped records: {records_skipped} ({shown})"


def _row_failures(report: Report) -> list[tuple[str, int]]:
    """(relation: reason, count) of rows skipped because something failed, not for lack of a site."""
    found = [(f"{name}: {reason}", n) for name, row in report.relations.items()
             for reason, n in row.skip_reasons.items() if not reason.startswith("not applicable")]
    return sorted(found, key=lambda item: -item[1])


def gate_lines(gates: Sequence[GateResult]) -> list[str]:
    """The gates' tally and one line per gate (``run``'s and ``attack``'s terminal summary)."""
    if not gates:
        return []
    tally = {s: sum(g.status == s for g in gates) for s in ("breached", "passed", "not evaluated")}
    lines = ["gates: " + ", ".join(f"{n} {s}" for s, n in tally.items() if n)]
    for gate in gates:
        value = "no value" if gate.value is None else f"{gate.value:.4g}"
        lines.append(f"  {gate.status.upper():<13}  {visible(gate.condition)}  [{visible(gate.relation)}: {value}]")
    return lines
