"""The written files: schema-valid report.json, a samples.csv that re-judges exactly, readable views."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from metacompress.errors import InputError
from metacompress.metrics import (
    METRICS,
    Thresholds,
    concat_samples,
    judge,
    metrics_from_samples,
    relation_samples,
    sample_flags,
    skipped_samples,
)
from metacompress.report import (
    Report,
    definitions_table,
    load_report,
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
        frames.append(relation_samples(relation, ids, T_x=arrays[0], T_xp=arrays[1], S_x=arrays[2], S_xp=arrays[3],
                                       labels=labels, extra=code))
        frames.append(skipped_samples(relation, ["s0", "s1", "s2"], ["no site"] * 2 + ["only in an ERROR region"],
                                      [0, 1, 0] if labelled else None, T_x=arrays[0][:3], S_x=arrays[2][:3],
                                      extra={"original_code": [ORIGINAL] * 3, "rewritten_code": [""] * 3,
                                             "sites": [0] * 3}))
    return concat_samples(frames)


GATES = ["discrepancy_rate>0.10", "*:student_flip_rate>=0.99", "student_accuracy_drop>0.5"]
RUN = {"command": "metacompress run --task clone-detection", "seed": 0, "label_names": ["not-clone", "clone"]}


def report_of(samples, **kwargs) -> Report:
    kwargs.setdefault("n_bootstrap", 100)
    return Report.of(judge(samples, gates=GATES, **kwargs), run=RUN)


def test_report_has_every_section_and_matches_the_schema():
    report = report_of(make_samples())
    doc = report.to_dict()
    assert schema_errors(doc) == []
    assert doc["schema_version"] == "2.1"
    assert doc["run"] == RUN
    assert doc["thresholds"] == {"js_distance": 0.1, "confidence": 0.9, "ece_bins": 10}
    assert list(doc["relations"]) == ["rename-identifiers", "swap-if-else"]
    rename = doc["relations"]["rename-identifiers"]
    assert (rename["inputs"], rename["applied"], rename["not_applicable"]) == (33, 30, 3)
    assert rename["skip_reasons"] == {"no site": 2, "only in an ERROR region": 1}
    assert set(rename["metrics"]) == set(METRICS)
    assert doc["all_relations"]["applied"] == 50
    assert doc["baseline"]["n"] == 33  # 30 applied ids + s0..s2, shared across relations
    assert set(doc["metric_definitions"]) == set(METRICS)
    assert [(g["relation"], g["status"]) for g in doc["gates"]][1:3] == [
        ("rename-identifiers", "passed"), ("swap-if-else", "passed")]


def test_the_validator_catches_departures():
    report = report_of(make_samples())
    broken = json.loads(json.dumps(report.to_dict()))
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
    assert sorted(p.name for p in written.values()) == ["report.html", "report.json", "report.md", "rewrites.jsonl",
                                                        "samples.csv"]

    on_disk = json.loads((tmp_path / "report.json").read_text())
    assert schema_errors(on_disk) == [] and on_disk == json.loads(json.dumps(report.to_dict()))

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
    flags = sample_flags(T_x=arrays[0], T_xp=arrays[1], S_x=arrays[2], S_xp=arrays[3], thresholds=Thresholds())
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
    doc = report.to_dict()
    assert schema_errors(doc) == []
    for row in [*doc["relations"].values(), doc["all_relations"], doc["baseline"]]:
        assert not any(METRICS[m].needs_labels for m in row["metrics"])
    drop_gate = doc["gates"][-1]
    assert (drop_gate["metric"], drop_gate["status"], drop_gate["holds"]) == ("student_accuracy_drop", "not evaluated", False)
    write_reports(tmp_path, report, samples)
    assert report_of(read_samples_csv(tmp_path / "samples.csv")) == report
    assert "S acc drop" not in render_terminal(report).splitlines()[0]
    assert "| student_accuracy_drop>0.5 | all | n/a | not evaluated |" in render_markdown(report)
    assert "is *not evaluated* and does not fail the run" in render_markdown(report)
    overview_header = render_markdown(report).split("## Overview\n\n")[1].splitlines()[0]
    assert "induced_discrepancy_rate" in overview_header and "student_accuracy_drop" not in overview_header


def test_markdown_shows_tables_gates_and_worst_cases():
    samples = make_samples()
    report = report_of(samples)
    doc = report.to_dict()
    text = render_markdown(report, samples)
    assert text.startswith("# metacompress report")
    for heading in ("## Overview", "## Gates", "## Baseline on the originals (n=33)",
                    "## Where relations applied", "### rename-identifiers (n=30, 30 originals)",
                    "### all relations (n=50, 30 originals)", "## Metric definitions"):
        assert heading in text
    # the induced figures lead, with the discrepancy on x and x' beside them
    assert text.index("## Discrepancy caused by the rewrites") < text.index("## Overview")
    induced = doc["all_relations"]["metrics"]["induced_discrepancy_rate"]
    assert f"| **all relations** | 30 | {100 * induced['value']:.1f}% [" in text
    test = doc["relations"]["rename-identifiers"]["mcnemar"]
    assert (f"| rename-identifiers | {test['student_only_flips']} | {test['teacher_only_flips']} | "
            f"{test['p_value']:.3f} |") in text
    assert "all relations: rows of the same original under several relations are not independent" in text
    flips = doc["relations"]["rename-identifiers"]["metrics"]["student_flip_rate"]
    assert f"| student_flip_rate | {100 * flips['value']:.1f}% [" in text
    assert f"({flips['count']}/{flips['n']}) |" in text
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
    doc = report.to_dict()
    text = render_terminal(report)
    lines = text.splitlines()
    assert lines[0].split()[:7] == ["relation", "applied", "unseen", "skipped", "induced", "resolved", "discr"]
    assert lines[0].endswith("McNemar p  adj p")
    table = lines[:4]  # header, two relations, separator, pooled row
    assert [line.split()[0] for line in lines[1:3]] == ["rename-identifiers", "swap-if-else"]
    assert lines[3].startswith("----") and lines[4].startswith("all relations")
    # right-aligned columns: every row ends its last cell at the header's width
    assert len({len(line) for line in table[:3] + [lines[4]]}) == 1
    induced = doc["all_relations"]["metrics"]["induced_discrepancy_rate"]["value"]
    assert lines[4].split()[5] == f"{100 * induced:.1f}%"
    assert lines[5].startswith("per original (macro)")  # the macro row under the pooled one
    assert lines[4].split()[-2].endswith("*") and lines[6].startswith("* clustered McNemar test")
    assert lines[7].startswith("baseline on the originals (n=33): agreement")
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


def test_report_records_the_resampling_plan_and_every_note(tmp_path):
    samples = make_samples()
    report = report_of(samples, n_bootstrap=200)
    doc = report.to_dict()
    judging = doc["judging"]
    assert (judging["ci_method"], judging["resampling_unit"], judging["n_bootstrap"]) == ("bca", "example_id", 200)
    # swap-if-else's 20 ids are among rename-identifiers' 30: the pooled row has 30 clusters
    assert [doc["relations"][r]["clusters"] for r in doc["relations"]] == [30, 20]
    assert doc["all_relations"]["clusters"] == 30
    markdown = render_markdown(report)
    # per-relation notes are listed once by kind ("N" stands for the figures), the baseline's in full
    legend = [re.escape(line).replace("N", r"\d+(?:\.\d+)?")
              for line in re.findall(r"^- \[[a-z]+\] (.*)$", markdown, flags=re.M)]
    for row in [*doc["relations"].values(), doc["all_relations"], doc["baseline"]]:
        for name, metric in row["metrics"].items():
            note = metric["null_reason"] if metric["value"] is None else metric["ci_note"]
            assert (metric["value"] is not None or note), name
            if note:
                assert f"| {note} |" in markdown or any(re.fullmatch(kind, note) for kind in legend), note
    write_reports(tmp_path, report, samples)
    back = read_samples_csv(tmp_path / "samples.csv")
    applied = back[back["applied"]]
    assert (applied["induced_discrepancy"] == (applied["violated"] & ~applied["violated_x"])).all()
    assert applied["js_distance_x"].dtype == "float64"


def test_report_json_reads_back_into_the_same_typed_report(tmp_path):
    samples = make_samples()
    report = report_of(samples, n_bootstrap=50)
    write_reports(tmp_path, report, samples)
    on_disk = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    back = Report.from_dict(on_disk)
    assert back == report
    assert back.to_dict() == on_disk and list(back.to_dict()) == list(on_disk)
    loaded = load_report(tmp_path / "report.json")
    assert loaded == report
    # the views read the same from a report loaded from disk
    assert render_markdown(loaded, samples) == (tmp_path / "report.md").read_text(encoding="utf-8")
    assert render_terminal(loaded) == render_terminal(report)


def test_a_full_run_section_round_trips_key_by_key():
    run = {"command": "metacompress run", "config": {"seed": 1, "out": "runs/x"}, "seed": 1, "task": "t",
           "language": "java", "relations": ["swap-if-else"], "label_names": ["a", "b"],
           "data": {"path": "d.jsonl", "files": ["d.jsonl"], "records_loaded": 3, "records_skipped": 1,
                    "skip_reasons": {"bad": 1}, "skipped_records": [{"where": "d.jsonl:2", "reason": "bad"}],
                    "examples_audited": 3, "labelled": True},
           "models": {"teacher": {"source": "m", "fingerprint": "sha256:0", "label_order_used": ["a", "b"],
                                  "truncated_inputs": {"original": 0, "rewritten": 1},
                                  "distinct_sequences_encoded": 5, "inference_seconds": 0.5}},
           "device": "cpu", "precision": "fp32", "versions": {"metacompress": "0"}, "created": "2026-01-01T00:00:00Z",
           "timings_s": {"total": 1.0}, "added_later": {"kept": True}}
    report = Report.of(judge(make_samples(), n_bootstrap=0), run=run)
    assert report.run.data.skipped_records[0].where == "d.jsonl:2"
    assert report.run.models["teacher"].truncated_rewritten == 1
    document = json.loads(json.dumps(report.to_dict()))
    assert document["run"] == run and list(document["run"]) == list(run)
    assert Report.from_dict(document).to_dict() == document


def test_reading_a_foreign_report_is_a_clear_input_error(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"schema_version": "1.0"}')
    with pytest.raises(InputError, match="report schema '1.0' is not '2.1'"):
        load_report(path)
    document = report_of(make_samples(), n_bootstrap=0).to_dict()
    del document["baseline"]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="incomplete or malformed"):
        load_report(path)
    path.write_text("{broken")
    with pytest.raises(InputError, match="cannot read the report"):
        load_report(path)


def test_report_md_groups_reasons_by_kind_and_fits_a_pull_request_comment():
    """Nineteen relations, each skipping inputs with reasons that name variables: the reasons
    column stays a few kinds long, the decision comes first, and the detail folds away."""
    from metacompress.report.markdown import SHOWN_KINDS, grouped_reasons, reason_kind

    rng = np.random.default_rng(3)
    frames, n = [], 60
    relations = [f"relation-{k:02d}" for k in range(19)]
    for relation in relations:
        arrays = [_probs(rng, n) for _ in range(4)]
        ids = [f"ex{i}" for i in range(n)]
        frames.append(relation_samples(relation, ids, T_x=arrays[0], T_xp=arrays[1], S_x=arrays[2], S_xp=arrays[3],
                                       labels=rng.integers(0, 2, n)))
        reasons = [f"not applicable: no local variable can be renamed safely: v{i} (occurs beside a region "
                   f"the parser could not read); w{i} (inside assert(...))" for i in range(150)]
        reasons += [f"not applicable: no step applied (add-braces: no body {i}; swap-operands: none)" for i in range(6)]
        reasons += [f"kind {k}: detail" for k in range(SHOWN_KINDS + 2)]
        frames.append(skipped_samples(relation, [f"s{i}" for i in range(len(reasons))], reasons,
                                      rng.integers(0, 2, len(reasons)), T_x=_probs(rng, len(reasons)),
                                      S_x=_probs(rng, len(reasons))))
    report = report_of(concat_samples(frames))
    text = render_markdown(report)
    assert len(text) < 65536  # GitHub's limit for one comment
    row = next(line for line in text.splitlines() if line.startswith("| relation-07 | ") and "renamed safely" in line)
    assert "no local variable can be renamed safely (150); no step applied (6);" in row
    assert "v17" not in row and "4 more kinds (4)" in row
    # the decision leads; the per-relation tables and the glossary are folded
    assert text.index("## Gates") < text.index("## Discrepancy caused by the rewrites") < text.index("<details>")
    assert text.index("<details>") < text.index("### relation-07") and text.rstrip().endswith("</details>")
    assert reason_kind("not applicable: no step applied (a: b)") == "no step applied"
    assert grouped_reasons({"a: x": 2, "a: y": 3, "b": 1}) == "a (5); b (1)"
