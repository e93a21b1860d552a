"""A found reservation (RESERVED_UNCHARGED): a manager confirms it, or releases it.

RESERVED_UNCHARGED is final for the checkout machine: Netgíró refused to cancel a reservation
and nobody is driving it. A manager decides in manager mode; these are the events of that
decision, pure like ``pos.core.checkout`` (the answer comes in, the state to journal comes
out), and believed only as that machine believes answers (``doubt``):

- **confirm**: ConfirmCart. 10200/10203 -> PAID (the journal commits it with the sale's status
  and its receipt job in one transaction). The reservation gone (10201/10202/10424) ->
  CANCELLED: nothing was charged. Anything else leaves it as it is.
- **release**: CancelCart. Cancelled -> CANCELLED (the sale may be paid another way). Refused
  again (10426) -> as it is (it lapses by itself). "Too late, already paid" (10200) is re-read
  with CheckCart, and is PAID when CheckCart agrees.
- An answer that cannot be believed, or a call whose answer was lost, changes nothing: the
  manager sees why and may try again (ConfirmCart and CancelCart on one cart cannot charge twice).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pos.core.cart import CartAnswer, doubt
from pos.core.checkout import CANCELLED_CODES, Checkout, Phase
from pos.core.errors import InputError
from pos.core.result_codes import ResultCode

Decision = Literal["confirm", "release"]
Outcome = Literal["paid", "released", "unchanged", "check"]


@dataclass(frozen=True)
class Decided:
    """The state to journal (unchanged when ``outcome`` is "unchanged" or "check") and why."""

    state: Checkout
    outcome: Outcome
    note: str


def require_reservation(state: Checkout) -> None:
    if state.phase is not Phase.RESERVED_UNCHARGED or state.transaction_id is None:
        raise InputError(
            f"This payment is {state.phase.value}: only a found reservation "
            "(RESERVED_UNCHARGED) is confirmed or released by a manager."
        )


def after_confirm(state: Checkout, answer: CartAnswer, manager: str) -> Decided:
    """What ConfirmCart's answer makes of the reservation."""
    require_reservation(state)
    reason = doubt(answer, state.expected, "confirm")
    if reason is not None:
        return _unchanged(state, f"Netgíró's answer {reason}: nothing changed. Check the portal.")
    if answer.payment_successful and answer.says_paid:
        return _paid(state, answer, f"Paid: reservation confirmed by {manager}")
    if answer.result_code in CANCELLED_CODES:
        return _released(
            state, answer, f"The reservation had lapsed (seen by {manager}); nothing was charged"
        )
    return _unchanged(state, f"ConfirmCart answered {answer.result_code}: still reserved.")


def after_release(state: Checkout, answer: CartAnswer, manager: str) -> Decided:
    """What CancelCart's answer makes of the reservation."""
    require_reservation(state)
    reason = doubt(answer, state.expected, "cancel")
    if reason is not None:
        return _unchanged(state, f"Netgíró's answer {reason}: nothing changed. Check the portal.")
    if answer.says_paid:
        return Decided(state, "check", "Netgíró says the customer already paid: re-reading")
    if answer.success and answer.result_code in CANCELLED_CODES:
        return _released(state, answer, f"Released by {manager}; the customer was not charged")
    if answer.result_code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM:
        return _unchanged(
            state, "Netgíró still refuses to cancel the reservation; it lapses by itself."
        )
    return _unchanged(state, f"CancelCart answered {answer.result_code}: nothing changed.")


def after_check(state: Checkout, answer: CartAnswer, manager: str) -> Decided:
    """CheckCart after a release that was "too late": PAID only when it agrees."""
    require_reservation(state)
    reason = doubt(answer, state.expected, "check")
    if reason is not None:
        return _unchanged(state, f"Netgíró's answer {reason}: nothing changed. Check the portal.")
    if answer.payment_successful and answer.says_paid:
        return _paid(state, answer, f"Paid: the customer had paid (seen by {manager})")
    if answer.result_code in CANCELLED_CODES:
        return _released(state, answer, f"Released (seen by {manager}); not charged")
    return _unchanged(state, f"CheckCart answered {answer.result_code}: nothing changed.")


def after_call_failed(state: Checkout, message: str) -> Decided:
    """The answer was lost: nothing is known, nothing changes."""
    require_reservation(state)
    return _unchanged(state, f"{message} Nothing changed; try again.")


def _paid(state: Checkout, answer: CartAnswer, note: str) -> Decided:
    info = answer.payment_info
    invoice = (info.invoice_number if info else None) or state.invoice_number
    paid = replace(
        state,
        phase=Phase.PAID,
        live=False,
        unsure=False,
        result_code=answer.result_code,
        invoice_number=invoice,
        note=note,
    )
    return Decided(paid, "paid", note)


def _released(state: Checkout, answer: CartAnswer, note: str) -> Decided:
    released = replace(
        state,
        phase=Phase.CANCELLED,
        live=False,
        unsure=False,
        result_code=answer.result_code,
        note=note,
    )
    return Decided(released, "released", note)


def _unchanged(state: Checkout, note: str) -> Decided:
    return Decided(state, "unchanged", note)
