"""VAT per rate on the rate's total, rounded half up, in integers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pos.core.vat import vat_by_rate, vat_included


def test_vat_inside_a_price_rounds_half_up() -> None:
    assert vat_included(1240, 24) == 240
    assert vat_included(111, 11) == 11
    assert vat_included(62, 24) == 12  # 12.0 exactly
    assert vat_included(31, 24) == 6  # 5.9999 → 6
    assert vat_included(1000, 0) == 0


def test_vat_is_taken_on_each_rates_total_not_per_line() -> None:
    assert vat_by_rate({24: 31 + 31, 11: 199}) == {24: 12, 11: 20}
    # three lines of 13 kr.: 2.52 rounds to 3 each (9), but their 39 kr. hold 7.55, so 8
    assert vat_included(13, 24) * 3 == 9
    assert vat_by_rate({24: 13 * 3}) == {24: 8}


@given(st.integers(0, 10**9), st.sampled_from([24, 11, 0]))
def test_vat_is_the_nearest_integer_to_the_exact_share(gross: int, rate: int) -> None:
    vat = vat_included(gross, rate)
    exact_twice = 2 * gross * rate  # compare 2*vat*(100+r) with 2*gross*r, no floats
    assert abs(2 * vat * (100 + rate) - exact_twice) <= 100 + rate
