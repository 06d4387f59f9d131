"""Rewrites a model never sees (edits past its truncation) are counted apart, never judged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit_fixtures import LABELS, methods, write_pairs
from metacompress.audit import AuditConfig, run_audit
from metacompress.metrics import metrics_from_samples, relation_samples
from metacompress.report import read_samples_csv
from metacompress.rewriting import VISIBLE_ATTEMPTS, Rewriter
from metacompress.tasks.base import Example

RELATIONS = ["insert-dead-code", "add-unused-variable", "rename-identifiers"]


@pytest.fixture(scope="module")
def windows(tmp_path_factory):
    """A teacher reading 24 tokens and a student reading 48: most rewrites fall past one or both."""
    from metacompress.demo.tiny import build_tiny_classifier, train_bpe

    root = tmp_path_factory.mktemp("windows")
    texts = [m["code"] for m in methods()]
    tokenizer = train_bpe(texts, 500)
    teacher = build_tiny_classifier(root / "teacher", texts, LABELS, seed=0, tokenizer=tokenizer, max_length=24)
    student = build_tiny_classifier(root / "student", texts, LABELS, seed=3, tokenizer=tokenizer, max_length=48)
    return {"teacher": teacher, "student": student, "data": write_pairs(root / "pairs.jsonl", count=12)}


@pytest.fixture(scope="module")
def short_window_audit(windows, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "run"
    config = AuditConfig(teacher=str(windows["teacher"]), student=str(windows["student"]), task="clone-detection",
                         data=str(windows["data"]), relations=RELATIONS, pair_side="second", bootstrap=50,
                         progress=False, out=str(out))
    return run_audit(config)


def test_unseen_rows_are_counted_and_left_out_of_every_metric(short_window_audit):
    report = short_window_audit.report.to_dict()
    assert report["all_relations"]["unseen"] > 0
    for name, row in [*report["relations"].items(), ("all relations", report["all_relations"])]:
        assert row["judged"] == row["applied"] - row["unseen"], name
        assert row["metrics"]["student_flip_rate"]["n"] == row["judged"], name
    samples = short_window_audit.samples
    applied = samples[samples["applied"]]
    unseen = applied[~applied["teacher_sees_rewrite"].astype(bool) & ~applied["student_sees_rewrite"].astype(bool)]
    assert len(unseen) == report["all_relations"]["unseen"]


def test_a_model_that_does_not_see_the_rewrite_gives_identical_outputs(short_window_audit):
    """What "sees" means: unchanged token ids, hence bit-identical probabilities on x and x'."""
    applied = short_window_audit.samples[short_window_audit.samples["applied"]]
    for model in ("teacher", "student"):
        blind = applied[~applied[f"{model}_sees_rewrite"].astype(bool)]
        assert len(blind) > 0, model
        for x, xp in zip(blind[f"{model}_probs_x"], blind[f"{model}_probs_xp"]):
            assert x == xp


def test_rewrites_seen_by_one_model_only_are_judged_and_flagged(short_window_audit):
    report = short_window_audit.report.to_dict()["all_relations"]
    # the student reads twice as far as the teacher, so some rewrites reach the student alone
    assert report["seen_by_student_only"] > 0
    assert report["seen_by_teacher_only"] == 0


def test_window_retries_are_reported(short_window_audit):
    row = short_window_audit.report.to_dict()["all_relations"]
    assert row["window_retried"] > 0
    assert 0 <= row["window_retry_found"] <= row["window_retried"]
    samples = short_window_audit.samples
    retried = samples[samples["window_retry"] != ""]
    assert len(retried) == row["window_retried"]
    # a rewrite re-drawn and found reaches both models
    found = retried[retried["window_retry"] == "found"]
    assert found["teacher_sees_rewrite"].astype(bool).all() and found["student_sees_rewrite"].astype(bool).all()


def test_visibility_survives_samples_csv(short_window_audit):
    table = read_samples_csv(short_window_audit.out_dir / "samples.csv")
    again = metrics_from_samples(table, n_bootstrap=0)
    for name, row in short_window_audit.report.to_dict()["relations"].items():
        assert again.relations[name].visibility.unseen == row["unseen"]
        assert again.relations[name].metrics["discrepancy_rate"].n == row["judged"]


def test_report_md_and_terminal_show_unseen(short_window_audit):
    from metacompress.report import render_terminal

    text = (short_window_audit.out_dir / "report.md").read_text(encoding="utf-8")
    assert "| relation | applied | unseen |" in text
    assert render_terminal(short_window_audit.report).splitlines()[0].split()[:3] == ["relation", "applied", "unseen"]


def test_tables_without_visibility_columns_judge_every_applied_row():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet([1, 1], size=(4, 10))
    frame = relation_samples("r", [str(i) for i in range(10)], T_x=probs[0], T_xp=probs[1], S_x=probs[2], S_xp=probs[3])
    summary = metrics_from_samples(frame, n_bootstrap=0)
    assert summary.relations["r"].visibility.unseen == 0
    assert summary.relations["r"].metrics["discrepancy_rate"].n == 10
    frame["teacher_sees_rewrite"] = [False] * 3 + [True] * 7
    frame["student_sees_rewrite"] = pd.array([False] * 4 + [True] * 6, dtype="boolean")
    summary = metrics_from_samples(frame, n_bootstrap=0)
    assert summary.relations["r"].visibility.unseen == 3
    assert summary.relations["r"].visibility.teacher_only == 1
    assert summary.relations["r"].metrics["discrepancy_rate"].n == 7


CODE = "class A { int f(int a, int b) { int c = a + b; return c; } }"


def test_rewriter_redraws_a_rewrite_nobody_sees_and_keeps_the_first_when_none_is_seen():
    example = Example("e", (CODE,))
    rewriter = Rewriter("java", seed=0)
    first = rewriter.rewrite_example(0, example, "insert-dead-code", (0,))
    later = [rewriter.rewrite_example(0, example, "insert-dead-code", (0,), attempt=k).code
             for k in range(1, VISIBLE_ATTEMPTS)]
    assert any(code != first.code for code in later)

    chosen = rewriter.rewrite_visible(0, example, "insert-dead-code", (0,), lambda x, xp: xp != first.code)
    assert chosen.window_retry == "found" and chosen.code != first.code and chosen.code in later

    hopeless = rewriter.rewrite_visible(0, example, "insert-dead-code", (0,), lambda x, xp: False)
    assert hopeless.window_retry == "not found" and hopeless.code == first.code

    seen = rewriter.rewrite_visible(0, example, "insert-dead-code", (0,), lambda x, xp: True)
    assert seen == first and seen.window_retry == ""


def test_digests_tell_what_the_model_read(windows):
    from metacompress.inference import predict_proba, tokenised
    from metacompress.models import load_model

    model = load_model(str(windows["teacher"]))
    base = methods()[0]["code"]
    inputs = [base, base + "\n// a comment far past the 24-token window", "// early comment\n" + base]
    digests, truncated = tokenised(model, inputs)
    assert truncated.all()
    assert digests[0] == digests[1] and digests[0] != digests[2]
    predicted = predict_proba(model, inputs)
    assert (predicted.digests == digests).all()
