"""What a cashier sees of a checkout: one plain line of truth per state, never a guess."""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.checkout import Checkout, Phase
from pos.journal import AttemptRecord, Journal

LABELS = {
    Phase.INSERTING: "Sending to Netgíró",
    Phase.PENDING: "Waiting for customer",
    Phase.NEEDS_CODE: "Enter SMS code",
    Phase.CONFIRMING: "Confirming",
    Phase.CANCELLING: "Cancelling",
    Phase.PAID: "Paid",
    Phase.CANCELLED: "Cancelled",
    Phase.DECLINED: "Declined",
    Phase.FAILED: "Not charged",
    Phase.ABANDONED: "Not charged",
    Phase.UNKNOWN_ABANDONED: "Unknown — ask the customer",
    Phase.RESERVED_UNCHARGED: "Reserved, not charged — manager",
    Phase.NEEDS_REVIEW: "Needs a manager — Netgíró's answers disagree",
}
UNKNOWN_LABEL = "Unknown — checking…"


@dataclass(frozen=True)
class CheckoutView:
    """A snapshot of one attempt for a screen or a terminal line; holds no secret."""

    attempt_id: int
    sale_id: int
    reference: str
    amount: int
    customer_masked: str
    phase: Phase
    label: str
    note: str
    transaction_id: str | None
    invoice_number: int | None
    result_code: int | None
    is_final: bool
    needs_code: bool
    code_tries_left: int


def label_of(state: Checkout) -> str:
    if state.unsure and not state.is_final:
        return UNKNOWN_LABEL
    return LABELS[state.phase]


def view_of(attempt: AttemptRecord, state: Checkout) -> CheckoutView:
    return CheckoutView(
        attempt_id=attempt.id,
        sale_id=attempt.sale_id,
        reference=attempt.reference,
        amount=attempt.amount,
        customer_masked=attempt.customer_masked,
        phase=state.phase,
        label=label_of(state),
        note=state.note,
        transaction_id=state.transaction_id,
        invoice_number=state.invoice_number,
        result_code=state.result_code,
        is_final=state.is_final,
        needs_code=state.phase is Phase.NEEDS_CODE and not state.unsure,
        code_tries_left=state.code_tries_left,
    )


UNSETTLED_STATUSES = ("unknown", "manager")


@dataclass(frozen=True)
class Unsettled:
    """A sale no new payment may start on until a person settles it."""

    sale_id: int
    status: str
    reference: str
    transaction_id: str | None
    phase: Phase
    amount: int
    note: str


def unsettled_sales(journal: Journal) -> list[Unsettled]:
    """Sales in status unknown or manager, with the attempt that put them there, oldest first.

    ``pos recover`` and ``pos journal`` list these every time, each with its TransactionId.
    """
    found = []
    for sale in journal.sales_by_status(*UNSETTLED_STATUSES):
        if not sale.attempts:
            continue
        attempt = sale.attempts[-1]
        found.append(
            Unsettled(
                sale.id,
                sale.status,
                attempt.reference,
                attempt.state.transaction_id,
                attempt.state.phase,
                attempt.amount,
                attempt.state.note,
            )
        )
    return found


def describe_unsettled(item: Unsettled) -> str:
    cart = item.transaction_id or "(no cart id)"
    if item.phase is Phase.RESERVED_UNCHARGED:  # money reserved, not taken: confirm or release
        then = f"`pos reservation confirm|release {item.reference} --manager NAME`"
    else:
        then = f"`pos recover --settle {item.reference} paid|unpaid --reason …`"
    return (
        f"NEEDS SETTLING  sale {item.sale_id} ({item.status})  {item.reference}  "
        f"{item.amount} kr.  {item.phase.value}  TransactionId {cart}: check it in Netgíró's "
        f"portal, then {then}"
    )
