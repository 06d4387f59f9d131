"""``--fail-on`` gates: conditions on report metrics that make a CI job fail.

A condition is ``[SCOPE:]METRIC OP NUMBER`` with OP one of ``> >= < <=`` and NUMBER a plain
number or a percentage (``5%`` is 0.05; rates are shares in [0, 1]):

- no scope, or ``all:``  -> the "all relations" row (every applied input × relation pooled);
- ``RELATION:``          -> that relation's row, e.g. ``rename-identifiers:student_flip_rate>=0.05``;
- ``*:``                 -> every relation's row: breached when it holds for any of them;
- ``baseline:``          -> the source-only baseline on the originals.

A condition *holds* (the gate is breached) when the metric's value satisfies it. A metric that
has no value in the report (a label metric without labels, a relation that applied to no
input, ``high_confidence_preservation`` with no confident teacher) cannot be evaluated: the
gate is reported as "not evaluated" and does not breach, so a gate never fails on a figure
that does not exist. A typo in a metric or relation name is a usage error, not a silent pass.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping, Protocol

from ..errors import GateBreached, UsageError
from .core import AUDIT, BASELINE_METRICS, METRICS, Metric

OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
ALL, ANY, BASELINE = "all", "*", "baseline"
#: what a condition looks like, as the audit's usage errors say it (``metacompress attack`` says its own)
GATE_FORM = ("[RELATION:]METRIC OP NUMBER with OP one of > >= < <=, "
             "e.g. 'rename-identifiers:student_flip_rate>=0.05'")
_PATTERN = re.compile(r"^\s*(?:(?P<scope>[^:<>=]+?)\s*:)?\s*(?P<metric>[A-Za-z0-9_\-]+)\s*"
                      r"(?P<op>>=|<=|>|<)\s*(?P<number>\S+)\s*$")


@dataclass(frozen=True)
class Gate:
    """A parsed condition."""

    condition: str  # as the user wrote it
    scope: str  # "all", "*", "baseline" or a relation name
    metric: str
    op: str
    threshold: float


@dataclass(frozen=True)
class GateResult:
    """One gate on one row: breached (``holds``), passed, or not evaluated (value is None)."""

    condition: str
    relation: str  # "all", "baseline" or the relation name
    metric: str
    op: str
    threshold: float
    value: float | None
    holds: bool

    @property
    def status(self) -> str:
        if self.value is None:
            return "not evaluated"
        return "breached" if self.holds else "passed"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "GateResult":
        """From a report.json entry; ``status`` is derived, so not read."""
        return cls(data["condition"], data["relation"], data["metric"], data["op"], data["threshold"],
                   data["value"], data["holds"])


class _Row(Protocol):
    metrics: dict[str, Metric]


class JudgedRows(Protocol):
    """What gates are checked against: a ``Summary``, a ``Judgement`` or a report ``Report``."""

    relations: Mapping[str, _Row]
    all_relations: _Row
    baseline: _Row


def parse_gate(condition: str, relations: Iterable[str] | None = None,
               metrics: Iterable[str] | None = None, form: str = GATE_FORM,
               shares: Iterable[str] | None = None) -> Gate:
    """Parse one condition; with ``relations`` also check that its relation exists. ``metrics``
    replaces the registered metric names, ``shares`` the names of those that are shares (default:
    run's) and ``form`` the syntax a malformed condition is told (``metacompress attack`` gates
    on its own figures and rows). A share's threshold must lie in [0, 1]: beyond it the gate
    could never be breached, or always would be."""
    match = _PATTERN.match(condition or "")
    if not match:
        raise UsageError(f"--fail-on {condition!r}: expected {form}")
    scope = (match["scope"] or ALL).strip()
    metric, op = match["metric"], match["op"]
    known = tuple(metrics) if metrics is not None else BASELINE_METRICS if scope == BASELINE else tuple(METRICS)
    if metric not in known:
        raise UsageError(f"--fail-on {condition!r}: unknown metric {metric!r}{_hint(metric, known)}; "
                         f"known: {', '.join(known)}")
    number = match["number"]
    try:
        threshold = float(number[:-1]) / 100 if number.endswith("%") else float(number)
    except ValueError:
        raise UsageError(f"--fail-on {condition!r}: {match['number']!r} is not a number") from None
    if not math.isfinite(threshold):
        raise UsageError(f"--fail-on {condition!r}: the threshold must be a finite number, not {number!r}")
    if metric in (shares if shares is not None else share_metrics(AUDIT)) and not 0 <= threshold <= 1:
        raise UsageError(f"--fail-on {condition!r}: {metric} is a share, so its threshold lies between 0 and 1 "
                         f"(or 0% and 100%), not {number}")
    if relations is not None:
        _check_scope(condition, scope, list(relations))
    return Gate(condition, scope, metric, op, threshold)


def parse_gates(conditions: Iterable[str], relations: Iterable[str] | None = None,
                metrics: Iterable[str] | None = None, form: str = GATE_FORM,
                shares: Iterable[str] | None = None) -> list[Gate]:
    relations = list(relations) if relations is not None else None
    metrics = list(metrics) if metrics is not None else None
    shares = list(shares) if shares is not None else None
    return [parse_gate(c, relations, metrics, form, shares) for c in conditions]


def share_metrics(*scopes: str) -> list[str]:
    """The figures of these scopes that are shares (kind "rate": between 0 and 1)."""
    return [s.name for scope in scopes for s in METRICS.values(scope) if s.kind == "rate"]


def evaluate_gates(conditions: Iterable[str | Gate], judged: JudgedRows) -> list[GateResult]:
    """Evaluate conditions against judged rows (per relation, pooled, baseline)."""
    relations = list(judged.relations)
    results = []
    for condition in conditions:
        gate = condition if isinstance(condition, Gate) else parse_gate(condition)
        _check_scope(gate.condition, gate.scope, relations)
        rows = relations if gate.scope == ANY else [gate.scope]
        for row in rows:
            value = _value(judged, row, gate.metric)
            holds = value is not None and OPERATORS[gate.op](value, gate.threshold)
            results.append(GateResult(gate.condition, row, gate.metric, gate.op, gate.threshold,
                                      value, holds))
    return results


def breached(results: Iterable[GateResult]) -> list[GateResult]:
    return [r for r in results if r.holds]


def raise_if_breached(results: Iterable[GateResult]) -> None:
    """Raise GateBreached (exit code 1) naming every breached gate; call after writing reports."""
    failed = breached(results)
    if failed:
        parts = [f"{r.condition} ({r.relation}: {r.metric} = {r.value:.4g})" for r in failed]
        raise GateBreached(f"{len(failed)} --fail-on gate(s) breached: {'; '.join(parts)}")


def _value(judged: JudgedRows, row: str, metric: str) -> float | None:
    if row == ALL:
        section = judged.all_relations
    elif row == BASELINE:
        section = judged.baseline
    else:
        section = judged.relations[row]
    entry = section.metrics.get(metric)
    return None if entry is None else entry.value


def _check_scope(condition: str, scope: str, relations: list[str]) -> None:
    if scope in (ALL, ANY, BASELINE) or scope in relations:
        return
    raise UsageError(f"--fail-on {condition!r}: relation {scope!r} is not in this run"
                     f"{_hint(scope, relations)}; use one of {', '.join(relations) or '(none)'}, "
                     f"'all' or '*'")


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
