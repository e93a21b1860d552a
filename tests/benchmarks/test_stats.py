"""The benchmarks' statistics: order-statistic bounds and when a target counts as met."""

from __future__ import annotations

import pytest

from benchmarks.harness import Row, Target, interleaved
from benchmarks.stats import median, percentile, quantile_bounds


def test_the_median_of_twenty_rounds_is_bounded_by_the_6th_and_15th_values() -> None:
    # P(Bin(20, ½) ≤ 5) = 2.1 %: the classic distribution-free 95 % interval of a median.
    assert quantile_bounds([float(x) for x in range(1, 21)], 0.5) == (6.0, 15.0)


def test_too_few_samples_give_no_bound_rather_than_a_false_one() -> None:
    assert quantile_bounds([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == (None, None)
    assert quantile_bounds([float(x) for x in range(40)], 0.99)[1] is None


def test_percentiles_are_measured_values() -> None:
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    assert percentile([float(x) for x in range(1, 101)], 0.99) == 99.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_a_target_is_met_only_when_the_far_end_of_the_interval_is_within_it() -> None:
    base = [10.0] * 20
    inside = Row("x", "ms", [11.0] * 20, base, target=Target("ratio", "<=", 1.2))
    assert inside.met is True and inside.figure == pytest.approx(1.1)
    # median 1.1 but the 15th ratio is 1.3: the bound is out, so the target is not met
    ours = [11.0] * 14 + [13.0] * 6
    assert Row("x", "ms", ours, base, target=Target("ratio", "<=", 1.2)).met is False
    faster = Row("x", "req/s", [9.0] * 20, base, target=Target("ratio", ">=", 0.8))
    assert faster.met is True
    over = Row("x", "ms", [160.0] * 20, [50.0] * 20, target=Target("diff", "<=", 100.0))
    assert over.met is False and over.figure == 110.0


def test_rounds_alternate_which_arm_goes_first() -> None:
    calls: list[str] = []
    interleaved(4, lambda: calls.append("a") or 1.0, lambda: calls.append("b") or 1.0)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
