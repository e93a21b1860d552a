"""What a checkout came to, in the five words a cashier must never misread."""

from __future__ import annotations

from pos.services.status import CheckoutView

# Phase value -> outcome key of the catalog's result.* words.
OUTCOMES = {
    "PAID": "paid",
    "DECLINED": "declined",
    "CANCELLED": "cancelled",
    "FAILED": "not_paid",
    "ABANDONED": "not_paid",
    "UNKNOWN_ABANDONED": "unknown",
    "RESERVED_UNCHARGED": "manager",
    "NEEDS_REVIEW": "manager",
}


def outcome_of(view: CheckoutView) -> str:
    """``paid``, ``declined``, ``cancelled``, ``not_paid``, ``unknown`` or ``manager``.

    An attempt the runner left open (still unsure at its give-up time) is ``checking``:
    recovery finishes it, and no other payment is taken meanwhile.
    """
    if not view.is_final:
        return "checking"
    return OUTCOMES.get(view.phase.value, "unknown")
