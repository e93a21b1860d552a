"""VAT in Icelandic prices: prices include VAT, and VAT is stated per rate on the sale's total.

Rule kept (TILL-CONTRACTS "Money, VAT, numbers, time"): the VAT of a rate is computed once, on
the sale's total gross at that rate, in integers, rounding half up:
``(gross * r + (100 + r) // 2) // (100 + r)`` with ``r`` in percent. Summing per-line VAT would
drift by a króna on long sales; the receipt and the screen both use this one function.
"""

from __future__ import annotations

from collections.abc import Mapping

VAT_RATES: tuple[int, ...] = (24, 11, 0)
"""Iceland's rates: the general rate, the reduced rate (food, books, …) and exempt."""


def vat_included(gross: int, rate: int) -> int:
    """The VAT inside ``gross`` krónur at ``rate`` percent, rounded half up."""
    if isinstance(gross, bool) or not isinstance(gross, int):
        raise TypeError(f"amounts are int krónur, not {type(gross).__name__}")
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
        raise ValueError(f"a VAT rate is a whole percent >= 0, not {rate!r}")
    divisor = 100 + rate
    if gross < 0:  # a refund's VAT mirrors the sale's, so rounding is symmetric
        return -vat_included(-gross, rate)
    return (gross * rate + divisor // 2) // divisor


def vat_by_rate(gross_by_rate: Mapping[int, int]) -> dict[int, int]:
    """VAT for each rate's total gross, keyed like the input, highest rate first."""
    return {
        rate: vat_included(gross_by_rate[rate], rate)
        for rate in sorted(gross_by_rate, reverse=True)
    }
