"""Several audits side by side: ``compare_reports(folders) -> Comparison``.

Each folder is what ``metacompress run`` wrote (report.json, and samples.csv for the paired
tests). Audits are comparable when they judged the same task on the same data with the same
thresholds and label names; anything else is refused with the reason, because a table of
figures measured on different inputs or against different lines invites a wrong conclusion.

Where two audits judged the same rewrites of the same inputs (same data, seed and relations, so
the same (example, relation) rows with the same rewritten code), each relation also gets a
paired exact McNemar test of the student-only flips: on the rows both judged, does student A
flip alone where B does not more often than the reverse? Pairing removes the variation between
inputs that separate intervals carry, so it detects smaller differences.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .compare_read import first_unusable_number as _first_unusable_number
from .compare_read import json_type as _json_type
from .compare_read import load_json, model_source as _model, named as _named, printable as _printable, short as _short
from .errors import InputError, UsageError

#: the metrics compared by default: what the student does under rewriting, then agreement
DEFAULT_METRICS = (
    "student_only_flip_rate",
    "student_flip_rate",
    "teacher_flip_rate",
    "induced_discrepancy_rate",
    "discrepancy_rate",
    "prediction_agreement",
    "student_accuracy_drop",
)
#: what must be equal for two reports' figures to be comparable, and how to read it
MUST_MATCH = (
    ("task", lambda r: r["run"].get("task")),
    ("language", lambda r: r["run"].get("language")),
    ("label names", lambda r: r["run"].get("label_names")),
    ("data", lambda r: (r["run"].get("data", {}).get("files"), r["run"].get("data", {}).get("records_loaded"))),
    ("thresholds", lambda r: r.get("thresholds")),
    ("report schema", lambda r: r.get("schema_version", "").split(".")[0]),
)
PAIRED_FLAG = "student_only_flip"
AUDIT, ATTACK = "audit", "attack"
ATTACK_SCHEMA = "metacompress-attack"  # report.json's "schema" in an attack's folder


@dataclass
class Audit:
    """One audit folder as read back: its name in the table, the report, and its samples (or None)."""

    name: str
    folder: Path
    report: dict[str, Any]
    samples: Any = None  # pandas.DataFrame when samples.csv exists


@dataclass
class PairedTest:
    """Exact McNemar test of student-only flips between audits ``a`` and ``b`` on shared rows."""

    a: str
    b: str
    relation: str
    shared_rows: int
    a_only: int  # rows where a's student flips alone and b's does not
    b_only: int
    p_value: float | None
    excluded: dict[str, int] = field(default_factory=dict)  # why rows could not be paired
    method: str = "exact"  # "clustered" where one original holds several discordant rows


@dataclass
class Comparison:
    audits: list[Audit]
    relations: list[str]  # relations every audit judged, in the first audit's order
    metrics: list[str]
    notes: list[str]  # differences that do not prevent comparing (teacher, seed, relation sets)
    paired: list[PairedTest]

    def value(self, audit: Audit, relation: str, metric: str) -> dict[str, Any] | None:
        row = audit.report["all_relations"] if relation == "all relations" else audit.report["relations"].get(relation)
        return (row or {}).get("metrics", {}).get(metric)

    def as_dict(self) -> dict[str, Any]:
        table = {
            relation: {
                metric: {a.name: self.value(a, relation, metric) for a in self.audits} for metric in self.metrics
            }
            for relation in [*self.relations, "all relations"]
        }
        return {
            "comparison_version": "1.0",
            "audits": [{"name": a.name, "folder": str(a.folder), "student": _model(a, "student"),
                        "teacher": _model(a, "teacher"), "seed": a.report["run"].get("seed")} for a in self.audits],
            "relations": self.relations,
            "metrics": self.metrics,
            "notes": self.notes,
            "table": table,
            "paired_tests": [asdict(t) for t in self.paired],
        }


def compare_reports(folders: list[str | Path], metrics: list[str] | None = None) -> Comparison:
    """Read the audits, refuse incomparable ones (UsageError naming the difference), compare.
    Folders of attacks (every one) give an ``compare_attacks.AttackComparison``; a mix is refused."""
    if len(folders) < 2:
        raise UsageError("compare needs at least two report folders")
    paths = [Path(f) for f in folders]
    kinds = [report_kind(path) for path in paths]
    if len(set(kinds)) > 1:
        attack, audit = paths[kinds.index(ATTACK)] / "report.json", paths[kinds.index(AUDIT)] / "report.json"
        raise UsageError(f"{attack}: a report of metacompress attack, and {audit} one of metacompress run: "
                         "compare audits with audits and attacks with attacks")
    if kinds[0] == ATTACK:
        from .compare_attacks import compare_attacks

        return compare_attacks(paths, metrics)
    audits = _named([_read(Path(f)) for f in folders])
    _check_comparable(audits)
    chosen = list(metrics or DEFAULT_METRICS)
    known = set(audits[0].report.get("metric_definitions", {}))
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise UsageError(f"--metrics: unknown metric(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    relations, notes = _relations_and_notes(audits)
    paired = [_paired(a, b, r) for i, a in enumerate(audits) for b in audits[i + 1:]
              for r in [*relations, "all relations"] if a.samples is not None and b.samples is not None]
    return Comparison(audits, relations, chosen, notes, [t for t in paired if t is not None])


def _read(folder: Path) -> Audit:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a report folder (it does not exist or is not a folder)")
    report = read_report(folder / "report.json")
    samples = None
    if (folder / "samples.csv").is_file():
        from .report import read_samples_csv

        samples = read_samples_csv(folder / "samples.csv")
        _attach_rewrites(folder, samples)
    return Audit(folder.name, folder, report, samples)


def report_kind(folder: Path) -> str:
    """"attack" when the folder holds an attack's report.json, else "audit" (checked when read)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a report folder (it does not exist or is not a folder)")
    report = load_json(folder / "report.json")
    return ATTACK if isinstance(report, dict) and report.get("schema") == ATTACK_SCHEMA else AUDIT


def read_report(path: Path) -> dict[str, Any]:
    """run's report.json, checked against its schema; InputError naming the file and the first fault."""
    report = load_json(path)
    problem = _report_problem(report)
    if problem:
        raise InputError(f"{path}: not a report of metacompress run: {_printable(problem)}")
    return report


def _report_problem(report: Any) -> str | None:
    """The first way ``report`` departs from run's report.json, as 'path: problem', or None."""
    from .report import schema_errors
    from .report.document import SCHEMA_VERSION

    if not isinstance(report, dict):
        return f"$: expected an object, got {_json_type(report)}"
    if report.get("schema") == "metacompress-attack":
        return "it is the report of metacompress attack, which compare does not read"
    version = report.get("schema_version")
    if isinstance(version, str) and version != SCHEMA_VERSION:
        return f"$.schema_version: report schema {version!r}, but this version reads {SCHEMA_VERSION!r}"
    unusable = _first_unusable_number(report)
    if unusable:
        return unusable
    errors = schema_errors(report) or [f"$.run{e[1:]}" for e in schema_errors(report["run"], RUN_SCHEMA)]
    if errors:
        return errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    return None


#: the fields of report.json's ``run`` that compare reads (the report schema leaves ``run`` open)
_TEXT, _COUNT = {"type": ["string", "null"]}, {"type": ["integer", "null"], "minimum": 0}
_MODEL = {"type": "object", "properties": {"source": _TEXT, "fingerprint": _TEXT}}
RUN_SCHEMA = {
    "type": "object",
    "properties": {
        "seed": _COUNT,
        "task": _TEXT,
        "language": _TEXT,
        "label_names": {"type": ["array", "null"], "items": {"type": "string"}},
        "data": {"type": "object", "properties": {
            "files": {"type": ["array", "null"], "items": {"type": "string"}},
            "records_loaded": _COUNT, "examples_audited": _COUNT}},
        "models": {"type": "object", "properties": {"teacher": _MODEL, "student": _MODEL}},
    },
}
def _attach_rewrites(folder: Path, samples) -> None:
    """The rewritten code of each row (rewrites.jsonl, same order), so pairs can be checked equal."""
    path = folder / "rewrites.jsonl"
    if not path.is_file():
        return
    codes = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                codes.append(_rewritten_code(path, number, line))
    except RecursionError:
        raise InputError(f"{path}:{len(codes) + 1}: cannot read the record (nested too deeply)") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}:{len(codes) + 1}: cannot read the record ({exc})") from None
    if len(codes) == len(samples):
        samples["rewritten_code"] = codes


def _rewritten_code(path: Path, number: int, line: str) -> str | None:
    record = json.loads(line)
    code = record.get("rewritten_code") if isinstance(record, dict) else None
    if not isinstance(record, dict) or not isinstance(code, (str, type(None))):
        raise InputError(f"{path}:{number}: not a rewrites.jsonl record (rewritten_code must be text or null)")
    return code


def _check_comparable(audits: list[Audit]) -> None:
    first = audits[0]
    for other in audits[1:]:
        for what, read in MUST_MATCH:
            if read(first.report) != read(other.report):
                raise UsageError(
                    f"{other.folder} cannot be compared with {first.folder}: different {what} "
                    f"({_short(read(other.report))} vs {_short(read(first.report))})")


def _relations_and_notes(audits: list[Audit]) -> tuple[list[str], list[str]]:
    notes = []
    sets = [list(a.report["relations"]) for a in audits]
    common = [r for r in sets[0] if all(r in s for s in sets[1:])]
    for audit, names in zip(audits, sets):
        extra = [r for r in names if r not in common]
        if extra:
            notes.append(f"{audit.name}: relations not in every audit, left out: {', '.join(extra)}")
    if not common:
        raise UsageError("the reports share no relation: nothing to compare")
    for what, read in (("teacher", lambda a: a.report["run"].get("models", {}).get("teacher", {}).get("fingerprint")),
                       ("seed", lambda a: a.report["run"].get("seed")),
                       ("examples audited", lambda a: a.report["run"].get("data", {}).get("examples_audited"))):
        values = {a.name: read(a) for a in audits}
        if len({json.dumps(v) for v in values.values()}) > 1:
            notes.append(f"the audits differ in {what}: " + "; ".join(f"{k}: {_short(v)}" for k, v in values.items()))
    if len(common) < len(sets[0]) or any(len(s) != len(common) for s in sets):
        notes.append("'all relations' pools each audit's own relations; compare per relation where the sets differ")
    return common, notes


def _paired(a: Audit, b: Audit, relation: str) -> PairedTest | None:
    """McNemar on the rows both audits judged, with the same rewritten code where known."""
    left, right = _judged(a.samples, relation), _judged(b.samples, relation)
    if left is None or right is None:
        return None
    joined = left.merge(right, on=list(ROW_KEY), suffixes=("_a", "_b"), validate="one_to_one")
    excluded = {}
    judged_once = len(left) + len(right) - 2 * len(joined)
    if judged_once:
        excluded["judged in one audit only"] = int(judged_once)
    if "rewritten_code_a" in joined and "rewritten_code_b" in joined:
        same = (joined["rewritten_code_a"] == joined["rewritten_code_b"]).to_numpy()
        if (~same).any():
            excluded["different rewrites (e.g. re-drawn to reach a model's window)"] = int((~same).sum())
        joined = joined[same]
    if not len(joined):
        return None
    flag_a = joined[f"{PAIRED_FLAG}_a"].astype(bool).to_numpy()
    flag_b = joined[f"{PAIRED_FLAG}_b"].astype(bool).to_numpy()
    test = _mcnemar(joined["example_id"].to_numpy(), flag_a & ~flag_b, flag_b & ~flag_a)
    return PairedTest(a.name, b.name, relation, len(joined), test.student_only_flips, test.teacher_only_flips,
                      test.p_value, excluded, test.method)


def _mcnemar(originals, a_only, b_only):
    """The exact test where every original holds at most one discordant row; else the clustered
    test (Durkalski et al. 2003) over originals, as the audit's report does: the pooled row holds
    an original once per relation, and ``--rewrites K`` once per rewrite, and those rows are not
    independent."""
    import pandas as pd

    from .metrics.mcnemar import mcnemar_clustered, mcnemar_exact

    per_original = pd.DataFrame({"original": originals, "a": a_only, "b": b_only}).groupby("original").sum()
    if int((per_original["a"] + per_original["b"]).to_numpy().max(initial=0)) <= 1:
        return mcnemar_exact(student_only_flips=int(per_original["a"].sum()),
                             teacher_only_flips=int(per_original["b"].sum()))
    return mcnemar_clustered(per_original["a"].to_numpy(), per_original["b"].to_numpy())


#: what identifies one row across audits of the same data. An example id can occur twice (the
#: loader's "#2" suffix can meet an id that already ends in "#2"), so the k-th row of an
#: (example, relation) in one audit pairs with the k-th in the other, never with all of them.
ROW_KEY = ("example_id", "relation", "occurrence")


def _judged(samples, relation: str):
    from .metrics.summary import judged_rows

    if samples is None or PAIRED_FLAG not in samples:
        return None
    occurrence = samples.groupby(["example_id", "relation"], sort=False, dropna=False).cumcount()
    numbered = samples.assign(occurrence=occurrence)
    rows = numbered[judged_rows(samples)]
    if relation != "all relations":
        rows = rows[rows["relation"] == relation]
    columns = [*ROW_KEY, PAIRED_FLAG] + (["rewritten_code"] if "rewritten_code" in rows else [])
    out = rows[columns].copy()
    out[PAIRED_FLAG] = out[PAIRED_FLAG].fillna(False)
    return out
