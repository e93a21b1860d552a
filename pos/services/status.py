"""What a cashier sees of a checkout: one plain line of truth per state, never a guess."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from pos.core.checkout import Checkout, Phase
from pos.journal import AttemptRecord, Journal
from pos.journal.refund_totals import UnknownRefund, unknown_refunds

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


def refunds_unknown(journal: Journal) -> list[UnknownRefund]:
    """Every REFUND_UNKNOWN, however old: listed with what needs settling until a manager acts."""
    return unknown_refunds(journal._db)


def describe_unknown_refund(refund: UnknownRefund) -> str:
    """A refund whose answer was lost: never resent by itself, a manager records the portal's word."""
    receipt = "" if refund.receipt_no is None else f" (receipt {refund.receipt_no})"
    return (
        f"REFUND UNKNOWN  refund {refund.id}  sale {refund.sale_id}{receipt}  "
        f"{refund.amount} kr.: check it in Netgíró's portal, then "
        f"`pos refund settle {refund.id} done|failed --portal … --manager NAME`"
    )


# --- the engine's lines as catalog keys --------------------------------------------------
# The machine (pos.core.checkout), the runner and the journal write their notes in English for
# the log and `pos pay`. A screen in another language looks a note up here and says it in its
# own words. ``{_name}`` parts are matched and dropped: they carry free text (a message from
# Netgíró or the network) that the catalogs do not translate; the journal and log keep it.
# First match wins, so a specific note comes before the general one it also matches.
_REVIEW_TAIL = (
    ". Not settled: check cart {cart} in Netgíró's portal, then settle it with "
    "`pos recover --settle`."
)
NOTE_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("engine.sending", "Sending the cart to Netgíró"),
    ("engine.waiting", "Waiting for the customer"),
    ("engine.enter_code", "Enter the SMS code"),
    ("engine.code_rejected", "The code was not accepted; enter it again"),
    ("engine.confirming", "Confirming the payment with Netgíró"),
    ("engine.cancelling", "Cancelling the payment"),
    ("engine.cancel_after_answer", "Cancelling after Netgíró answers"),
    (
        "engine.cancel_after_call",
        "Cancelling after Netgíró answers {_call} (at most {seconds} s): a payment call is "
        "never cut off.",
    ),
    (
        "engine.stop_after_call",
        "Stopping after Netgíró answers {_call} (at most {seconds} s): a payment call is "
        "never cut off.",
    ),
    ("engine.checking_before_cancel", "Checking before cancelling"),
    ("engine.time_up", "Time is up: cancelling the payment"),
    ("engine.time_up_checking", "Time is up: checking before cancelling"),
    ("engine.nobody_here", "Nobody is at the counter for this sale: cancelling it"),
    ("engine.code_wrong_too_often", "The SMS code was wrong too many times: cancelling"),
    ("engine.checking", "Unknown — checking with Netgíró"),
    ("engine.checking_after_restart", "Unknown — checking with Netgíró after a restart"),
    ("engine.checking_reservation", "Unknown — checking the reservation"),
    ("engine.doubted", "Unknown — Netgíró's answer {_reason}: checking again"),
    ("engine.checking_code", "Unknown — checking (Netgíró said {code})"),
    ("engine.checking_cancel_code", "Unknown — checking (cancel answered {code})"),
    ("engine.connection_trouble", "Unknown — checking… {_detail}"),
    ("engine.already_paid_checking", "Netgíró says the customer already paid: checking"),
    ("engine.paid", "Paid"),
    ("engine.cancelled", "Cancelled"),
    ("engine.cancelled_after_restart", "Cancelled after a restart; the customer was not charged"),
    ("engine.not_paid", "Not paid: rejected, cancelled or expired"),
    ("engine.declined", "Declined by Netgíró: {_message}"),
    (
        "engine.lost_safe",
        "Not charged: the cart's answer was lost, and in manual confirmation no money moves "
        "without the till's ConfirmCart. It is safe to try again.",
    ),
    ("engine.not_charged", "Not charged: {_detail}"),
    (
        "engine.lost_unknown",
        "Unknown: {_detail} Netgíró gives no way to find this cart. Ask the customer what "
        "their Netgíró app shows before taking payment again.",
    ),
    (
        "engine.reserved",
        "Reserved, not charged: Netgíró refused to cancel the reservation. It lapses unless "
        "confirmed; a manager decides.",
    ),
    (
        "engine.review_cancel_tries",
        "Needs review: CancelCart was sent {count} times and the cart is still open" + _REVIEW_TAIL,
    ),
    (
        "engine.review_confirm_tries",
        "Needs review: ConfirmCart was sent {count} times and the cart is still not paid"
        + _REVIEW_TAIL,
    ),
    (
        "engine.review_doubts",
        "Needs review: Netgíró's answer {_reason}, {count} times" + _REVIEW_TAIL,
    ),
    (
        "engine.double_charge",
        "A second payment on a sale already paid: a double charge. A manager must refund it.",
    ),
)


@dataclass(frozen=True)
class NoteKey:
    """A note as a catalog key and the values its words take (never free text)."""

    key: str
    values: dict[str, str]


def template_patterns(
    table: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``(key, English template)`` pairs as ``(key, pattern)``: ``{name}`` matches any text."""
    return tuple((key, _pattern(template)) for key, template in table)


# Parts with these names match only a number (grouped with dots): a note such as "Netgíró's
# answer says result code 7, which is no cart state, 5 times" must give count=5, not the
# words before it.
_NUMBERS = frozenset({"count", "code", "seconds", "sale", "percent", "rate", "due", "pid"})
_NUMBER = r"-?[0-9][0-9.]*"


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>{_NUMBER if name in _NUMBERS else '.+?'})")
    return re.compile("".join(parts), re.DOTALL)


def first_match(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> NoteKey | None:
    """The first pattern ``text`` matches whole, with its kept values (``_name`` dropped)."""
    for key, pattern in patterns:
        found = pattern.fullmatch(text)
        if found is not None:
            values = {k: v for k, v in found.groupdict().items() if not k.startswith("_")}
            return NoteKey(key, values)
    return None


_NOTE_PATTERNS = template_patterns(NOTE_TEMPLATES)


def note_key(note: str) -> NoteKey | None:
    """The catalog key of an engine note, or None for a note no template knows."""
    return first_match(_NOTE_PATTERNS, note)
