"""Amounts in whole krónur, as ints: ISK has nothing below the króna, and no float touches money.

``1990``, ``1.990`` and ``1 990`` (Icelandic grouping: dots or spaces) are all 1990 kr.
"""

from __future__ import annotations

import re

from pos.core.errors import InputError

MAX_AMOUNT = 10_000_000
_GROUPED = re.compile(r"[0-9]{1,3}([. ][0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")
_SUFFIX = re.compile(r"\s*(kr\.?|isk)$", re.IGNORECASE)


def parse_amount(text: str) -> int:
    """Whole krónur from what a cashier typed; refuses decimals, zero, negatives and absurdities."""
    shown = text.strip()
    cleaned = _SUFFIX.sub("", shown.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    if not cleaned:
        raise InputError("Enter an amount in krónur, for example 1990.")
    if cleaned.startswith("-"):
        raise InputError(f"{shown} is negative; enter the amount to take, in krónur.")
    if _PLAIN.fullmatch(cleaned):
        value = int(cleaned)
    elif _GROUPED.fullmatch(cleaned):
        value = int(re.sub(r"[. ]", "", cleaned))
    elif re.fullmatch(r"[0-9]+([.,][0-9]+)", cleaned):
        raise InputError(f"Amounts are whole krónur: {shown} has a decimal part.")
    else:
        raise InputError(f"{shown} is not an amount: use digits, e.g. 1990 or 1.990.")
    if value == 0:
        raise InputError("The amount is zero; enter the amount to take.")
    if value > MAX_AMOUNT:
        raise InputError(
            f"{format_isk(value)} is more than the till takes in one payment "
            f"({format_isk(MAX_AMOUNT)}); check the amount."
        )
    return value


def format_isk(amount: int) -> str:
    """``1.990 kr.``: Icelandic grouping with dots."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} kr.".replace(",", ".")
