"""Amounts in whole krónur, as ints: ISK has nothing below the króna, and no float touches money.

Rule kept: ``parse_amount`` returns an int from 1 to ``MAX_AMOUNT`` or raises InputError with a
message the cashier can act on; nothing else escapes it. Icelandic grouping separates thousands
with dots (or spaces), and a comma starts decimals, so ``1990``, ``1.990``, ``1 990`` and
``1.990 kr.`` are all 1990 kr., while ``19,90`` and ``1.99`` have a decimal part and are refused.
"""

from __future__ import annotations

import re

from pos.core.errors import InputError

MAX_AMOUNT = 10_000_000
"""The most one payment may take; anything above is a typing slip."""

_MAX_DIGITS = len(str(MAX_AMOUNT))
_MINUS_SIGNS = "-−–"  # hyphen-minus, minus sign, en dash
_SPACES = re.compile(r"\s+")  # any Unicode space: no-break and narrow no-break spaces too
_SUFFIX = re.compile(r" ?(kr\.?|isk)\Z", re.IGNORECASE)
_PLAIN = re.compile(r"[0-9]+")
# One separator throughout: 1.990.000 or 1 990 000, never 1 990.000.
_GROUPED = re.compile(r"[0-9]{1,3}(?P<sep>[. ])[0-9]{3}(?:(?P=sep)[0-9]{3})*")
_DECIMAL = re.compile(rf"(?:{_GROUPED.pattern}|[0-9]+),[0-9]+|[0-9]+\.[0-9]+")
_ECHO_LIMIT = 24


def parse_amount(text: str) -> int:
    """Whole krónur from what a cashier typed; refuses decimals, zero, negatives and absurdities."""
    shown = _echo(text)
    cleaned = _SUFFIX.sub("", _SPACES.sub(" ", text).strip()).strip()
    if not cleaned:
        raise InputError("Enter an amount in krónur, for example 1990.")
    if cleaned[0] in _MINUS_SIGNS and len(cleaned) > 1:
        raise InputError(f"{shown} is negative; enter the amount to take, in krónur.")
    return _in_range(_digits_of(cleaned, shown), shown)


def format_isk(amount: int) -> str:
    """``1.990 kr.``: Icelandic grouping with dots."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amounts are int krónur, not {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} kr.".replace(",", ".")


def _digits_of(cleaned: str, shown: str) -> str:
    """The amount's digits, without grouping; refuses decimals and anything not an amount."""
    if _PLAIN.fullmatch(cleaned):
        return cleaned
    if _GROUPED.fullmatch(cleaned):
        return cleaned.replace(".", "").replace(" ", "")
    if _DECIMAL.fullmatch(cleaned):
        raise InputError(f"Amounts are whole krónur: {shown} has a decimal part.")
    raise InputError(f"{shown} is not an amount: use digits, e.g. 1990 or 1.990.")


def _in_range(digits: str, shown: str) -> int:
    """1 to MAX_AMOUNT; the length is checked first, so int() never sees thousands of digits."""
    significant = digits.lstrip("0")
    if not significant:
        raise InputError("The amount is zero; enter the amount to take.")
    if len(significant) > _MAX_DIGITS or int(significant) > MAX_AMOUNT:
        raise InputError(
            f"{shown} is more than the till takes in one payment "
            f"({format_isk(MAX_AMOUNT)}); check the amount."
        )
    return int(significant)


def _echo(text: str) -> str:
    """What the cashier typed, fit for one line on their screen."""
    shown = "".join(char if char.isprintable() else "?" for char in text.strip())
    return shown if len(shown) <= _ECHO_LIMIT else shown[:_ECHO_LIMIT] + "…"
