"""What a refund must be before anything is journaled or sent: whole krónur above 0, a short reason."""

from __future__ import annotations

from pos.core.errors import InputError

MAX_REASON = 100  # Netgíró's Partner API limit for ``reason``


def checked_reason(reason: str) -> str:
    """The reason as sent: trimmed, 1-100 printable characters (Netgíró keeps it with the refund)."""
    cleaned = reason.strip()
    if not cleaned:
        raise InputError("Say why the money goes back: the reason is sent to Netgíró.")
    if len(cleaned) > MAX_REASON:
        raise InputError(
            f"The reason has {len(cleaned)} characters; Netgíró takes at most {MAX_REASON}."
        )
    if not cleaned.isprintable():
        raise InputError("The reason holds a character that cannot be printed; retype it.")
    return cleaned


def check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InputError("A refund is a whole number of krónur above 0.")
