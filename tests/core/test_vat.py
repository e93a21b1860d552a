"""VAT per rate: the contract's formula, half up, on the rate's total."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.vat import VAT_RATES, vat_by_rate, vat_included


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        (1240, 24, 240),  # exact
        (124, 24, 24),
        (2137, 24, 414),  # 413.6… rounds up
        (111, 11, 11),
        (689, 11, 68),  # 68.28… rounds down
        (990, 0, 0),
        (0, 24, 0),
        (62, 24, 12),  # 12.0
        (31, 24, 6),  # 6.0
    ],
)
def test_vat_inside_a_price(gross: int, rate: int, vat: int) -> None:
    assert vat_included(gross, rate) == vat


@given(st.integers(0, 10**9), st.sampled_from(VAT_RATES))
def test_vat_is_the_exact_share_rounded_half_up(gross: int, rate: int) -> None:
    exact = Fraction(gross * rate, 100 + rate)
    vat = vat_included(gross, rate)
    assert vat - Fraction(1, 2) <= exact < vat + Fraction(1, 2)


def test_a_half_rounds_up() -> None:
    # At 24 % and 11 % the share is never exactly half a króna (124 and 111 do not divide
    # gross × 2r into an odd half), so the tie is shown at 100 %: 5 × 100 / 200 = 2.5 -> 3.
    assert vat_included(5, 100) == 3
    assert vat_included(3, 100) == 2


def test_refund_vat_mirrors_the_sale() -> None:
    assert vat_included(-2137, 24) == -vat_included(2137, 24)


def test_vat_by_rate_is_per_rate_total_highest_first() -> None:
    assert list(vat_by_rate({11: 1147, 24: 990, 0: 100}).items()) == [(24, 192), (11, 114), (0, 0)]


@pytest.mark.parametrize("bad", [1.5, "10", True])
def test_amounts_are_ints(bad: object) -> None:
    with pytest.raises(TypeError):
        vat_included(bad, 24)  # type: ignore[arg-type]


def test_vat_is_taken_on_each_rates_total_not_per_line() -> None:
    assert vat_by_rate({24: 31 + 31, 11: 199}) == {24: 12, 11: 20}
    # three lines of 13 kr.: 2.52 rounds to 3 each (9), but their 39 kr. hold 7.55, so 8
    assert vat_included(13, 24) * 3 == 9
    assert vat_by_rate({24: 13 * 3}) == {24: 8}
