"""Metrics on small fixed arrays whose every figure is worked out by hand below."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metacompress.errors import UsageError
from metacompress.metrics import (
    METRICS,
    Metric,
    Thresholds,
    baseline_metrics,
    concat_samples,
    js_distance,
    mean_metric,
    metric_definitions,
    metrics_from_samples,
    register_metric,
    relation_metrics,
    relation_samples,
    sample_flags,
    skipped_samples,
)

# Five inputs, two labels (index 1 = positive). Labels by argmax:
#   teacher x  [0,1,0,1,0]   teacher x'  [0,1,1,1,1]   (flips on 2 and 4)
#   student x  [0,1,0,1,0]   student x'  [0,0,1,1,0]   (flips on 1 and 2)
T_X = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.1, 0.9], [0.7, 0.3]])
T_XP = np.array([[0.95, 0.05], [0.3, 0.7], [0.4, 0.6], [0.05, 0.95], [0.45, 0.55]])
S_X = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8], [0.7, 0.3]])
S_XP = np.array([[0.95, 0.05], [0.6, 0.4], [0.4, 0.6], [0.3, 0.7], [0.7, 0.3]])
Y = np.array([0, 0, 0, 1, 0])
ARRAYS = {"T_x": T_X, "T_xp": T_XP, "S_x": S_X, "S_xp": S_XP}


def by_role(arrays) -> dict:
    """Four generated arrays as the keyword arguments teacher x, x', student x, x'."""
    return dict(zip(("T_x", "T_xp", "S_x", "S_xp"), arrays))


def js_reference(p, q) -> float:
    """The definition, one pair at a time: sqrt(0.5 KL(p||m) + 0.5 KL(q||m)), m the mean, log2."""
    m = [(a + b) / 2 for a, b in zip(p, q)]
    kl = lambda u: sum(a * math.log2(a / c) for a, c in zip(u, m) if a > 0)  # noqa: E731
    return math.sqrt(0.5 * kl(p) + 0.5 * kl(q))


def metrics(**kwargs):
    kwargs.setdefault("n_bootstrap", 200)
    return relation_metrics(**ARRAYS, **kwargs)


def test_js_distance_known_values():
    # identical -> 0; disjoint one-hot -> 1 (the maximum, base 2);
    # [1,0] vs [.5,.5]: m=[.75,.25], KL(p||m)=log2(4/3)=0.41504, KL(q||m)=.5log2(2/3)+.5log2(2)=0.20752,
    # JSD=0.31128, distance=0.557923
    d = js_distance(np.array([[0.3, 0.7], [1.0, 0.0], [1.0, 0.0]]),
                    np.array([[0.3, 0.7], [0.0, 1.0], [0.5, 0.5]]))
    assert d[0] == 0.0
    assert d[1] == pytest.approx(1.0, abs=1e-12)
    assert d[2] == pytest.approx(0.557923, abs=1e-6)
    # input 1: m=[.45,.55]; JSD=0.5*(0.068057+0.065249)=0.066653 -> 0.25817
    assert js_distance(T_XP[1:2], S_XP[1:2])[0] == pytest.approx(0.25817, abs=1e-5)


def test_sample_flags_by_hand():
    flags = sample_flags(**ARRAYS, thresholds=Thresholds())
    as_list = {k: v.tolist() for k, v in flags.items()}
    assert as_list["teacher_flip"] == [False, False, True, False, True]
    assert as_list["student_flip"] == [False, True, True, False, False]
    assert as_list["student_only_flip"] == [False, True, False, False, False]
    assert as_list["teacher_only_flip"] == [False, False, False, False, True]
    assert as_list["label_disagree"] == [False, True, False, False, True]
    # JS distances: 0 (same), 0.25817, 0 (same), 0.29184, 0.21605 -> over 0.1 on 1, 3, 4
    expected_js = [js_reference(p, q) for p, q in zip(T_XP, S_XP)]
    assert flags["js_distance"] == pytest.approx(expected_js, abs=1e-12)
    assert expected_js[3] == pytest.approx(0.29184, abs=1e-5)
    assert as_list["js_violation"] == [False, True, False, True, True]
    # teacher top prob on x' >= 0.9 on 0 and 3; the student gives the teacher's label 0.95 / 0.7
    assert as_list["teacher_confident"] == [True, False, False, True, False]
    assert as_list["confidence_violation"] == [False, False, False, True, False]
    assert as_list["violated"] == [False, True, False, True, True]


def test_thresholds_change_the_flags():
    flags = sample_flags(**ARRAYS, thresholds=Thresholds(js_distance=0.27, confidence=0.7))
    assert flags["js_violation"].tolist() == [False, False, False, True, False]
    # at 0.7 the teacher is confident on 0, 1, 3; the student gives its label 0.95, 0.4, 0.7
    assert flags["confidence_violation"].tolist() == [False, True, False, False, False]


def test_rates_counts_and_means_by_hand():
    m = metrics()
    expected = {  # name: (value, count, n)
        "teacher_flip_rate": (0.4, 2, 5),
        "student_flip_rate": (0.4, 2, 5),
        "student_only_flip_rate": (0.2, 1, 5),
        "teacher_only_flip_rate": (0.2, 1, 5),
        "prediction_agreement": (0.6, 3, 5),
        "prediction_agreement_original": (1.0, 5, 5),
        "js_over_threshold_rate": (0.6, 3, 5),
        "high_confidence_preservation": (0.5, 1, 2),  # 1 of the 2 teacher-confident inputs
        "discrepancy_rate": (0.6, 3, 5),
    }
    for name, (value, count, n) in expected.items():
        assert (m[name].value, m[name].count, m[name].n) == (pytest.approx(value), count, n), name
    # mean of 0, 0.25817, 0, 0.29184, 0.21605
    assert m["probability_similarity"].value == pytest.approx(0.76606 / 5, abs=1e-5)
    assert m["probability_similarity"].count is None


def test_label_metrics_by_hand():
    m = metrics(labels=Y)
    # gold [0,0,0,1,0]: teacher right on x [T,F,T,T,T], on x' [T,F,F,T,F]; student x [T,F,T,T,T], x' [T,T,F,T,T]
    assert (m["teacher_accuracy_x"].value, m["teacher_accuracy_x"].count) == (pytest.approx(0.8), 4)
    assert m["teacher_accuracy_xp"].value == pytest.approx(0.4)
    assert m["student_accuracy_x"].value == pytest.approx(0.8)
    assert m["student_accuracy_xp"].value == pytest.approx(0.8)
    assert m["teacher_accuracy_drop"].value == pytest.approx(0.4)
    assert m["student_accuracy_drop"].value == pytest.approx(0.0)
    # (0 - 0.4) / 0.4 would be -1, but a teacher drop of 2 answers is below the ratio's minimum
    assert m["relative_drop"].value is None and "fewer than 10" in m["relative_drop"].null_reason
    # F1 of label 1: teacher x tp1 fp1 fn0 -> 2/3; teacher x' tp1 fp3 -> 0.4; student x' tp1 fp1 -> 2/3
    assert m["teacher_f1_x"].value == pytest.approx(2 / 3)
    assert m["teacher_f1_xp"].value == pytest.approx(0.4)
    assert m["student_f1_xp"].value == pytest.approx(2 / 3)
    # ECE, 10 bins. teacher x: conf [.9,.8,.6,.9,.7] bins 9,8,6,9,7:
    #   |2-1.8| + |0-.8| + |1-.6| + |1-.7| = 1.7 -> 0.34
    # teacher x': conf [.95,.7,.6,.95,.55], right [T,F,F,T,F]: .1+.7+.6+.55 = 1.95 -> 0.39
    # student x: conf [.8,.7,.6,.8,.7], right [T,F,T,T,T]: .4+.4+.4 -> 0.24
    # student x': conf [.95,.6,.6,.7,.7], right [T,T,F,T,T]: .05+|1-1.2|+|2-1.4| = .85 -> 0.17
    assert m["teacher_ece_x"].value == pytest.approx(0.34)
    assert m["teacher_ece_xp"].value == pytest.approx(0.39)
    assert m["student_ece_x"].value == pytest.approx(0.24)
    assert m["student_ece_xp"].value == pytest.approx(0.17)
    assert m["calibration_alignment"].value == pytest.approx(0.22)


def test_positive_label_is_a_parameter():
    # label 0 as positive, teacher on x: predicted 0 on {0,2,4}, gold 0 on {0,1,2,4}: tp3 fp0 fn1 -> 6/7
    m = metrics(labels=Y, positive_label=0)
    assert m["teacher_f1_x"].value == pytest.approx(6 / 7)
    with pytest.raises(UsageError):
        metrics(labels=Y, positive_label=2)


def test_macro_f1_over_the_labels_present():
    # preds [0,1,2,2], gold [0,1,1,2]: F1 per label 1, 2/3, 2/3 -> 7/9; label 3 never occurs and
    # does not count
    probs = np.eye(4)[[0, 1, 2, 2]] * 0.96 + 0.01
    m = relation_metrics(T_x=probs, T_xp=probs, S_x=probs, S_xp=probs, labels=np.array([0, 1, 1, 2]), n_bootstrap=0)
    assert m["teacher_f1_x"].value == pytest.approx(7 / 9)


def test_relative_drop_is_none_when_the_teacher_does_not_drop():
    # gold [0,1,1,1,0]: the teacher is right on 4 of 5 on both x and x'
    m = metrics(labels=np.array([0, 1, 1, 1, 0]))
    assert m["teacher_accuracy_drop"].value == 0.0
    assert m["relative_drop"].value is None and m["relative_drop"].ci95 is None


def test_identical_student_departs_nowhere():
    m = relation_metrics(T_x=T_X, T_xp=T_XP, S_x=T_X, S_xp=T_XP, labels=Y, n_bootstrap=100)
    assert m["student_flip_rate"].value == m["teacher_flip_rate"].value == 0.4
    assert m["student_only_flip_rate"].value == m["teacher_only_flip_rate"].value == 0.0
    assert m["prediction_agreement"].value == 1.0
    assert m["probability_similarity"].value == 0.0
    assert m["high_confidence_preservation"].value == 1.0
    assert m["discrepancy_rate"].value == 0.0
    assert m["calibration_alignment"].value == 0.0
    assert m["discrepancy_rate"].ci95 == (0.0, pytest.approx(1 - 0.025 ** (1 / 5)))  # exact: 0 of 5


def test_without_labels_label_metrics_are_absent_not_zero():
    for labels in (None, pd.array([0, None, 0, 1, 0], dtype="Int64")):
        m = metrics(labels=labels)
        needs = [name for name, spec in METRICS.items() if spec.needs_labels]
        assert needs and not set(needs) & set(m)
        assert "student_flip_rate" in m


def test_no_confident_teacher_leaves_preservation_undefined():
    m = metrics(thresholds=Thresholds(confidence=0.99))
    hcp = m["high_confidence_preservation"]
    assert (hcp.value, hcp.count, hcp.n, hcp.ci95) == (None, 0, 0, None)


def test_no_applied_input_gives_no_values():
    empty = np.zeros((0, 2))
    m = relation_metrics(T_x=empty, T_xp=empty, S_x=empty, S_xp=empty, labels=np.zeros(0, dtype=int))
    assert all(metric.value is None and metric.n == 0 for metric in m.values())


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(7)
    arrays = [rng.dirichlet([0.5, 0.5], size=300) for _ in range(4)]
    labels = rng.integers(0, 2, 300)
    first = relation_metrics(**by_role(arrays), labels=labels, seed=3, n_bootstrap=300)
    again = relation_metrics(**by_role(arrays), labels=labels, seed=3, n_bootstrap=300)
    other = relation_metrics(**by_role(arrays), labels=labels, seed=4, n_bootstrap=300)
    assert first == again
    assert first["student_flip_rate"].ci95 != other["student_flip_rate"].ci95
    for name in ("student_flip_rate", "prediction_agreement", "discrepancy_rate",
                 "probability_similarity", "student_accuracy_xp", "student_f1_xp", "teacher_ece_xp"):
        low, high = first[name].ci95
        assert low < first[name].value < high, name
        assert high - low < 0.25, name  # n=300: an interval, not [0, 1]
    assert relation_metrics(**by_role(arrays), labels=labels, n_bootstrap=0)["student_flip_rate"].ci95 is None


def test_bootstrap_chunks_do_not_change_the_interval(monkeypatch):
    import metacompress.metrics.intervals as intervals

    rng = np.random.default_rng(1)
    arrays = [rng.dirichlet([0.5, 0.5], size=50) for _ in range(4)]
    whole = relation_metrics(**by_role(arrays), n_bootstrap=120, seed=5)
    monkeypatch.setattr(intervals, "_CHUNK_ELEMENTS", 50 * 7)  # 7 replicates per chunk
    assert relation_metrics(**by_role(arrays), n_bootstrap=120, seed=5) == whole


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="shape"):
        relation_metrics(T_x=T_X, T_xp=T_XP[:3], S_x=S_X, S_xp=S_XP)
    with pytest.raises(ValueError, match="sum to 1"):
        relation_metrics(T_x=T_X * 2, T_xp=T_XP, S_x=S_X, S_xp=S_XP)
    with pytest.raises(ValueError, match="labels"):
        relation_metrics(**ARRAYS, labels=np.array([0, 1, 2, 0, 0]))
    with pytest.raises(UsageError, match="Did you mean 'student_flip_rate'"):
        relation_metrics(**ARRAYS, metrics=["student_flip_rat"])
    with pytest.raises(UsageError):
        Thresholds(js_distance=1.5)


def test_baseline_is_the_originals_only():
    b = baseline_metrics(T_x=T_X, S_x=S_X, labels=Y, n_bootstrap=50)
    assert set(b) == {"prediction_agreement_original", "teacher_accuracy_x", "student_accuracy_x",
                      "teacher_f1_x", "student_f1_x", "teacher_ece_x", "student_ece_x",
                      "discrepancy_rate_x", "probability_similarity_x", "js_over_threshold_rate_x",
                      "high_confidence_preservation_x"}
    assert b["teacher_accuracy_x"].value == pytest.approx(0.8)
    assert b["prediction_agreement_original"].value == 1.0


def test_every_registered_metric_is_documented_and_consistent():
    m = metrics(labels=Y)
    definitions = metric_definitions()
    assert list(definitions) == list(METRICS) == list(m)
    for name, spec in METRICS.items():
        assert spec.description.strip() and spec.kind in ("rate", "value"), name
        metric = m[name]
        assert isinstance(metric, Metric) and metric.n >= 0
        if spec.kind == "rate" and metric.value is not None:
            assert metric.value == pytest.approx(metric.count / metric.n), name
            assert 0.0 <= metric.value <= 1.0
        if metric.value is None:
            assert metric.null_reason, name
        elif metric.ci95 is None:
            assert metric.ci_note.startswith("undefined in"), name  # e.g. 2 confident inputs
        else:
            assert metric.as_dict()["ci95"] == list(metric.ci95)


@pytest.fixture
def user_metric():
    spec = register_metric(mean_metric(
        "student_confidence_drop", "Mean drop of the student's top probability from x to x'.",
        lambda d: d.probs("student", "x").max(1) - d.probs("student", "xp").max(1)))
    yield spec
    del METRICS[spec.name]


def test_a_user_metric_plugs_in_without_touching_the_core(user_metric):
    m = metrics()
    # student top probs x [.8,.7,.6,.8,.7], x' [.95,.6,.6,.7,.7]: drops -.15,.1,0,.1,0 -> 0.01
    assert m["student_confidence_drop"].value == pytest.approx(0.01)
    assert m["student_confidence_drop"].ci95 is not None
    with pytest.raises(ValueError, match="already registered"):
        register_metric(user_metric)


def _float32_probs(rng, n, labels=2):
    logits = rng.normal(size=(n, labels)).astype(np.float32) * 3
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def test_samples_table_recomputes_the_direct_metrics_exactly():
    rng = np.random.default_rng(11)
    frames, direct = [], {}
    for relation, n in (("rename-identifiers", 40), ("swap-if-else", 25)):
        arrays = [_float32_probs(rng, n) for _ in range(4)]
        labels = rng.integers(0, 2, n)
        ids = [f"{relation}-{i}" for i in range(n)]
        frames.append(relation_samples(relation, ids, **by_role(arrays), labels=labels))
        frames.append(skipped_samples(relation, ["a", "b"], ["no site", ""], [0, 1]))
        direct[relation] = relation_metrics(**by_role(arrays), labels=labels, seed=9, n_bootstrap=150)
    summary = metrics_from_samples(concat_samples(frames), seed=9, n_bootstrap=150)
    for relation, expected in direct.items():
        assert summary.relations[relation].metrics == expected
    rename = summary.relations["rename-identifiers"]
    assert (rename.applied, rename.not_applicable) == (40, 2)
    assert rename.skip_reasons == {"no site": 1, "unspecified": 1}
    assert summary.all_relations.applied == 65
    assert summary.all_relations.metrics["student_flip_rate"].n == 65


def test_samples_table_columns_and_flags():
    frame = relation_samples("r", ["e0", "e1", "e2", "e3", "e4"], **ARRAYS, labels=Y, extra={"sites": [1, 2, 1, 1, 3]})
    assert frame["student_pred_xp"].tolist() == [0, 0, 1, 1, 0]
    assert frame["violated"].tolist() == [False, True, False, True, True]
    assert frame["teacher_probs_xp"][1] == [0.3, 0.7]
    assert list(frame.columns)[-1] == "sites"
    with pytest.raises(ValueError, match="overwrite"):
        relation_samples("r", ["e0"], **{k: a[:1] for k, a in ARRAYS.items()}, extra={"violated": [True]})


def test_x_side_flags_and_the_paired_change_by_hand():
    flags = sample_flags(**ARRAYS, thresholds=Thresholds())
    # on x both models give [0,1,0,1,0]; JS(T(x), S(x)) is 0.1199 on 0 and 3 (over 0.1), 0.0983 on 1
    expected_js = [js_reference(p, q) for p, q in zip(T_X, S_X)]
    assert flags["js_distance_x"] == pytest.approx(expected_js, abs=1e-12)
    assert flags["label_disagree_x"].tolist() == [False] * 5
    assert flags["js_violation_x"].tolist() == [True, False, False, True, False]
    # the teacher is confident (0.9) on 0 and 3, where the student gives its label only 0.8
    assert flags["confidence_violation_x"].tolist() == [True, False, False, True, False]
    assert flags["violated_x"].tolist() == [True, False, False, True, False]
    # x' violated [F,T,F,T,T]: induced on 1 and 4, resolved on 0, standing on 3
    assert flags["induced_discrepancy"].tolist() == [False, True, False, False, True]
    assert flags["resolved_discrepancy"].tolist() == [True, False, False, False, False]
    m = metrics()
    expected = {"discrepancy_rate_x": (0.4, 2, 5), "induced_discrepancy_rate": (0.4, 2, 5),
                "resolved_discrepancy_rate": (0.2, 1, 5), "js_over_threshold_rate_x": (0.4, 2, 5),
                "high_confidence_preservation_x": (0.0, 0, 2), "prediction_agreement_original": (1.0, 5, 5)}
    for name, (value, count, n) in expected.items():
        assert (m[name].value, m[name].count, m[name].n) == (pytest.approx(value), count, n), name
    assert m["net_discrepancy_change"].value == pytest.approx(
        m["discrepancy_rate"].value - m["discrepancy_rate_x"].value)
    assert m["probability_similarity_x"].value == pytest.approx(sum(expected_js) / 5)


def test_a_rewrite_that_changes_nothing_induces_nothing():
    m = relation_metrics(T_x=T_X, T_xp=T_X, S_x=S_X, S_xp=S_X, n_bootstrap=100)
    assert m["discrepancy_rate"].value == m["discrepancy_rate_x"].value == 0.4
    assert m["induced_discrepancy_rate"].value == m["resolved_discrepancy_rate"].value == 0.0
    assert m["induced_discrepancy_rate"].ci95 == (0.0, pytest.approx(1 - 0.025 ** (1 / 5)))  # exact: 0 of 5


def test_relative_drop_is_none_when_the_teacher_improves():
    # x and x' swapped: the teacher gains 0.4 while the student holds; the old ratio read -1.0
    m = relation_metrics(T_x=T_XP, T_xp=T_X, S_x=S_XP, S_xp=S_X, labels=Y, n_bootstrap=100)
    assert m["teacher_accuracy_drop"].value == pytest.approx(-0.4)
    assert m["student_accuracy_drop"].value == pytest.approx(0.0)
    relative = m["relative_drop"]
    assert relative.value is None and relative.ci95 is None
    assert "drops by fewer than" in relative.null_reason


def test_relative_drop_interval_needs_a_positive_teacher_drop_in_the_resamples():
    rng = np.random.default_rng(2)
    n = 400
    gold = rng.integers(0, 2, n)
    right, wrong = np.eye(2)[gold] * 0.9 + 0.05, np.eye(2)[1 - gold] * 0.9 + 0.05

    def answers(correct):
        return np.where(correct[:, None], right, wrong)
    # the teacher loses 60 answers under the rewrite, the student 120: a clear teacher drop
    teacher_x, student_x = answers(np.ones(n, bool)), answers(np.ones(n, bool))
    teacher_xp, student_xp = answers(np.arange(n) >= 60), answers(np.arange(n) >= 120)
    clear = relation_metrics(T_x=teacher_x, T_xp=teacher_xp, S_x=student_x, S_xp=student_xp, labels=gold,
                             n_bootstrap=300)
    assert clear["relative_drop"].value == pytest.approx(1.0)
    low, high = clear["relative_drop"].ci95
    assert low < 1.0 < high and clear["relative_drop"].ci_note is None
    # a teacher drop of 10 answers: many resamples fall below the minimum, so there is no interval
    teacher_xp = answers(np.arange(n) >= 10)
    shaky = relation_metrics(T_x=teacher_x, T_xp=teacher_xp, S_x=student_x, S_xp=student_xp, labels=gold,
                             n_bootstrap=300)
    assert shaky["relative_drop"].value == pytest.approx(11.0)
    assert shaky["relative_drop"].ci95 is None and shaky["relative_drop"].ci_note.startswith("undefined in")
    # a teacher drop of 2 answers: a ratio over a near-zero denominator is left undefined
    teacher_xp = answers(np.arange(n) >= 2)
    tiny = relation_metrics(T_x=teacher_x, T_xp=teacher_xp, S_x=student_x, S_xp=student_xp, labels=gold,
                            n_bootstrap=300)
    assert tiny["relative_drop"].value is None and "near-zero" in tiny["relative_drop"].null_reason


def test_pooled_row_resamples_originals_not_rows():
    rng = np.random.default_rng(4)
    ids = [f"e{i}" for i in range(40)]
    frames, pooled = [], []
    for relation in ("a", "b", "c"):
        arrays = [_float32_probs(rng, 40) for _ in range(4)]
        frames.append(relation_samples(relation, ids, **by_role(arrays)))
        pooled.append(arrays)
    summary = metrics_from_samples(concat_samples(frames), seed=2, n_bootstrap=200)
    direct = relation_metrics(**by_role(np.concatenate([p[k] for p in pooled]) for k in range(4)),
                              clusters=ids * 3, seed=2, n_bootstrap=200)
    assert summary.all_relations.metrics == direct
    assert (summary.all_relations.applied, summary.all_relations.clusters) == (120, 40)
    assert summary.relations["a"].clusters == 40


def test_flip_asymmetry_is_the_difference_of_the_one_model_flip_rates():
    assert metrics()["flip_asymmetry"].value == pytest.approx(0.2 - 0.2)
    # the teacher never flips, the student flips on 1 and 2
    m = relation_metrics(T_x=T_X, T_xp=T_X, S_x=S_X, S_xp=S_XP, n_bootstrap=100)
    assert m["flip_asymmetry"].value == pytest.approx(0.4)
    low, high = m["flip_asymmetry"].ci95
    assert 0.0 <= low <= 0.4 <= high


def test_probability_arrays_are_keyword_only():
    # a swapped pair passed by position would judge silently wrong: by position is refused
    positional = (T_X, T_XP, S_X, S_XP)
    with pytest.raises(TypeError):
        sample_flags(*positional)
    with pytest.raises(TypeError):
        relation_metrics(*positional, n_bootstrap=0)
    with pytest.raises(TypeError):
        baseline_metrics(T_X, S_X, n_bootstrap=0)
    with pytest.raises(TypeError):
        relation_samples("r", ["e0", "e1", "e2", "e3", "e4"], *positional)
    with pytest.raises(TypeError):
        skipped_samples("r", ["e0"], ["no site"], None, T_X[:1], S_X[:1])
