"""Intervals a reviewer can trust: clusters resampled together, BCa coverage, notes, McNemar."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metacompress.metrics import relation_metrics
from metacompress.metrics.intervals import acceleration, bca_interval, cluster_codes
from metacompress.metrics.mcnemar import mcnemar_exact

FLIP = np.array([[0.1, 0.9]])
HOLD = np.array([[0.9, 0.1]])


def _student_flips(events: np.ndarray) -> dict[str, np.ndarray]:
    """Arrays where the teacher never flips and the student flips exactly on ``events``."""
    n = len(events)
    steady = np.repeat(HOLD, n, axis=0)
    return {"T_x": steady, "T_xp": steady, "S_x": steady, "S_xp": np.where(events[:, None], FLIP, HOLD)}


def _clustered_events(rng, clusters: int, size: int, a: float, b: float) -> np.ndarray:
    """Each cluster has its own flip probability from Beta(a, b): rows of a cluster correlate."""
    rates = rng.beta(a, b, clusters)
    return rng.random((clusters, size)) < rates[:, None]


def _flip_interval(events: np.ndarray, clusters, seed: int, n_bootstrap: int = 400):
    metric = relation_metrics(**_student_flips(events.ravel()), clusters=clusters, seed=seed,
                              n_bootstrap=n_bootstrap, metrics=["student_flip_rate"])
    return metric["student_flip_rate"]


def test_correlated_rows_make_the_cluster_interval_wider():
    rng = np.random.default_rng(0)
    events = _clustered_events(rng, clusters=50, size=8, a=0.6, b=1.4)
    ids = np.repeat(np.arange(50), 8)
    by_row = _flip_interval(events, None, seed=1)
    by_cluster = _flip_interval(events, ids, seed=1)
    assert by_row.value == by_cluster.value
    width = lambda m: m.ci95[1] - m.ci95[0]  # noqa: E731
    # design effect 1 + (8 - 1) / 3 for Beta(0.6, 1.4): the interval widens by about 1.8
    assert width(by_cluster) > 1.4 * width(by_row)


def test_cluster_bca_covers_a_known_rate_about_95_percent_of_the_time():
    rng = np.random.default_rng(12)
    true_rate = 0.3  # the mean of Beta(0.6, 1.4)
    ids = np.repeat(np.arange(50), 8)
    covered = {"cluster": 0, "row": 0}
    runs = 200
    for run in range(runs):
        events = _clustered_events(rng, clusters=50, size=8, a=0.6, b=1.4)
        for unit, clusters in (("cluster", ids), ("row", None)):
            low, high = _flip_interval(events, clusters, seed=run).ci95
            covered[unit] += low <= true_rate <= high
    assert 0.90 * runs <= covered["cluster"] <= 0.98 * runs  # 93% with this seed
    assert covered["row"] < 0.85 * runs  # rows as if independent: 74%, far too narrow


def test_cluster_codes_follow_first_appearance():
    assert cluster_codes(["b", "a", "b", "c", "a"], 5).tolist() == [0, 1, 0, 2, 1]
    assert cluster_codes(None, 3).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="cluster ids"):
        cluster_codes(["a"], 2)


def test_bca_degenerate_and_fallback_cases_say_so():
    jack = np.zeros(5)
    assert bca_interval(0.2, np.full(100, 0.2), jack).ci is None  # no zero-width interval
    assert bca_interval(0.2, np.zeros(0), jack).ci is None
    # every replicate above the estimate: z0 is infinite, percentile interval, flagged twice
    above = bca_interval(0.1, np.linspace(0.2, 0.4, 100), jack)
    assert above.ci == pytest.approx((0.205, 0.395))
    assert "percentile interval" in above.note and "excludes the estimate" in above.note
    # a few undefined replicates are left out and counted; too many leave no interval
    some = bca_interval(0.5, np.r_[np.linspace(0.3, 0.7, 97), [np.nan] * 3], jack)
    assert some.ci is not None and some.note.startswith("3 of 100 resamples")
    many = bca_interval(0.5, np.r_[np.linspace(0.3, 0.7, 90), [np.nan] * 10], jack)
    assert many.ci is None and "undefined in 10 of 100" in many.note


def test_bca_of_a_symmetric_case_is_the_percentile_interval():
    replicates = np.linspace(0.0, 1.0, 1001)
    interval = bca_interval(0.5, replicates, np.array([0.4, 0.5, 0.6]))
    assert interval.ci == pytest.approx((0.025, 0.975)) and interval.note is None


def test_acceleration_sign_follows_the_jackknife_skew():
    assert acceleration(np.array([1.0, 2.0, 3.0])) == 0.0
    assert acceleration(np.array([1.0, 1.0, 1.0, 4.0])) < 0 < acceleration(np.array([4.0, 4.0, 4.0, 1.0]))
    assert acceleration(np.array([np.nan, 2.0])) == 0.0


def test_no_interval_excludes_its_estimate_without_a_note():
    rng = np.random.default_rng(5)
    for n in (12, 40, 150):
        arrays = [rng.dirichlet([0.4, 0.4], size=n) for _ in range(4)]
        labels = rng.integers(0, 2, n)
        for name, m in relation_metrics(**dict(zip(("T_x", "T_xp", "S_x", "S_xp"), arrays)), labels=labels,
                                              seed=n, n_bootstrap=300).items():
            if m.ci95 is not None and not m.ci95[0] <= m.value <= m.ci95[1]:
                assert "excludes the estimate" in (m.ci_note or ""), (n, name)


def test_mcnemar_exact_by_hand():
    # 5 student-only vs 9 teacher-only: 2 * P(X <= 5), X ~ Bin(14, 1/2) = 2 * 3473 / 16384
    test = mcnemar_exact(student_only_flips=5, teacher_only_flips=9)
    assert test.p_value == pytest.approx(2 * 3473 / 16384)
    assert mcnemar_exact(student_only_flips=9, teacher_only_flips=5).p_value == test.p_value
    assert mcnemar_exact(student_only_flips=3, teacher_only_flips=3).p_value == 1.0
    assert mcnemar_exact(student_only_flips=0, teacher_only_flips=0).p_value is None
    # 12 to 0: 2 / 4096
    assert mcnemar_exact(student_only_flips=12, teacher_only_flips=0).p_value == pytest.approx(2 / 2 ** 12)
    big = mcnemar_exact(student_only_flips=640, teacher_only_flips=530).p_value
    tail = sum(math.comb(1170, k) for k in range(531)) / 2 ** 1170
    assert big == pytest.approx(2 * tail, rel=1e-9)
