"""Masking of personal identifiers: at most the last 4 digits of a kennitala, the last 2 of a phone."""

from __future__ import annotations

import re

_NOT_DIGIT = re.compile(r"\D")


def mask_kennitala(digits: str) -> str:
    """``******-2349``: only the last four digits show."""
    return "******-" + digits[-4:]


def mask_phone(digits: str) -> str:
    """``***-**81``: only the last two digits show."""
    return "***-**" + digits[-2:]


def mask_app_code(code: str) -> str:
    """An app code is a one-time secret: show its kind and last two characters only."""
    return "app-code …" + code[-2:]


def mask_customer_id(raw: str) -> str:
    """Mask any customer id by its shape (for adapters that hold the raw string Netgíró saw)."""
    digits = _NOT_DIGIT.sub("", raw)
    if digits.startswith("500004") and len(digits) > 6:
        return mask_app_code(digits)
    if len(digits) == 10:
        return mask_kennitala(digits)
    if len(digits) >= 7:
        return mask_phone(digits)
    return "*" * len(raw)
