"""Clustered McNemar, multiplicity adjustment, effect sizes and the pair-task clusters."""

import numpy as np
import pandas as pd
import pytest

from metacompress.metrics import judge, relation_samples
from metacompress.metrics.clusters import cluster_keys, components
from metacompress.metrics.mcnemar import adjust_p_values, mcnemar_clustered, mcnemar_exact
from metacompress.report.schema import schema_errors
from metacompress.report import Report

ONE, FLIPPED = [0.9, 0.1], [0.1, 0.9]


def test_holm_and_bh_match_their_step_definitions():
    p = [0.01, 0.04, None, 0.03, 0.5]
    # Holm: sorted 0.01, 0.03, 0.04, 0.5 times 4, 3, 2, 1, made monotone
    assert adjust_p_values(p, "holm") == pytest.approx([0.04, 0.09, None, 0.09, 0.5])
    # BH: 0.5*4/4, 0.04*4/3, 0.03*4/2, 0.01*4/1, made monotone from the top
    assert adjust_p_values(p, "bh") == pytest.approx([0.04, 0.16 / 3, None, 0.16 / 3, 0.5])


def test_clustered_mcnemar_is_less_sure_than_the_exact_test_when_flips_cluster():
    # 10 originals; 4 of them flip under all 5 relations (the student alone), 1 the teacher alone
    b = np.array([5, 5, 5, 5, 0, 0, 0, 0, 0, 0])
    c = np.array([0, 0, 0, 0, 5, 0, 0, 0, 0, 0])
    exact = mcnemar_exact(student_only_flips=int(b.sum()), teacher_only_flips=int(c.sum()))
    clustered = mcnemar_clustered(b, c)
    assert exact.p_value < 0.01 < clustered.p_value
    assert clustered.method == "clustered"
    # with one row per cluster the clustered statistic is McNemar's (b - c)^2 / (b + c)
    flat = mcnemar_clustered(np.r_[np.ones(12), np.zeros(4)], np.r_[np.zeros(12), np.ones(4)])
    from scipy.stats import chi2
    assert flat.p_value == pytest.approx(chi2.sf((12 - 4) ** 2 / 16, 1))


def _samples(flips_by_relation: dict[str, list[bool]], ids: list[str]) -> pd.DataFrame:
    frames = []
    for relation, flips in flips_by_relation.items():
        n = len(flips)
        same = np.array([ONE] * n)
        student_xp = np.array([FLIPPED if f else ONE for f in flips])
        frames.append(relation_samples(relation, ids[:n], T_x=same, T_xp=same, S_x=same, S_xp=student_xp))
    return pd.concat(frames, ignore_index=True)


def test_report_has_raw_and_adjusted_p_and_effect_sizes_and_validates():
    ids = [f"e{i}" for i in range(40)]
    samples = _samples({"a": [i < 12 for i in range(40)], "b": [i < 3 for i in range(40)],
                        "c": [i < 8 for i in range(40)]}, ids)
    judgement = judge(samples, n_bootstrap=200)
    tests = [row.mcnemar for row in judgement.relations.values()]
    assert all(t.method == "exact" and t.adjustment == "holm" for t in tests)
    assert [t.p_adjusted for t in tests] == pytest.approx(adjust_p_values([t.p_value for t in tests]))
    assert judgement.all_relations.mcnemar.method == "clustered"
    a = judgement.relations["a"].mcnemar
    assert a.risk_difference == pytest.approx(12 / 40)
    assert a.odds_ratio is None and a.odds_ratio_ci95[1] is None  # no teacher-only flip: unbounded
    assert a.odds_ratio_ci95[0] > 1
    document = Report.of(judgement).to_dict()
    assert not schema_errors(document)
    assert document["relations"]["a"]["mcnemar"]["p_adjusted"] == pytest.approx(a.p_adjusted)


def test_no_rate_interval_is_zero_width_at_zero_events():
    ids = [f"e{i}" for i in range(94)]
    judgement = judge(_samples({"a": [False] * 94}, ids), n_bootstrap=200)
    metric = judgement.relations["a"].metrics["student_only_flip_rate"]
    assert metric.ci95[0] == 0 and metric.ci95[1] == pytest.approx(1 - 0.025 ** (1 / 94))  # 3.8%
    assert "exact" in metric.ci_note


def test_pair_clusters_join_pairs_that_share_a_function():
    assert components([("f1", "f2"), ("f3", "f2"), ("f4", "f5"), ("f5", "f6"), ("f7", "f8")]) == [0, 0, 1, 1, 2]
    table = pd.DataFrame({"example_id": ["1-2", "3-2", "4-5", "1-2"]})
    keys = cluster_keys(table, "function")
    assert keys[0] == keys[1] == keys[3] != keys[2]
    assert list(cluster_keys(table)) == ["1-2", "3-2", "4-5", "1-2"]


def test_too_few_judged_inputs_are_marked_in_every_view():
    from metacompress.report.html import render_html
    from metacompress.report.markdown import render_markdown
    from metacompress.report.terminal import render_terminal

    ids = [f"e{i}" for i in range(30)]
    report = Report.of(judge(_samples({"many": [i < 5 for i in range(30)], "rare": [True, False, False]}, ids),
                             n_bootstrap=100))
    assert report.relations["rare"].too_few and not report.relations["many"].too_few
    terminal = render_terminal(report)
    assert "rare (too few)" in terminal and "many (too few)" not in terminal
    assert "rare (too few)" in render_markdown(report)
    assert "rare (too few)" in render_html(report)
