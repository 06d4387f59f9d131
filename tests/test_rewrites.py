"""--rewrites K: K independent rewrites per (input, relation), rates as expected rates over them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.audit import AuditConfig, run_audit
from metacompress.errors import UsageError
from metacompress.metrics import judge
from metacompress.metrics.rewrite_draw import decompose
from metacompress.report import read_samples_csv
from metacompress.rewriting import rewrite_seed

RELATIONS = ["insert-dead-code", "swap-if-else"]  # insert-dead-code draws its form and place


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=12)


def audit(models, pairs, **overrides):
    settings = dict(teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
                    data=str(pairs), relations=RELATIONS, bootstrap=200, progress=False)
    settings.update(overrides)
    return run_audit(AuditConfig(**settings))


@pytest.fixture(scope="module")
def once(models, pairs):
    return audit(models, pairs)


@pytest.fixture(scope="module")
def thrice(models, pairs, tmp_path_factory):
    return audit(models, pairs, rewrites=3, out=str(tmp_path_factory.mktemp("out") / "k3"))


def test_first_rewrite_is_the_single_rewrite_run(once, thrice):
    """K = 1 is today's audit: its rewrites are rewrite 0 of a K = 3 run, and its figures are
    unweighted (whole counts, no rewrite split)."""
    first = thrice.samples[thrice.samples["rewrite"] == 0].reset_index(drop=True)
    assert list(first["rewritten_code"]) == list(once.samples["rewritten_code"])
    assert (once.samples["rewrite"] == 0).all()
    again = judge(first, seed=0, n_bootstrap=200, cluster_by="function")
    rows = {**again.relations, "all relations": again.all_relations, "per original (macro)": again.per_original}
    for name, row in once.report.rows():
        other = rows[name]
        assert row.metrics == other.metrics, name
        assert row.rewrite_draw is None
        assert all(isinstance(m.n, int) for m in row.metrics.values())


def test_k_rewrites_per_input_and_relation_distinct_where_the_relation_draws(thrice):
    samples = thrice.samples
    per_unit = samples.groupby(["example_id", "relation"])["rewrite"].agg(sorted)
    assert all(ks == [0, 1, 2] for ks in per_unit)
    drawn = samples[(samples["relation"] == "insert-dead-code") & samples["applied"]]
    distinct = drawn.groupby("example_id")["rewritten_code"].nunique()
    assert (distinct > 1).mean() > 0.5  # a random relation gives different rewrites
    assert rewrite_seed(0, 0) == 0 and len({rewrite_seed(0, k) for k in range(3)}) == 3


def test_expected_rate_is_the_mean_of_per_original_means_in_samples_csv(thrice):
    samples = read_samples_csv(thrice.out_dir / "samples.csv")
    report = json.loads((thrice.out_dir / "report.json").read_text(encoding="utf-8"))
    seen = samples["teacher_sees_rewrite"].fillna(False).astype(bool) | samples["student_sees_rewrite"].fillna(False).astype(bool)
    judged = samples[samples["applied"].astype(bool) & seen]  # what a model could see is judged
    for relation in RELATIONS:
        mine = judged[judged["relation"] == relation]
        flips = mine["student_flip"].astype(float).groupby(mine["example_id"]).mean()
        discrepant = mine["violated"].astype(float).groupby(mine["example_id"]).mean()
        row = report["relations"][relation]
        assert row["metrics"]["student_flip_rate"]["value"] == pytest.approx(flips.mean(), abs=1e-12)
        assert row["metrics"]["discrepancy_rate"]["value"] == pytest.approx(discrepant.mean(), abs=1e-12)
        assert row["metrics"]["discrepancy_rate"]["n"] == pytest.approx(len(discrepant))
    pooled = judged["violated"].astype(float).groupby([judged["relation"], judged["example_id"]]).mean()
    assert report["all_relations"]["metrics"]["discrepancy_rate"]["value"] == pytest.approx(pooled.mean(), abs=1e-12)
    assert report["relations"]["insert-dead-code"]["rewrite_draw"]["discrepancy_rate"]["units"] > 0
    assert "rewrite draw" in (thrice.out_dir / "report.md").read_text(encoding="utf-8")
    html = (thrice.out_dir / "report.html").read_text(encoding="utf-8")
    assert "rewrite draw" in html and "Threshold sensitivity" in html


def test_variance_split_separates_the_draw_from_the_originals():
    units = np.repeat(np.arange(40), 4)
    alike = np.repeat(np.arange(40) % 2, 4).astype(float)  # each original: all its rewrites alike
    assert decompose(alike, units).share == 0.0
    rng = np.random.default_rng(0)
    coin = rng.integers(0, 2, size=160).astype(float)  # every rewrite its own coin: all draw
    split = decompose(coin, units)
    assert split.share > 0.6 and split.units == 40
    # by hand: mean within-unit variance / 4 over the variance of the unit means
    means = coin.reshape(40, 4).mean(axis=1)
    by_hand = coin.reshape(40, 4).var(axis=1, ddof=1).mean() / 4 / means.var(ddof=1)
    assert split.share == pytest.approx(min(1.0, by_hand), abs=1e-6)


def test_rewrites_must_be_a_positive_whole_number(models, pairs):
    with pytest.raises(UsageError, match="--rewrites"):
        audit(models, pairs, rewrites=0)


def test_per_original_row_weighs_each_original_once_without_compose(models, pairs, tmp_path):
    result = audit(models, pairs, relations=RELATIONS + ["compose"], out=str(tmp_path / "macro"))
    samples = result.samples
    seen = samples["teacher_sees_rewrite"].fillna(False).astype(bool) | samples["student_sees_rewrite"].fillna(False).astype(bool)
    judged = samples[samples["applied"].astype(bool) & seen & (samples["relation"] != "compose")]
    by_original = judged["violated"].astype(float).groupby(judged["example_id"]).mean()
    macro = result.report.per_original
    assert macro.metrics["discrepancy_rate"].value == pytest.approx(by_original.mean(), abs=1e-12)
    assert macro.metrics["discrepancy_rate"].n == pytest.approx(len(by_original))
    assert macro.applied == int(samples[samples["relation"] != "compose"]["applied"].sum())
    written = json.loads((tmp_path / "macro" / "report.json").read_text(encoding="utf-8"))
    assert written["per_original"]["metrics"]["discrepancy_rate"]["value"] == macro.metrics["discrepancy_rate"].value
    assert "per original (macro)" in (tmp_path / "macro" / "report.md").read_text(encoding="utf-8")


def test_threshold_curves_pass_through_the_pooled_figures_at_the_setting(once, tmp_path):
    """The curves in report.json meet the pooled row's figures at the run's thresholds, and a
    higher JS threshold never flags more inputs."""
    pooled = once.report.all_relations.metrics
    curves = {c.threshold: c for c in once.report.threshold_sensitivity}
    js, confidence = curves["js_distance"], curves["confidence"]
    at = js.grid.index(0.1)
    assert js.values["js_over_threshold_rate"][at] == pytest.approx(pooled["js_over_threshold_rate"].value, abs=1e-6)
    assert js.values["discrepancy_rate"][at] == pytest.approx(pooled["discrepancy_rate"].value, abs=1e-6)
    assert np.all(np.diff(js.values["js_over_threshold_rate"]) <= 1e-12)
    kept = confidence.values["high_confidence_preservation"][confidence.grid.index(0.9)]
    expected = pooled["high_confidence_preservation"].value
    assert (kept is None and expected is None) or kept == pytest.approx(expected, abs=1e-6)
    assert confidence.values["discrepancy_rate"][confidence.grid.index(0.9)] == pytest.approx(
        pooled["discrepancy_rate"].value, abs=1e-6)
    assert "threshold_sensitivity" in once.report.to_dict()


def test_the_transform_stage_parses_each_snippet_once_for_all_relations(monkeypatch):
    """Every relation of an audit reads the same example: its parse is shared while the example
    is being rewritten, whatever the sample's size (here larger than the recent-parse cache)."""
    from metacompress.code import parsing
    from metacompress.rewriting import rewrite_all
    from metacompress.tasks.base import Example

    monkeypatch.setattr(parsing, "RECENT_PARSES", 8)
    parsing.clear_parse_caches()
    snippets = [f"int f{i}(int a) {{ int b = a + {i}; if (b > 2) {{ b = b * 2; }} return b; }}" for i in range(12)]
    examples = [Example(str(i), (code,)) for i, code in enumerate(snippets)]
    parsed: list[str] = []
    fresh = parsing.ParsedCode._parse_fresh.__func__
    monkeypatch.setattr(parsing.ParsedCode, "_parse_fresh",
                        classmethod(lambda cls, text, language: parsed.append(text) or fresh(cls, text, language)))
    relations = ["swap-operands", "add-braces", "insert-comment", "double-negation"]
    rows = rewrite_all(examples, relations, "c", (0,), seed=0, progress=False)
    assert [(r.relation, r.example_index) for r in rows] == [(rel, i) for rel in relations for i in range(12)]
    assert all(parsed.count(code) == 1 for code in snippets), [parsed.count(code) for code in snippets]
