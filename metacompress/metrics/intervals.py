"""Bootstrap intervals: the cluster resampling plan and the BCa interval of one statistic.

The resampling unit is the original input (a *cluster*: its ``example_id``). One relation's
rows hold each original at most once, so there a cluster is a row; the pooled row holds an
original once per relation that applied to it, and resampling rows there would treat 8
correlated rows as 8 independent ones. A replicate draws as many cluster ids as there are
clusters, with replacement; every row weighs its cluster's draw count (Davison & Hinkley
1997, section 3.8; Field & Welsh 2007).

The interval is BCa (Efron 1987): percentiles of the replicates, moved by a bias correction
``z0`` (where the estimate sits among its replicates) and an acceleration ``a`` (the skewness
of the leave-one-cluster-out jackknife). Percentile intervals of biased statistics such as an
ECE or an absolute difference can miss their own estimate; BCa corrects for that bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

LEVEL = 0.95
# An interval needs the metric defined in at least this share of replicates: below it the
# defined replicates are a selected subset and their spread says little about the estimate.
MIN_DEFINED = 0.95
MIN_SUPPORT = 2  # replicates at or beyond a BCa endpoint
_CHUNK_ELEMENTS = 2_000_000  # bounds the [replicates, clusters] count matrix held at once


@dataclass(frozen=True)
class Interval:
    """A 95% interval (None when there is none) and, when anything is unusual, why."""

    ci: tuple[float, float] | None
    note: str | None = None


def cluster_codes(clusters: Sequence[Any] | None, n: int) -> np.ndarray:
    """Each row's cluster as 0..G-1 in order of first appearance; None: every row its own."""
    if clusters is None:
        return np.arange(n)
    values = np.asarray([str(c) for c in clusters], dtype=object)
    if len(values) != n:
        raise ValueError(f"{len(values)} cluster ids for {n} rows")
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def cluster_sums(matrix: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The column sums of each cluster's rows, [G, m]."""
    if not len(codes):
        return np.zeros((0, matrix.shape[1]))
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return np.add.reduceat(matrix[order], starts, axis=0)


def resample_counts(groups: int, n_bootstrap: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Per replicate, how often each cluster was drawn when drawing ``groups`` with replacement."""
    chunk = max(1, _CHUNK_ELEMENTS // max(groups, 1))
    for start in range(0, n_bootstrap, chunk):
        b = min(chunk, n_bootstrap - start)
        idx = rng.integers(0, groups, size=(b, groups)) + (np.arange(b) * groups)[:, None]
        yield np.bincount(idx.ravel(), minlength=b * groups).reshape(b, groups).astype(np.float64)


def bca_interval(estimate: float, replicates: np.ndarray, jackknife: np.ndarray) -> Interval:
    """The 95% BCa interval of ``estimate`` from its bootstrap replicates and its
    leave-one-cluster-out jackknife values (NaN where the metric is undefined)."""
    total = replicates.size
    if total == 0:
        return Interval(None)
    defined = replicates[np.isfinite(replicates)]
    left_out = total - defined.size
    if defined.size < MIN_DEFINED * total:
        return Interval(None, f"undefined in {left_out} of {total} resamples (more than "
                              f"{1 - MIN_DEFINED:.0%}): no interval")
    notes = [f"{left_out} of {total} resamples left it undefined and were left out"] if left_out else []
    tol = 1e-12 * max(1.0, abs(estimate))
    if defined.max() - defined.min() <= tol:
        # a zero-width interval would claim certainty that no count supports (n = 1, or no
        # input varying): none, and the reason
        return Interval(None, f"every one of the {defined.size} resamples equals the estimate (no "
                              f"judged input varies it): no bootstrap interval")
    else:
        ci, why = _bca(estimate, defined, jackknife, tol)
        if why:
            notes.append(why)
    if not ci[0] - tol <= estimate <= ci[1] + tol:
        notes.append("the interval excludes the estimate (the statistic is biased: most "
                     "resamples fall on one side of it)")
    return Interval(ci, "; ".join(notes) or None)


def _bca(estimate: float, defined: np.ndarray, jackknife: np.ndarray,
         tol: float) -> tuple[tuple[float, float], str | None]:
    # ndtr / ndtri are the normal CDF and its inverse as plain ufuncs: scipy.stats.norm's
    # argument checking cost more than the rest of the interval.
    from scipy.special import ndtr, ndtri

    alpha = np.array([(1 - LEVEL) / 2, (1 + LEVEL) / 2])

    def at(levels: np.ndarray) -> tuple[float, float]:
        low, high = np.quantile(defined, levels)
        return float(low), float(high)

    # ties count half: a rate of a few events has many replicates equal to the estimate
    below = (np.sum(defined < estimate - tol) + 0.5 * np.sum(np.abs(defined - estimate) <= tol)) / defined.size
    if below <= 0 or below >= 1:
        return at(alpha), "every resample lies on one side of the estimate (bias correction infinite): percentile interval"
    z0 = ndtri(below)
    z = z0 + ndtri(alpha)
    denominator = 1 - acceleration(jackknife) * z
    if np.any(denominator <= 0):
        return at(alpha), "acceleration too large for the BCa adjustment: percentile interval"
    low, high = at(ndtr(z0 + z / denominator))
    # An endpoint at the single most extreme replicate is where BCa runs out of replicates to
    # extrapolate from (a strongly biased statistic: an ECE or an absolute difference on few
    # inputs, nearly every replicate on one side of the estimate).
    if min(np.sum(defined <= low + tol), np.sum(defined >= high - tol)) < MIN_SUPPORT:
        return at(alpha), (f"{below:.1%} of resamples lie below the estimate and a BCa endpoint "
                           f"would be the most extreme resample: percentile interval")
    return (low, high), None


def acceleration(jackknife: np.ndarray) -> float:
    """Efron's acceleration from jackknife values: skewness of their deviations / 6."""
    values = jackknife[np.isfinite(jackknife)]
    if values.size < 2:
        return 0.0
    d = values.mean() - values
    spread = np.sum(d ** 2)
    if spread <= 0:
        return 0.0
    return float(np.sum(d ** 3) / (6 * spread ** 1.5))


# ---------------------------------------------------------------------------------------------
# Rates at small counts: the exact interval with the design effect

# Below this many effective events (or non-events) a rate's bootstrap interval undercovers (one relation,
# n = 94, p = 0.01: 51% for a nominal 95%), so the rate gets the exact interval instead.
EXACT_BELOW = 15


def design_effect(numerators: np.ndarray, denominators: np.ndarray) -> float:
    """Variance of a clustered rate over the variance it would have from independent rows (>= 1).

    From the cluster residuals of the ratio estimator (Kish 1965; Rao & Scott 1992). With no
    event or no non-event the residuals are all zero and say nothing, so the worst case (every
    cluster's rows alike) is taken: the rows-weighted mean cluster size.
    """
    den = np.asarray(denominators, dtype=np.float64)
    num = np.asarray(numerators, dtype=np.float64)
    total, groups = den.sum(), int(np.sum(den > 0))
    if total <= 0 or groups == total:
        return 1.0
    p = num.sum() / total
    if p <= 0 or p >= 1 or groups < 2:
        return worst_design_effect(den)
    residual = num - p * den
    clustered = groups / (groups - 1) * np.sum(residual ** 2) / total ** 2
    return float(max(1.0, clustered / (p * (1 - p) / total)))


def exact_rate_interval(count: float, n: float, deff: float = 1.0) -> tuple[float, float]:
    """The Clopper-Pearson 95% interval of count/n, on the effective sample n / deff."""
    # betaincinv(a, b, q) is the beta distribution's quantile (scipy.stats.beta.ppf) without
    # importing scipy.stats, which costs an audit about half a second
    from scipy.special import betaincinv

    x, m = count / deff, n / deff
    low = 0.0 if x <= 0 else float(betaincinv(x, m - x + 1, (1 - LEVEL) / 2))
    high = 1.0 if x >= m else float(betaincinv(x + 1, m - x, (1 + LEVEL) / 2))
    return low, high


def rate_interval(estimate: float, numerators: np.ndarray, denominators: np.ndarray,
                  replicates: np.ndarray, jackknife: np.ndarray) -> Interval:
    """A rate's interval: BCa, or the exact one when its effective count of events (or of
    non-events), the count over the design effect, is below ``EXACT_BELOW``."""
    count, n = float(np.sum(numerators)), float(np.sum(denominators))
    deff = design_effect(numerators, denominators)
    if min(count, n - count) / deff >= EXACT_BELOW:
        return bca_interval(estimate, replicates, jackknife)
    note = (f"exact Clopper-Pearson interval: {count:g} event(s) among {n:g}, fewer than "
            f"{EXACT_BELOW} events or non-events (where the bootstrap undercovers)")
    worst = worst_design_effect(denominators)
    if worst > 1.0 + 1e-9:
        note += (f", on the effective sample size n / {worst:.2f}: the worst-case design effect of "
                 f"clustered rows (so few events cannot estimate it)")
    return Interval(exact_rate_interval(count, n, worst), note)


def worst_design_effect(denominators: np.ndarray) -> float:
    """The design effect when every cluster's rows are alike: the rows-weighted mean cluster size."""
    den = np.asarray(denominators, dtype=np.float64)
    total = den.sum()
    return float(np.sum(den ** 2) / total) if total > 0 else 1.0
