"""Several attacks side by side: ``compare_attacks(folders) -> AttackComparison``.

Each folder is what ``metacompress attack`` wrote (report.json and adversarial.jsonl). Attacks
are comparable when they searched the same inputs (``ATTACK_MUST_MATCH``) for the same goal with
the same budget; what they may differ in (models, strategy, recipe, seed) is what a comparison is
for, and is listed. Per attacked model ("teacher", "student", "disagree") the comparison reads
each report's budget curve and figures as written; where two reports attacked the same inputs,
an exact McNemar test pairs their per-input successes at the full budget (adversarial.jsonl).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import InputError, UsageError

KIND = "attack"
#: the figures compared at the full budget by default
DEFAULT_ATTACK_METRICS = ("success_rate", "success_rate_without_assumptions", "accuracy_drop")
ATTACKED = ("success", "failed")  # the statuses of a searched input (attack.outcome.ATTACKED)


def _config(report: dict[str, Any], key: str) -> Any:
    return report["run"]["config"].get(key)


#: what must be equal for two attacks' figures to be comparable
ATTACK_MUST_MATCH = (
    ("task", lambda a: a.report["run"]["task"]),
    ("language", lambda a: a.report["run"]["language"]),
    ("label names", lambda a: a.report["run"]["label_names"]),
    ("data (the inputs attacked: ids and code)", lambda a: a.fingerprint),
    ("objective", lambda a: _config(a.report, "objective")),
    ("success against", lambda a: _config(a.report, "success_against")),
    ("budget", lambda a: _config(a.report, "budget")),
    ("report schema", lambda a: a.report["schema_version"].split(".")[0]),
)
#: what may differ, listed as a note when it does
NOTED = ("strategy", "recipe", "seed", "max_relations", "candidates", "assume")


@dataclass
class AttackRun:
    """One attack folder as read back: its name in the tables, report.json and adversarial.jsonl."""

    name: str
    folder: Path
    report: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def fingerprint(self) -> str:
        """The inputs attacked, in order: a hash of each record's id and original code."""
        digest = hashlib.sha256()
        for record in self.records:
            digest.update(json.dumps([record["id"], record["original"]]).encode("utf-8"))
        return f"{len(self.records)} inputs, sha256 {digest.hexdigest()[:16]}"

    def curve(self, row: str) -> dict[int, dict[str, Any]]:
        return {p["queries"]: p["success_rate"] for p in self.report["attacks"].get(row, {}).get("curve", [])}

    @cached_property
    def gap(self) -> dict[int, Any]:
        """Budget -> the student-minus-teacher gap (attack.html.GapPoint): report.json's
        ``gap_curve``, or recomputed from adversarial.jsonl for a report from before it."""
        from .attack.html import gap_points

        return {p.queries: p for p in gap_points(self.report, self.records)}


@dataclass
class AttackPairedTest:
    """Exact McNemar test of per-input success at the full budget between reports ``a`` and ``b``."""

    a: str
    b: str
    attack: str  # the attacked model (row)
    shared_inputs: int  # inputs both searched
    a_only: int  # inputs a's attack won and b's did not
    b_only: int
    p_value: float | None
    excluded: dict[str, int] = field(default_factory=dict)


@dataclass
class AttackComparison:
    reports: list[AttackRun]
    rows: list[str]  # attacked models every report holds, in the first report's order
    budgets: list[int]  # every budget of some curve
    metrics: list[str]
    notes: list[str]
    paired: list[AttackPairedTest]
    kind: str = KIND

    @property
    def gap_budgets(self) -> list[int]:
        """Every budget of some report's student-minus-teacher gap (none unless one is flip-both)."""
        return sorted({b for r in self.reports for b in r.gap})

    def value(self, report: AttackRun, row: str, metric: str) -> dict[str, Any] | None:
        return report.report["attacks"].get(row, {}).get("metrics", {}).get(metric)

    def as_dict(self) -> dict[str, Any]:
        return {
            "comparison_version": "1.0",
            "kind": KIND,
            "must_match": [what for what, _ in ATTACK_MUST_MATCH],
            "reports": [{"name": r.name, "folder": str(r.folder), "student": _config(r.report, "student"),
                         "teacher": _config(r.report, "teacher"), "strategy": _config(r.report, "strategy"),
                         "seed": _config(r.report, "seed")} for r in self.reports],
            "attacks": self.rows,
            "budgets": self.budgets,
            "metrics": self.metrics,
            "notes": self.notes,
            "curves": {row: {str(b): {r.name: r.curve(row).get(b) for r in self.reports} for b in self.budgets}
                       for row in self.rows},
            "gap_curves": {str(b): {r.name: _gap_entry(r.gap.get(b)) for r in self.reports} for b in self.gap_budgets},
            "table": {row: {m: {r.name: self.value(r, row, m) for r in self.reports} for m in self.metrics}
                      for row in self.rows},
            "paired_tests": [asdict(t) for t in self.paired],
        }


def _gap_entry(point: Any) -> dict[str, Any] | None:
    if point is None:
        return None
    return {"value": point.value, "ci95": None if point.low is None else [point.low, point.high]}


def compare_attacks(folders: list[Path], metrics: list[str] | None = None) -> AttackComparison:
    """Read the attacks, refuse incomparable ones (UsageError naming the difference), compare."""
    from .compare_read import named
    from .attack.figures import row_figures

    reports = named([read_attack(folder) for folder in folders])
    _check_comparable(reports)
    chosen = list(metrics or DEFAULT_ATTACK_METRICS)
    known = row_figures()
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise UsageError(f"--metrics: unknown attack figure(s) {', '.join(unknown)} (known: {', '.join(known)})")
    rows = [row for row in reports[0].report["attacks"] if all(row in r.report["attacks"] for r in reports[1:])]
    if not rows:
        raise UsageError("the attack reports share no attacked model: nothing to compare")
    budgets = sorted({b for r in reports for row in rows for b in r.curve(row)})
    paired = [_paired(a, b, row) for i, a in enumerate(reports) for b in reports[i + 1:] for row in rows]
    return AttackComparison(reports, rows, budgets, chosen, _notes(reports), [t for t in paired if t is not None])


def read_attack(folder: Path) -> AttackRun:
    """An attack folder's report.json and adversarial.jsonl, each checked against its schema."""
    from .compare_read import load_json

    report = load_json(folder / "report.json")
    problem = attack_report_problem(report)
    if problem:
        raise InputError(f"{folder / 'report.json'}: not a report of metacompress attack: {problem}")
    run = AttackRun(folder.name, folder, report, _read_records(folder / "adversarial.jsonl"))
    _check_curves(run)
    return run


def _check_curves(run: AttackRun) -> None:
    """Refuse a folder whose report.json curve says other than its adversarial.jsonl (a file
    edited, or mixed from two runs): every count compare shows must be the records' own."""
    from .attack.outcome import ATTACKED

    for row in run.report["attacks"]:
        searches = [r["attacks"][row] for r in run.records if row in r["attacks"]]
        attacked = sum(s["status"] in ATTACKED for s in searches)
        for budget, rate in run.curve(row).items():
            won = sum(bool(s["success"]) and s.get("queries_to_success") is not None
                      and s["queries_to_success"] <= budget for s in searches)
            value = won / attacked if attacked else None
            told = rate.get("value")
            if (rate.get("count"), rate.get("n")) != (won, attacked) or (
                    value is None) != (told is None) or (value is not None and abs(told - value) > 1e-9):
                raise InputError(f"{run.folder / 'report.json'}: the {row} curve at {budget} queries says "
                                 f"{told} ({rate.get('count')}/{rate.get('n')}), but adversarial.jsonl gives "
                                 f"{won}/{attacked}: the two files disagree (edited, or from different runs?)")


def attack_report_problem(report: Any) -> str | None:
    """The first way ``report`` departs from attack's report.json, as 'path: problem', or None."""
    from .attack.summary import SCHEMA_VERSION
    from .compare_read import first_unusable_number, printable
    from .report import schema_errors

    version = report.get("schema_version")
    if isinstance(version, str) and version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        return f"$.schema_version: attack schema {version!r}, but this version reads {SCHEMA_VERSION!r}"
    problem = first_unusable_number(report)
    errors = [problem] if problem else schema_errors(report, "attack")
    if errors:
        return printable(errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    return None


def _read_records(path: Path) -> list[dict[str, Any]]:
    from .compare_read import printable
    from .report import schema_errors

    records = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                record = json.loads(line)
                errors = schema_errors(record, "adversarial")
                if errors:
                    raise InputError(f"{path}:{number}: not an adversarial.jsonl record: {printable(errors[0])}")
                records.append(record)
    except FileNotFoundError:
        raise InputError(f"{path.parent}: no adversarial.jsonl (is it a folder metacompress attack wrote?)") from None
    except RecursionError:
        raise InputError(f"{path}:{len(records) + 1}: cannot read the record (nested too deeply)") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}:{len(records) + 1}: cannot read the record ({printable(str(exc))})") from None
    return records


def _check_comparable(reports: list[AttackRun]) -> None:
    from .compare_read import short

    first = reports[0]
    for other in reports[1:]:
        for what, read in ATTACK_MUST_MATCH:
            if read(first) != read(other):
                raise UsageError(f"{other.folder} cannot be compared with {first.folder}: different {what} "
                                 f"({short(read(other))} vs {short(read(first))})")


def _notes(reports: list[AttackRun]) -> list[str]:
    from .compare_read import short

    notes = []
    for key in NOTED:
        values = {r.name: _config(r.report, key) for r in reports}
        if len({json.dumps(v, default=str) for v in values.values()}) > 1:
            notes.append(f"the attacks differ in {key}: " + "; ".join(f"{k}: {short(v)}" for k, v in values.items()))
    return notes


def _paired(a: AttackRun, b: AttackRun, row: str) -> AttackPairedTest | None:
    """McNemar on the inputs both reports searched (same id and code, the same position)."""
    from .metrics.mcnemar import mcnemar_exact

    searched_a = [r["attacks"].get(row, {}) for r in a.records]
    searched_b = [r["attacks"].get(row, {}) for r in b.records]
    both = [(x, y) for x, y in zip(searched_a, searched_b) if x.get("status") in ATTACKED and y.get("status") in ATTACKED]
    if not both:
        return None
    a_only = sum(1 for x, y in both if x["success"] and not y["success"])
    b_only = sum(1 for x, y in both if y["success"] and not x["success"])
    excluded = {"searched by one attack only": len(a.records) - len(both)} if len(a.records) > len(both) else {}
    test = mcnemar_exact(student_only_flips=a_only, teacher_only_flips=b_only)
    return AttackPairedTest(a.name, b.name, row, len(both), a_only, b_only, test.p_value, excluded)
