"""Order statistics for small samples: medians, percentiles and distribution-free bounds.

No numpy: the confidence interval of a quantile comes from the binomial distribution of how
many samples fall below it, which needs no assumption about the samples' shape (timings on a
shared machine are anything but normal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

CONFIDENCE = 0.95


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 < q ≤ 1): a value that was really measured."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The middle sample, or the mean of the two middle ones."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def _binomial_cdf(n: int, p: float) -> list[float]:
    """``cdf[k]`` = P(X ≤ k) for X ~ Binomial(n, p), in log space (n may be thousands)."""
    log_p, log_q = math.log(p), math.log1p(-p)
    total, cdf = 0.0, []
    for k in range(n + 1):
        log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        total += math.exp(log_choose + k * log_p + (n - k) * log_q)
        cdf.append(min(total, 1.0))
    return cdf


def quantile_bounds(
    values: Sequence[float], q: float, confidence: float = CONFIDENCE
) -> tuple[float | None, float | None]:
    """A two-sided ``confidence`` interval for the ``q`` quantile from order statistics.

    The lower bound is the ``l``-th smallest sample with P(Bin(n, q) < l) ≤ α/2, the upper the
    ``u``-th with P(Bin(n, q) ≥ u) ≤ α/2. A side that needs more samples than there are is None
    (no claim can be made at that confidence: a target is then not met).
    """
    n = len(values)
    if n == 0:
        return None, None
    ordered = sorted(values)
    tail = (1 - confidence) / 2
    cdf = _binomial_cdf(n, q)
    lower = next((ordered[r - 1] for r in range(n, 0, -1) if cdf[r - 1] <= tail), None)
    upper = next((ordered[r - 1] for r in range(1, n + 1) if 1 - cdf[r - 1] <= tail), None)
    return lower, upper
