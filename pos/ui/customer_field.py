"""The customer field's words: what was understood (masked), or why the input is not usable.

The reasons are worked out here from the input's shape, so they can be said in the screen's
language; the parsers in pos.core.customer_ids stay the authority on what is valid.
"""

from __future__ import annotations

import re

from pos.core.customer_ids import (
    APP_CODE_PREFIX,
    GSM_LENGTH,
    KENNITALA_LENGTH,
    MOBILE_FIRST_DIGITS,
    CustomerId,
)
from pos.ui.text import Messages

KIND_ORDER: tuple[str | None, ...] = (None, "gsm", "ssn", "app_code")
_SEPARATORS = re.compile(r"[\s\-.]")
_COUNTRY = re.compile(r"^(\+|00)354")


def understood(say: Messages, customer: CustomerId, forced: str) -> str:
    """``Símanúmer ***-**81`` (and the forced kind, when the cashier chose one)."""
    text = say(
        "payment.understood", kind=say(f"payment.kind.{customer.kind}"), masked=customer.masked
    )
    return f"{text}  {forced}" if forced else text


def why_not(say: Messages, text: str, kind: str | None, sandbox: bool) -> str:
    """One plain reason the input is not a customer id of ``kind`` (or of any kind)."""
    compact = _COUNTRY.sub("", _SEPARATORS.sub("", text))
    if not compact:
        return say("payment.why.empty")
    if not compact.isascii() or not compact.isdigit():
        return say("payment.why.not_digits")
    kind = kind or _guess(compact)
    if kind == "gsm":
        if len(compact) != GSM_LENGTH:
            return say("payment.why.gsm_length", count=len(compact))
        if compact[0] not in MOBILE_FIRST_DIGITS:
            return say("payment.why.not_mobile")
    if kind == "ssn":
        if len(compact) != KENNITALA_LENGTH:
            return say("payment.why.ssn_length", count=len(compact))
        return say("payment.why.ssn_date")
    if kind == "app_code":
        return say("payment.why.app_code")
    return say("payment.why.unknown", count=len(compact))


def _guess(compact: str) -> str | None:
    if compact.startswith(APP_CODE_PREFIX):
        return "app_code"
    if len(compact) == KENNITALA_LENGTH:
        return "ssn"
    if len(compact) <= GSM_LENGTH:
        return "gsm"
    return None
