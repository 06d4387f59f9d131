"""The written files: schema-valid report.json, a samples.csv that re-judges exactly, readable views."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from metacompress.errors import InputError
from metacompress.metrics import (
    METRICS,
    Thresholds,
    concat_samples,
    metrics_from_samples,
    relation_samples,
    sample_flags,
    skipped_samples,
)
from metacompress.report import (
    build_report,
    definitions_table,
    read_samples_csv,
    render_markdown,
    render_terminal,
    schema_errors,
    validate_report,
    write_reports,
)

ORIGINAL = "int f(int a) {\n    return a + 1;\n}\n"
REWRITTEN = "int f(int var0) {\n    return var0 + 1;\n}\n"


def _probs(rng, n, labels=2):
    logits = (rng.normal(size=(n, labels)) * 3).astype(np.float32)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def make_samples(labelled: bool = True, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for relation, n in (("rename-identifiers", 30), ("swap-if-else", 20)):
        arrays = [_probs(rng, n) for _ in range(4)]
        labels = rng.integers(0, 2, n) if labelled else None
        ids = ["NA", "007"] + [f"ex{i}" for i in range(2, n)]  # ids a CSV reader likes to mangle
        code = {"original_code": [ORIGINAL] * n, "rewritten_code": [REWRITTEN] * n, "sites": [2] * n}
        frames.append(relation_samples(relation, ids, *arrays, labels, extra=code))
        frames.append(skipped_samples(relation, ["s0", "s1", "s2"], ["no site"] * 2 + ["only in an ERROR region"],
                                      [0, 1, 0] if labelled else None, T_x=arrays[0][:3], S_x=arrays[2][:3],
                                      extra={"original_code": [ORIGINAL] * 3, "rewritten_code": [""] * 3,
                                             "sites": [0] * 3}))
    return concat_samples(frames)


GATES = ["discrepancy_rate>0.10", "*:student_flip_rate>=0.99", "student_accuracy_drop>0.5"]
RUN = {"command": "metacompress run --task clone-detection", "seed": 0, "label_names": ["not-clone", "clone"]}


def report_of(samples, **kwargs):
    kwargs.setdefault("n_bootstrap", 100)
    return build_report(samples, run=RUN, gates=GATES, **kwargs)


def test_report_has_every_section_and_matches_the_schema():
    report = report_of(make_samples())
    assert schema_errors(report) == []
    assert report["schema_version"] == "1.0"
    assert report["run"] == RUN
    assert report["thresholds"] == {"js_distance": 0.1, "confidence": 0.9, "ece_bins": 10}
    assert list(report["relations"]) == ["rename-identifiers", "swap-if-else"]
    rename = report["relations"]["rename-identifiers"]
    assert (rename["inputs"], rename["applied"], rename["not_applicable"]) == (33, 30, 3)
    assert rename["skip_reasons"] == {"no site": 2, "only in an ERROR region": 1}
    assert set(rename["metrics"]) == set(METRICS)
    assert report["all_relations"]["applied"] == 50
    assert report["baseline"]["n"] == 33  # 30 applied ids + s0..s2, shared across relations
    assert set(report["metric_definitions"]) == set(METRICS)
    assert [(g["relation"], g["status"]) for g in report["gates"]][1:3] == [
        ("rename-identifiers", "passed"), ("swap-if-else", "passed")]


def test_the_validator_catches_departures():
    report = report_of(make_samples())
    broken = json.loads(json.dumps(report))
    del broken["baseline"]
    broken["relations"]["swap-if-else"]["metrics"]["student_flip_rate"]["ci95"] = [0.1]
    broken["relations"]["swap-if-else"]["applied"] = "20"
    broken["gates"][0]["status"] = "maybe"
    broken["extra"] = 1
    errors = "\n".join(schema_errors(broken))
    for fragment in ("$: missing 'baseline'", "$: unexpected 'extra'",
                     "$.relations.swap-if-else.applied: expected integer",
                     "$.relations.swap-if-else.metrics.student_flip_rate.ci95",
                     "$.gates[0].status: 'maybe'"):
        assert fragment in errors
    with pytest.raises(ValueError, match="does not match schema"):
        validate_report(broken)


def test_written_files_and_exact_rejudging_from_samples_csv(tmp_path):
    samples = make_samples()
    report = report_of(samples)
    written = write_reports(tmp_path, report, samples)
    assert sorted(p.name for p in written.values()) == ["report.json", "report.md", "rewrites.jsonl", "samples.csv"]

    on_disk = json.loads((tmp_path / "report.json").read_text())
    assert schema_errors(on_disk) == [] and on_disk == json.loads(json.dumps(report))

    back = read_samples_csv(tmp_path / "samples.csv")
    assert "original_code" not in back.columns and "sites" in back.columns
    assert back["example_id"].tolist()[:2] == ["NA", "007"]
    assert len(back) == len(samples)
    # every figure recomputed from the CSV alone equals the audit's, bit for bit
    assert report_of(back) == report
    assert metrics_from_samples(back, seed=5, n_bootstrap=50) == metrics_from_samples(samples, seed=5, n_bootstrap=50)

    lines = (tmp_path / "rewrites.jsonl").read_text().splitlines()
    assert len(lines) == len(samples)
    first, skipped = json.loads(lines[0]), json.loads(lines[30])
    assert first == {"example_id": "NA", "relation": "rename-identifiers", "applied": True,
                     "original_code": ORIGINAL, "rewritten_code": REWRITTEN}
    assert skipped["applied"] is False and skipped["rewritten_code"] is None


def test_rejudging_with_other_thresholds(tmp_path):
    samples = make_samples()
    write_reports(tmp_path, report_of(samples), samples)
    back = read_samples_csv(tmp_path / "samples.csv")
    strict = metrics_from_samples(back, thresholds=Thresholds(js_distance=0.0), n_bootstrap=0)
    lenient = metrics_from_samples(back, thresholds=Thresholds(js_distance=1.0), n_bootstrap=0)
    rate = lambda s: s.all_relations.metrics["js_over_threshold_rate"].value  # noqa: E731
    assert rate(strict) > rate(lenient) == 0.0


def test_a_frame_built_the_audits_way_round_trips(tmp_path):
    """Probability cells as numpy rows, flags as object columns with NA, extra columns."""
    rng = np.random.default_rng(3)
    n = 12
    arrays = [_probs(rng, n) for _ in range(4)]
    flags = sample_flags(*arrays, Thresholds())
    frame = pd.DataFrame({"example_id": [f"e{i}" for i in range(n + 1)], "relation": "loop-exchange",
                          "applied": [True] * n + [False], "skip_reason": [""] * n + ["no loop"],
                          "label": pd.array(list(rng.integers(0, 2, n)) + [1], dtype="Int64"),
                          "truncated": False})
    for name, array in zip(("teacher_probs_x", "teacher_probs_xp", "student_probs_x", "student_probs_xp"), arrays):
        frame[name] = list(array) + ([arrays[0][0]] if name.endswith("_x") else [None])
        frame[name.replace("probs", "pred")] = pd.array([int(p.argmax()) if p is not None else None
                                                         for p in frame[name]], dtype="Int64")
    for name, values in flags.items():
        frame[name] = pd.Series(list(values) + [pd.NA], dtype="object")
    report = report_of(frame)
    write_reports(tmp_path, report, frame)
    assert report_of(read_samples_csv(tmp_path / "samples.csv")) == report
    assert "rewrites.jsonl" not in {p.name for p in tmp_path.iterdir()}  # no code columns given


def test_without_labels_label_metrics_are_absent_and_their_gates_not_evaluated(tmp_path):
    samples = make_samples(labelled=False)
    report = report_of(samples)
    assert schema_errors(report) == []
    for row in [*report["relations"].values(), report["all_relations"], report["baseline"]]:
        assert not any(METRICS[m].needs_labels for m in row["metrics"])
    drop_gate = report["gates"][-1]
    assert (drop_gate["metric"], drop_gate["status"], drop_gate["holds"]) == ("student_accuracy_drop", "not evaluated", False)
    write_reports(tmp_path, report, samples)
    assert report_of(read_samples_csv(tmp_path / "samples.csv")) == report
    assert "S acc drop" not in render_terminal(report).splitlines()[0]
    assert "| student_accuracy_drop>0.5 | all | n/a | not evaluated |" in render_markdown(report)
    assert "is *not evaluated* and does not fail the run" in render_markdown(report)
    overview_header = render_markdown(report).split("## Overview\n\n")[1].splitlines()[0]
    assert "student_flip_rate" in overview_header and "student_accuracy_drop" not in overview_header


def test_markdown_shows_tables_gates_and_worst_cases():
    samples = make_samples()
    report = report_of(samples)
    text = render_markdown(report, samples)
    assert text.startswith("# metacompress report")
    for heading in ("## Overview", "## Gates", "## Baseline on the originals (n=33)",
                    "## Where relations applied", "### rename-identifiers (n=30)", "### all relations (n=50)",
                    "## Metric definitions"):
        assert heading in text
    flips = report["relations"]["rename-identifiers"]["metrics"]["student_flip_rate"]
    assert f"| student_flip_rate | {100 * flips['value']:.1f}% |" in text
    assert f"| {flips['count']}/{flips['n']} |" in text
    assert "| rename-identifiers | 30 | 0 | 0 / 0 | 0 / 0 | 3 | no site (2); only in an ERROR region (1) |" in text
    assert "| discrepancy_rate>0.10 | all |" in text and "not evaluated" not in text
    # worst cases: student-only flips, largest JS first, with the label names and a diff
    worst = samples[samples["student_only_flip"].fillna(False).astype(bool)].sort_values("js_distance", ascending=False)
    top = worst.iloc[0]
    assert f"### {top['relation']} on {top['example_id']}" in text
    assert text.index(f"JS distance {top['js_distance']:.3f}") < text.index(f"JS distance {worst.iloc[1]['js_distance']:.3f}")
    assert "-int f(int a) {" in text and "+int f(int var0) {" in text
    assert "not-clone (0)" in text and "clone (1)" in text  # label names from run.label_names
    assert text.count("```diff") == 5


def test_terminal_table_is_fixed_width_plain_text():
    report = report_of(make_samples())
    text = render_terminal(report)
    lines = text.splitlines()
    assert lines[0].split()[:5] == ["relation", "applied", "unseen", "skipped", "S"]
    table = lines[:4]  # header, two relations, separator, pooled row
    assert [line.split()[0] for line in lines[1:3]] == ["rename-identifiers", "swap-if-else"]
    assert lines[3].startswith("----") and lines[4].startswith("all relations")
    # right-aligned columns: every row ends its last cell at the header's width
    assert len({len(line) for line in table[:3] + [lines[4]]}) == 1
    flips = report["all_relations"]["metrics"]["student_flip_rate"]["value"]
    assert f"{100 * flips:.1f}%" in lines[4]
    assert lines[5].startswith("baseline on the originals (n=33): agreement")
    assert any(line.startswith("gates: ") for line in lines)
    assert "\x1b" not in text  # no colour codes in CI logs


def test_reading_a_broken_samples_csv_is_a_clear_input_error(tmp_path):
    path = tmp_path / "samples.csv"
    path.write_text("example_id,relation\ne1,r\n")
    with pytest.raises(InputError, match="not a samples table"):
        read_samples_csv(path)
    path.write_text("example_id,relation,applied\ne1,r,perhaps\n")
    with pytest.raises(InputError, match="malformed value"):
        read_samples_csv(path)
    with pytest.raises(InputError, match="lacks column"):
        metrics_from_samples(pd.DataFrame({"example_id": ["e1"], "relation": ["r"], "applied": [True]}))


def test_metric_glossary_lists_every_registered_metric():
    table = definitions_table().splitlines()
    assert table[0] == "| metric | definition |"
    assert [line.split(" | ")[0].strip("| `") for line in table[2:]] == list(METRICS)
    assert all(line.endswith("Needs labels. |") == METRICS[line.split("`")[1]].needs_labels for line in table[2:])
