"""Coverage of the rate intervals: seeded simulations of the shapes audits produce.

Each case draws many data sets from a known rate, builds every rate's interval the way the
report does (``rate_interval``: BCa, or the exact interval at small effective counts) and counts
how often it holds the truth. Nominal 95%; acceptance is >= 93% for each case.
"""

import numpy as np
import pytest

from metacompress.metrics.intervals import cluster_sums, rate_interval, resample_counts

N_BOOTSTRAP = 1000


def _coverage(sizes: np.ndarray, p: float, icc: float, sims: int, seed: int) -> tuple[float, set[str]]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(sizes)), sizes)
    if icc > 0:  # cluster rates from a beta with mean p and intra-cluster correlation icc
        a, b = p * (1 - icc) / icc, (1 - p) * (1 - icc) / icc
        cluster_p = rng.beta(a, b, size=(sims, len(sizes)))
    else:
        cluster_p = np.full((sims, len(sizes)), p)
    events = rng.random((sims, len(codes))) < cluster_p[:, codes]
    held, kinds = 0, set()
    for sim in range(sims):
        by_cluster = cluster_sums(np.stack([events[sim], np.ones(len(codes))], axis=1).astype(float), codes)
        interval = rate_interval(*_replicated(by_cluster, rng))
        kinds.add("exact" if interval.note and "exact" in interval.note else "bca")
        low, high = interval.ci
        held += low - 1e-12 <= p <= high + 1e-12
    return held / sims, kinds


def _replicated(by_cluster: np.ndarray, rng: np.random.Generator):
    num, den = by_cluster[:, 0], by_cluster[:, 1]
    estimate = num.sum() / den.sum()
    sums = np.concatenate([c @ by_cluster for c in resample_counts(len(den), N_BOOTSTRAP, rng)])
    replicates = sums[:, 0] / sums[:, 1]
    jackknife = (num.sum() - num) / (den.sum() - den)
    return estimate, num, den, replicates, jackknife


AUDIT_SHAPED = np.random.default_rng(5).integers(1, 19, size=200)  # 1-18 rows per original


@pytest.mark.parametrize("sizes, p, icc, kind", [
    (np.ones(94, dtype=int), 0.01, 0.0, "exact"),     # one relation, rare flips (the bootstrap: 51%)
    (np.ones(94, dtype=int), 0.0005, 0.0, "exact"),   # nearly always 0 events
    (np.ones(70, dtype=int), 0.05, 0.0, "exact"),
    (np.ones(8, dtype=int), 0.3, 0.0, "exact"),       # a row with very few judged inputs
    pytest.param(np.ones(400, dtype=int), 0.2, 0.0, "bca", marks=pytest.mark.slow),  # plenty of events: BCa
    (AUDIT_SHAPED, 0.005, 0.5, "exact"),              # pooled row, rare and strongly clustered
    (AUDIT_SHAPED, 0.05, 0.2, "bca"),                 # pooled row, clustered
], ids=["n94-p0.01", "zero-events", "n70-p0.05", "n8", "n400-p0.2", "pooled-rare", "pooled-clustered"])
def test_every_interval_kind_covers_at_least_93_percent(sizes, p, icc, kind):
    coverage, kinds = _coverage(sizes, p, icc, sims=600, seed=11)
    assert kind in kinds
    assert coverage >= 0.93, f"coverage {coverage:.1%}"
