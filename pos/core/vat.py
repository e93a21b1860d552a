"""VAT in integer krónur: prices include VAT, and the VAT of a rate is taken on that rate's total.

Rule kept (TILL-CONTRACTS, Money): ``(gross * r + (100 + r) // 2) // (100 + r)`` with ``r`` in
percent, rounding half up, once per rate on the sale's total at that rate, never per line.
Same names as the till model's module (coordination log): at merge either copy serves.
"""

from __future__ import annotations

from collections.abc import Mapping

VAT_RATES: tuple[int, ...] = (24, 11, 0)


def vat_included(gross: int, rate: int) -> int:
    """The VAT inside a VAT-inclusive amount at ``rate`` percent, rounded half up."""
    return (gross * rate + (100 + rate) // 2) // (100 + rate)


def vat_by_rate(gross_by_rate: Mapping[int, int]) -> dict[int, int]:
    """Each rate's VAT, computed once on that rate's gross total."""
    return {rate: vat_included(gross, rate) for rate, gross in gross_by_rate.items()}
