"""The checkout state machine: ``advance(state, event) -> (state, commands)``, pure and total.

It follows the attempt table of payment-safety.md. Events come in (an answer, a failed call,
a key press, a timer, a callback, a restart); a new state and the commands to run come out.
The runner journals every state before it runs the commands, so a crash at any point leaves a
state that ``Recover`` can finish. No I/O and no clock here: time arrives as events.

Rules kept here, and why:
- A sent call whose answer is lost is *unknown*, never "no": the next step is a CheckCart.
- ConfirmCart and CancelCart are sent again only after a CheckCart re-read.
- CancelCart answering "already paid" is checked, and then it is **paid**.
- An answer is believed only when it is about this cart and says one thing (``cart.doubt``);
  a doubted answer is re-checked with a growing backoff, and after ``MAX_DOUBTS`` of them the
  attempt is NEEDS_REVIEW: final, not live, for a manager to settle.
- Counters that bound retries (``check_failures``, ``cancel_tries``, ``doubts``) are persisted
  and no answer resets them, so no hostile sequence of answers loops for ever.
- An illegal event raises ``IllegalEvent`` and the caller keeps the state it had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pos.core.cart import CartAnswer, Expected, doubt
from pos.core.checkout_messages import (
    AskForCode,
    CallbackReceived,
    CallFailed,
    CancelAnswered,
    CancelPressed,
    CheckAnswered,
    CheckCart,
    CodeEntered,
    Command,
    ConfirmAnswered,
    DeadlinePassed,
    Event,
    InsertAccepted,
    InsertDeclined,
    InsertNotSent,
    InsertOutcomeUnknown,
    InsertRefused,
    Recover,
    SendCancelCart,
    SendConfirmCart,
    SendInsertCart,
)
from pos.core.result_codes import DECLINE_CODES, ConfirmationType, ResultCode

__all__ = [
    "FINAL_PHASES",
    "LIVE_PHASES",
    "MAX_CANCEL_TRIES",
    "MAX_CONFIRM_TRIES",
    "MAX_DOUBTS",
    "AskForCode",
    "CallFailed",
    "CallbackReceived",
    "CancelAnswered",
    "CancelPressed",
    "CheckAnswered",
    "CheckCart",
    "Checkout",
    "CodeEntered",
    "Command",
    "ConfirmAnswered",
    "CustomerKind",
    "DeadlinePassed",
    "Event",
    "IllegalEvent",
    "InsertAccepted",
    "InsertDeclined",
    "InsertNotSent",
    "InsertOutcomeUnknown",
    "InsertRefused",
    "Phase",
    "Recover",
    "SendCancelCart",
    "SendConfirmCart",
    "SendInsertCart",
    "Step",
    "advance",
    "clamp_poll_ms",
    "start",
]


class Phase(StrEnum):
    """Where an attempt stands; the first five are live, the rest are final."""

    INSERTING = "INSERTING"
    PENDING = "PENDING"
    NEEDS_CODE = "NEEDS_CODE"
    CONFIRMING = "CONFIRMING"
    CANCELLING = "CANCELLING"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"
    ABANDONED = "ABANDONED"
    UNKNOWN_ABANDONED = "UNKNOWN_ABANDONED"
    RESERVED_UNCHARGED = "RESERVED_UNCHARGED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


LIVE_PHASES = frozenset(
    {Phase.INSERTING, Phase.PENDING, Phase.NEEDS_CODE, Phase.CONFIRMING, Phase.CANCELLING}
)
FINAL_PHASES = frozenset(Phase) - LIVE_PHASES

CANCELLED_CODES = frozenset(
    {ResultCode.PAYMENT_CANCELED, ResultCode.ALREADY_CANCELED, ResultCode.CART_NOT_FOUND}
)
WAITING_CODES = frozenset(
    {
        ResultCode.PENDING_CUSTOMER_CONFIRMATION,
        ResultCode.RESERVED_WAITING_FOR_PROVIDER_CALLBACK,
    }
)
MAX_CONFIRMS_IN_A_ROW = 3
MAX_DOUBTS = 5
"""Mismatched or contradictory answers about one cart before it is NEEDS_REVIEW."""
MAX_CANCEL_TRIES = 5
"""CancelCarts sent for one cart before it is NEEDS_REVIEW (the cart stays open)."""
MAX_CONFIRM_TRIES = 10
"""ConfirmCarts sent for one cart before it is NEEDS_REVIEW (a reservation that never pays)."""
MIN_POLL_MS = 500
MAX_POLL_MS = 10_000
"""Netgíró's ProcessCartCheckIntervalMiliseconds is clamped between these."""


class CustomerKind(StrEnum):
    """How the customer identified themselves at the counter."""

    GSM = "gsm"
    SSN = "ssn"
    APP_CODE = "app_code"


@dataclass(frozen=True)
class Checkout:
    """One payment attempt's state: everything recovery needs, and no secret."""

    phase: Phase
    customer_kind: CustomerKind
    confirmation: ConfirmationType = ConfirmationType.MANUAL
    transaction_id: str | None = None
    poll_interval_ms: int = 3000
    code_tries_left: int = 3
    code_sent: bool = False
    unsure: bool = False
    live: bool = True
    cancel_requested: bool = False
    check_failures: int = 0
    """Unknown outcomes so far; the backoff step. Answers never reset it."""
    cancel_tries: int = 0
    """CancelCarts sent so far."""
    confirm_tries: int = 0
    """ConfirmCarts sent so far."""
    doubts: int = 0
    """Mismatched or contradictory answers so far."""
    confirms_in_a_row: int = 0
    result_code: int | None = None
    invoice_number: int | None = None
    note: str = ""
    amount: int | None = None
    """The amount this attempt asked for: answers are checked against it."""
    reference: str | None = None
    """This attempt's Reference: answers naming another are not about it."""

    @property
    def is_final(self) -> bool:
        return self.phase in FINAL_PHASES

    @property
    def expected(self) -> Expected:
        return Expected(self.transaction_id, self.amount, self.reference)


Step = tuple[Checkout, tuple[Command, ...]]


class IllegalEvent(Exception):
    """The event cannot happen in this state; the state stays as it was."""

    def __init__(self, state: Checkout, event: Event) -> None:
        super().__init__(f"{type(event).__name__} is not allowed in {state.phase.value}")
        self.state = state
        self.event = event


# --- the machine -------------------------------------------------------------------------


def start(
    customer_kind: CustomerKind,
    confirmation: ConfirmationType = ConfirmationType.MANUAL,
    *,
    poll_fallback_ms: int = 3000,
    code_tries: int = 3,
) -> Step:
    """A new attempt: journal it as INSERTING, then send InsertCart."""
    state = Checkout(
        phase=Phase.INSERTING,
        customer_kind=customer_kind,
        confirmation=confirmation,
        poll_interval_ms=poll_fallback_ms,
        code_tries_left=code_tries,
        note="Sending the cart to Netgíró",
    )
    return state, (SendInsertCart(),)


def advance(state: Checkout, event: Event) -> Step:
    """The next state and the commands to run, or ``IllegalEvent``."""
    if state.is_final:
        return _after_the_end(state, event)
    handler = _HANDLERS.get(type(event))
    if handler is None:  # pragma: no cover - every Event type has a handler
        raise IllegalEvent(state, event)
    return handler(state, event)


def _after_the_end(state: Checkout, event: Event) -> Step:
    # Timers and callbacks race with the end of an attempt; they change nothing.
    if isinstance(event, DeadlinePassed | CallbackReceived):
        return state, ()
    raise IllegalEvent(state, event)


def _require(state: Checkout, event: Event, *phases: Phase) -> None:
    if state.phase not in phases:
        raise IllegalEvent(state, event)


def _final(state: Checkout, phase: Phase, note: str, answer: CartAnswer | None = None) -> Step:
    invoice = state.invoice_number
    if phase is Phase.PAID and answer is not None and answer.payment_info is not None:
        invoice = answer.payment_info.invoice_number or invoice
    code = answer.result_code if answer is not None else state.result_code
    return (
        replace(
            state, phase=phase, note=note, unsure=False, result_code=code, invoice_number=invoice
        ),
        (),
    )


def _poll(state: Checkout, note: str, phase: Phase = Phase.PENDING) -> Step:
    polled = replace(state, phase=phase, unsure=False, note=note)
    return polled, (CheckCart(delay_ms=state.poll_interval_ms),)


def _check_now(state: Checkout, note: str, phase: Phase | None = None) -> Step:
    checking = replace(state, phase=phase or state.phase, unsure=True, note=note)
    return checking, (CheckCart(delay_ms=0),)


def _back_off(state: Checkout, note: str) -> Step:
    failures = state.check_failures + 1
    backing_off = replace(state, unsure=True, check_failures=failures, note=note)
    return backing_off, (CheckCart(delay_ms=state.poll_interval_ms, backoff_step=failures),)


def _send_cancel(state: Checkout, note: str = "Cancelling the payment") -> Step:
    if state.cancel_tries >= MAX_CANCEL_TRIES:
        return _needs_review(
            replace(state, phase=Phase.CANCELLING),
            f"CancelCart was sent {state.cancel_tries} times and the cart is still open",
        )
    cancelling = replace(
        state,
        phase=Phase.CANCELLING,
        unsure=False,
        confirms_in_a_row=0,
        cancel_tries=state.cancel_tries + 1,
        note=note,
    )
    return cancelling, (SendCancelCart(),)


def _recheck_cancel(state: Checkout, note: str) -> Step:
    """A cancel that did not take: re-read first, later each time (never a tight loop)."""
    failures = state.check_failures + 1
    waiting = replace(state, unsure=True, check_failures=failures, note=note)
    step = max(failures, state.cancel_tries)
    return waiting, (CheckCart(delay_ms=state.poll_interval_ms, backoff_step=step),)


def _doubted(state: Checkout, reason: str) -> Step:
    """An answer about another cart, or one saying two things: re-check, then a manager."""
    doubts = state.doubts + 1
    counted = replace(state, doubts=doubts)
    if doubts >= MAX_DOUBTS:
        return _needs_review(counted, f"Netgíró's answer {reason}, {doubts} times")
    return _back_off(counted, f"Unknown — Netgíró's answer {reason}: checking again")


def _needs_review(state: Checkout, why: str) -> Step:
    cart = state.transaction_id or "(none)"
    note = (
        f"Needs review: {why}. Not settled: check cart {cart} in Netgíró's portal, then "
        "settle it with `pos recover --settle`."
    )
    return _final(state, Phase.NEEDS_REVIEW, note)


def _send_confirm(state: Checkout, identifier: str | None = None) -> Step:
    if state.confirm_tries >= MAX_CONFIRM_TRIES:
        return _needs_review(
            replace(state, phase=Phase.CONFIRMING),
            f"ConfirmCart was sent {state.confirm_tries} times and the cart is still not paid",
        )
    confirming = replace(
        state,
        phase=Phase.CONFIRMING,
        unsure=False,
        code_sent=identifier is not None,
        confirms_in_a_row=state.confirms_in_a_row + 1,
        confirm_tries=state.confirm_tries + 1,
        note="Confirming the payment with Netgíró",
    )
    return confirming, (SendConfirmCart(identifier),)


def _ask_code(state: Checkout, rejected: bool) -> Step:
    note = "The code was not accepted; enter it again" if rejected else "Enter the SMS code"
    asking = replace(state, phase=Phase.NEEDS_CODE, unsure=False, code_sent=False, note=note)
    return asking, (AskForCode(tries_left=state.code_tries_left, rejected=rejected),)


# --- InsertCart --------------------------------------------------------------------------


def clamp_poll_ms(asked: int | None, fallback: int) -> int:
    """Netgíró's poll interval, kept between a floor and a ceiling (0, -5 or 10⁹ are hostile)."""
    if asked is None:
        return fallback
    return min(MAX_POLL_MS, max(MIN_POLL_MS, asked))


def _on_insert_accepted(state: Checkout, event: InsertAccepted) -> Step:
    _require(state, event, Phase.INSERTING)
    if not event.transaction_id:
        return _insert_lost(state, "Netgíró's answer named no cart.")
    interval = clamp_poll_ms(event.poll_interval_ms, state.poll_interval_ms)
    accepted = replace(state, transaction_id=event.transaction_id, poll_interval_ms=interval)
    if accepted.cancel_requested or not accepted.live:
        return _send_cancel(accepted)
    if accepted.customer_kind is CustomerKind.APP_CODE:
        # The offline chronology: the provider confirms an app-code cart right away.
        return _send_confirm(accepted)
    first_check = replace(accepted, phase=Phase.PENDING, note="Waiting for the customer")
    return first_check, (CheckCart(delay_ms=0),)


def _on_insert_declined(state: Checkout, event: InsertDeclined) -> Step:
    _require(state, event, Phase.INSERTING)
    declined = replace(state, result_code=event.result_code)
    return _final(declined, Phase.DECLINED, f"Declined by Netgíró: {event.message}")


def _on_insert_not_sent(state: Checkout, event: InsertNotSent) -> Step:
    _require(state, event, Phase.INSERTING)
    return _final(state, Phase.FAILED, f"Not charged: {event.message}")


def _on_insert_refused(state: Checkout, event: InsertRefused) -> Step:
    _require(state, event, Phase.INSERTING)
    return _final(state, Phase.FAILED, f"Not charged: {event.message}")


def _on_insert_unknown(state: Checkout, event: InsertOutcomeUnknown) -> Step:
    _require(state, event, Phase.INSERTING)
    if event.transaction_id is not None and state.transaction_id is None:
        # A contradictory answer that still names a cart: CheckCart can settle it.
        named = replace(state, transaction_id=event.transaction_id)
        if event.doubtful:
            return _doubted(replace(named, phase=Phase.PENDING), event.message)
        return _check_now(named, "Unknown — checking with Netgíró", Phase.PENDING)
    return _insert_lost(state, event.message)


def _insert_lost(state: Checkout, message: str) -> Step:
    if state.transaction_id is not None:
        # A callback already told us the cart's id: CheckCart can settle it.
        return _check_now(state, "Unknown — checking with Netgíró", Phase.PENDING)
    if state.confirmation is ConfirmationType.MANUAL:
        note = (
            "Not charged: the cart's answer was lost, and in manual confirmation no money "
            "moves without the till's ConfirmCart. It is safe to try again."
        )
        return _final(state, Phase.ABANDONED, note)
    note = (
        f"Unknown: {message} Netgíró gives no way to find this cart. Ask the customer what "
        "their Netgíró app shows before taking payment again."
    )
    return _final(state, Phase.UNKNOWN_ABANDONED, note)


# --- answers to CheckCart, ConfirmCart, CancelCart ---------------------------------------


def _settled(state: Checkout, answer: CartAnswer) -> Step | None:
    """Paid, cancelled or declined, whatever the phase; None while the cart is open.

    Only for an answer ``doubt`` found nothing wrong with.
    """
    if answer.says_paid:
        return _final(state, Phase.PAID, "Paid", answer)
    if answer.result_code in CANCELLED_CODES:
        note = "Cancelled" if state.cancel_requested else "Not paid: rejected, cancelled or expired"
        return _final(state, Phase.CANCELLED, note, answer)
    if answer.result_code in DECLINE_CODES:
        return _final(state, Phase.DECLINED, f"Declined by Netgíró: {answer.message}", answer)
    return None


def _on_check(state: Checkout, event: CheckAnswered) -> Step:
    _require(state, event, Phase.PENDING, Phase.NEEDS_CODE, Phase.CONFIRMING, Phase.CANCELLING)
    answer = event.answer
    seen = replace(state, result_code=answer.result_code)
    reason = doubt(answer, state.expected, "check")
    if reason is not None:
        return _doubted(seen, reason)
    settled = _settled(seen, answer)
    if settled is not None:
        return settled
    if answer.code is None or answer.code not in _OPEN_CART_CODES:
        # A code that is no state of a cart: as untrustworthy as a contradiction.
        return _doubted(seen, f"says result code {answer.result_code}, which is no cart state")
    if seen.phase is Phase.CANCELLING or seen.cancel_requested:
        return _send_cancel(seen)
    if seen.phase is Phase.CONFIRMING:
        return _check_while_confirming(seen, answer)
    if not seen.live:
        return _send_cancel(seen, "Nobody is at the counter for this sale: cancelling it")
    return _check_while_waiting(seen, answer)


_OPEN_CART_CODES = frozenset(
    {
        ResultCode.PENDING_CUSTOMER_CONFIRMATION,
        ResultCode.RESERVED_WAITING_FOR_PROVIDER_CALLBACK,
        ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM,
        ResultCode.ADDITIONAL_CONFIRMATION_NEEDED,
    }
)


def _check_while_waiting(state: Checkout, answer: CartAnswer) -> Step:
    code = answer.result_code
    if code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM:
        return _send_confirm(replace(state, confirms_in_a_row=0))
    if code == ResultCode.ADDITIONAL_CONFIRMATION_NEEDED:
        if state.phase is Phase.NEEDS_CODE:
            return replace(state, unsure=False), ()  # still waiting for the cashier's code
        return _ask_code(state, rejected=False)
    return _poll(state, "Waiting for the customer")


def _check_while_confirming(state: Checkout, answer: CartAnswer) -> Step:
    """The till had decided to confirm; a re-read tells whether that landed."""
    code = answer.result_code
    if code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM:
        return _send_confirm(state)
    if not state.live:
        return _send_cancel(state, "Nobody is at the counter for this sale: cancelling it")
    if code == ResultCode.ADDITIONAL_CONFIRMATION_NEEDED:
        return _ask_code(state, rejected=False)
    return _poll(state, "Waiting for the customer")


def _on_confirm(state: Checkout, event: ConfirmAnswered) -> Step:
    _require(state, event, Phase.CONFIRMING)
    answer = event.answer
    seen = replace(state, result_code=answer.result_code)
    reason = doubt(answer, state.expected, "confirm")
    if reason is not None:
        return _doubted(seen, reason)
    settled = _settled(seen, answer)
    if settled is not None:
        return settled
    code = answer.result_code
    if seen.cancel_requested:
        return _check_now(seen, "Checking before cancelling")
    if code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM:
        if seen.confirms_in_a_row < MAX_CONFIRMS_IN_A_ROW:
            return _send_confirm(seen)
        return _back_off(seen, "Unknown — checking the reservation")
    if not seen.live:
        return _check_now(seen, "Checking before cancelling")
    if seen.code_sent and code in (
        ResultCode.BAD_REQUEST,
        ResultCode.ADDITIONAL_CONFIRMATION_NEEDED,
    ):
        return _code_rejected(seen)
    if code == ResultCode.ADDITIONAL_CONFIRMATION_NEEDED:
        return _ask_code(seen, rejected=False)
    if code in WAITING_CODES:
        return _poll(seen, "Waiting for the customer")
    return _back_off(seen, f"Unknown — checking (Netgíró said {code})")


def _code_rejected(state: Checkout) -> Step:
    tries_left = state.code_tries_left - 1
    fewer = replace(state, code_tries_left=tries_left, confirms_in_a_row=0)
    if tries_left <= 0:
        return _send_cancel(fewer, "The SMS code was wrong too many times: cancelling")
    return _ask_code(fewer, rejected=True)


def _on_cancel(state: Checkout, event: CancelAnswered) -> Step:
    _require(state, event, Phase.CANCELLING)
    answer = event.answer
    seen = replace(state, result_code=answer.result_code, cancel_requested=True)
    reason = doubt(answer, state.expected, "cancel")
    if reason is not None:
        return _doubted(seen, reason)
    if answer.says_paid:
        # "Too late, already paid": re-read, and it is paid when CheckCart agrees.
        return _check_now(seen, "Netgíró says the customer already paid: checking")
    if answer.success and answer.result_code in CANCELLED_CODES:
        note = (
            "Cancelled" if seen.live else "Cancelled after a restart; the customer was not charged"
        )
        return _final(seen, Phase.CANCELLED, note, answer)
    if (
        not answer.success
        and answer.result_code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM
    ):
        note = (
            "Reserved, not charged: Netgíró refused to cancel the reservation. It lapses "
            "unless confirmed; a manager decides."
        )
        return _final(seen, Phase.RESERVED_UNCHARGED, note, answer)
    return _recheck_cancel(seen, f"Unknown — checking (cancel answered {answer.result_code})")


def _on_call_failed(state: Checkout, event: CallFailed) -> Step:
    _require(state, event, Phase.PENDING, Phase.NEEDS_CODE, Phase.CONFIRMING, Phase.CANCELLING)
    return _back_off(state, f"Unknown — checking… {event.message}")


# --- the cashier, timers, callbacks, restarts ---------------------------------------------


def _on_code(state: Checkout, event: CodeEntered) -> Step:
    _require(state, event, Phase.NEEDS_CODE)
    return _send_confirm(replace(state, confirms_in_a_row=0), event.code)


def _on_cancel_pressed(state: Checkout, event: CancelPressed) -> Step:
    wanted = replace(state, cancel_requested=True)
    if state.phase in (Phase.INSERTING, Phase.CONFIRMING, Phase.CANCELLING):
        # A call is in flight or already cancelling: act on its answer, never beside it.
        return replace(wanted, note="Cancelling after Netgíró answers"), ()
    if state.unsure:
        return _check_now(wanted, "Checking before cancelling", Phase.CANCELLING)
    return _send_cancel(wanted)


def _on_deadline(state: Checkout, event: DeadlinePassed) -> Step:
    if state.phase in (Phase.PENDING, Phase.NEEDS_CODE):
        timed_out = replace(state, cancel_requested=True)
        if state.unsure:
            return _check_now(timed_out, "Time is up: checking before cancelling", Phase.CANCELLING)
        return _send_cancel(timed_out, "Time is up: cancelling the payment")
    if state.phase is Phase.INSERTING:
        return replace(state, cancel_requested=True), ()
    return state, ()  # confirming is finished, cancelling goes on


def _on_callback(state: Checkout, event: CallbackReceived) -> Step:
    if state.phase is Phase.INSERTING:
        if event.transaction_id and state.transaction_id is None:
            return replace(state, transaction_id=event.transaction_id), ()
        return state, ()
    if state.phase is Phase.CONFIRMING and not state.unsure:
        return state, ()  # ConfirmCart is in flight; its answer will tell
    if state.phase is Phase.CANCELLING and not state.unsure:
        return state, ()
    # A callback is a reason to CheckCart now, never proof of payment.
    return state, (CheckCart(delay_ms=0),)


def _on_recover(state: Checkout, event: Recover) -> Step:
    orphan = replace(state, live=False)
    if state.phase is Phase.INSERTING:
        return _insert_lost(orphan, "The till stopped before Netgíró's answer was saved.")
    return _check_now(orphan, "Unknown — checking with Netgíró after a restart")


_HANDLERS: dict[type, Callable[[Checkout, Any], Step]] = {
    InsertAccepted: _on_insert_accepted,
    InsertDeclined: _on_insert_declined,
    InsertNotSent: _on_insert_not_sent,
    InsertRefused: _on_insert_refused,
    InsertOutcomeUnknown: _on_insert_unknown,
    CheckAnswered: _on_check,
    ConfirmAnswered: _on_confirm,
    CancelAnswered: _on_cancel,
    CallFailed: _on_call_failed,
    CodeEntered: _on_code,
    CancelPressed: _on_cancel_pressed,
    DeadlinePassed: _on_deadline,
    CallbackReceived: _on_callback,
    Recover: _on_recover,
}
