"""The checkout state machine as a table: every state × every event, expected state and commands.

Each row names a state; each cell names an event and what must come out. A cell that is not
written is ILLEGAL: the machine must raise and keep its state. A test checks the table covers
every state and every event it knows, so adding either without deciding its cells fails here.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pos.core.cart import CartAnswer, PaymentInfo
from pos.core.checkout import (
    AskForCode,
    CallbackReceived,
    CallFailed,
    CancelAnswered,
    CancelPressed,
    CheckAnswered,
    CheckCart,
    Checkout,
    CodeEntered,
    Command,
    ConfirmAnswered,
    CustomerKind,
    DeadlinePassed,
    Event,
    IllegalEvent,
    InsertAccepted,
    InsertDeclined,
    InsertNotSent,
    InsertOutcomeUnknown,
    InsertRefused,
    Phase,
    Recover,
    SendCancelCart,
    SendConfirmCart,
    SendInsertCart,
    advance,
    start,
)
from pos.core.result_codes import ConfirmationType

TX = "5b1c2d3e-0000-4000-8000-000000000001"
OTHER_TX = "5b1c2d3e-0000-4000-8000-000000000002"
AMOUNT = 1990
REFERENCE = "S1-R1-0a1b2c3d-7-1"


def answer(code: int, *, success: bool = True, paid: bool = False, **info: object) -> CartAnswer:
    fields: dict[str, object] = {"transaction_id": TX, "invoice_number": 42 if paid else None}
    fields.update(info)
    return CartAnswer(success, paid, code, f"code {code}", PaymentInfo(**fields))  # type: ignore[arg-type]


# Answers that must never settle an attempt: about another cart, or saying two things.
DOUBTED_CHECKS: dict[str, Event] = {
    "check_paid_other_cart": CheckAnswered(answer(10200, paid=True, transaction_id=OTHER_TX)),
    "check_paid_other_amount": CheckAnswered(answer(10200, paid=True, total_amount=1)),
    "check_paid_other_reference": CheckAnswered(answer(10200, paid=True, reference_number="X")),
    "check_paid_status_cancelled": CheckAnswered(answer(10200, paid=True, status_id=5)),
    "check_paid_not_successful": CheckAnswered(answer(10200)),
    "check_cancelled_successful": CheckAnswered(answer(10201, paid=True)),
    "check_cancelled_other_cart": CheckAnswered(answer(10201, transaction_id=OTHER_TX)),
    "check_cancelled_status_confirmed": CheckAnswered(answer(10201, status_id=2)),
    "check_declined_other_amount": CheckAnswered(answer(10423, total_amount=1)),
}
DOUBTED_CONFIRMS: dict[str, Event] = {
    "confirm_paid_other_cart": ConfirmAnswered(answer(10200, paid=True, transaction_id=OTHER_TX)),
    "confirm_paid_not_successful": ConfirmAnswered(answer(10200)),
    "confirm_cancelled_successful": ConfirmAnswered(answer(10201, paid=True)),
}
DOUBTED_CANCELS: dict[str, Event] = {
    "cancel_ok_other_cart": CancelAnswered(answer(10201, transaction_id=OTHER_TX)),
    "cancel_ok_successful": CancelAnswered(answer(10201, paid=True)),
    "cancel_too_late_other_amount": CancelAnswered(answer(10200, success=False, total_amount=1)),
}


EVENTS: dict[str, Event] = {
    "insert_ok": InsertAccepted(TX, 2000),
    "insert_declined": InsertDeclined(10423, "declined"),
    "insert_not_sent": InsertNotSent("refused"),
    "insert_refused": InsertRefused("401"),
    "insert_unknown": InsertOutcomeUnknown("answer lost"),
    "insert_contradiction": InsertOutcomeUnknown("says it failed, yet names a cart", TX, True),
    "check_paid": CheckAnswered(answer(10200, paid=True)),
    "check_cancelled": CheckAnswered(answer(10201)),
    "check_pending": CheckAnswered(answer(10425)),
    "check_reserved": CheckAnswered(answer(10426)),
    "check_code": CheckAnswered(answer(10428)),
    "check_callback_wait": CheckAnswered(answer(10429)),
    "check_declined": CheckAnswered(answer(10423)),
    "check_odd": CheckAnswered(answer(99999)),
    "confirm_paid": ConfirmAnswered(answer(10200, paid=True)),
    "confirm_reserved": ConfirmAnswered(answer(10426)),
    "confirm_400": ConfirmAnswered(answer(400)),
    "confirm_cancelled": ConfirmAnswered(answer(10201)),
    "cancel_ok": CancelAnswered(answer(10201)),
    "cancel_too_late": CancelAnswered(answer(10200, success=False)),
    "cancel_refused_reserved": CancelAnswered(answer(10426, success=False)),
    "cancel_400": CancelAnswered(answer(400, success=False)),
    "call_failed": CallFailed("check", "unknown", "timeout"),
    "code": CodeEntered("1234"),
    "cancel_pressed": CancelPressed(),
    "deadline": DeadlinePassed(),
    "callback": CallbackReceived(TX),
    "recover": Recover(),
    **DOUBTED_CHECKS,
    **DOUBTED_CONFIRMS,
    **DOUBTED_CANCELS,
}

GSM = Checkout(
    Phase.PENDING,
    CustomerKind.GSM,
    ConfirmationType.MANUAL,
    TX,
    3000,
    amount=AMOUNT,
    reference=REFERENCE,
)
STATES: dict[str, Checkout] = {
    "inserting": replace(GSM, phase=Phase.INSERTING, transaction_id=None),
    "inserting_automatic": replace(
        GSM, phase=Phase.INSERTING, transaction_id=None, confirmation=ConfirmationType.AUTOMATIC
    ),
    "inserting_app_code": replace(
        GSM, phase=Phase.INSERTING, transaction_id=None, customer_kind=CustomerKind.APP_CODE
    ),
    "pending": GSM,
    "pending_unsure": replace(GSM, unsure=True, check_failures=1),
    "pending_recovering": replace(GSM, unsure=True, live=False),
    "needs_code": replace(GSM, phase=Phase.NEEDS_CODE, customer_kind=CustomerKind.SSN),
    "confirming": replace(GSM, phase=Phase.CONFIRMING, confirms_in_a_row=1),
    "confirming_code": replace(
        GSM, phase=Phase.CONFIRMING, customer_kind=CustomerKind.SSN, code_sent=True
    ),
    "confirming_last_try": replace(
        GSM, phase=Phase.CONFIRMING, customer_kind=CustomerKind.SSN, code_sent=True, code_tries_left=1
    ),
    "confirming_unsure": replace(GSM, phase=Phase.CONFIRMING, unsure=True, check_failures=1),
    "confirming_recovering": replace(GSM, phase=Phase.CONFIRMING, unsure=True, live=False),
    "cancelling": replace(GSM, phase=Phase.CANCELLING, cancel_requested=True),
    "cancelling_unsure": replace(GSM, phase=Phase.CANCELLING, cancel_requested=True, unsure=True),
    "pending_doubted_4": replace(GSM, unsure=True, doubts=4, check_failures=4),
    "confirming_tried_out": replace(GSM, phase=Phase.CONFIRMING, unsure=True, confirm_tries=10),
    "cancelling_tried_out": replace(
        GSM, phase=Phase.CANCELLING, cancel_requested=True, unsure=True, cancel_tries=5
    ),
    **{phase.value.lower(): replace(GSM, phase=phase) for phase in Phase if phase.value in {
        "PAID", "CANCELLED", "DECLINED", "FAILED", "ABANDONED", "UNKNOWN_ABANDONED",
        "RESERVED_UNCHARGED", "NEEDS_REVIEW"}},
}  # fmt: skip

ILLEGAL = "illegal"
POLL = (CheckCart(delay_ms=3000),)
NOW = (CheckCart(delay_ms=0),)
BACKOFF_1 = (CheckCart(delay_ms=3000, backoff_step=1),)
BACKOFF_2 = (CheckCart(delay_ms=3000, backoff_step=2),)
CONFIRM = (SendConfirmCart(None),)
CANCEL = (SendCancelCart(),)
NOTHING: tuple[Command, ...] = ()


def unsure(phase: str) -> str:
    return phase + "?"


def doubted(
    phase: str, events: dict[str, Event], backoff: tuple[Command, ...] = BACKOFF_1
) -> dict[str, tuple[str, tuple[Command, ...]]]:
    """Each doubted answer: the same phase, unsure, and a re-check after a backoff."""
    return {name: (unsure(phase), backoff) for name in events}


BACKOFF_3 = (CheckCart(delay_ms=3000, backoff_step=3),)
BACKOFF_5 = (CheckCart(delay_ms=3000, backoff_step=5),)


# state -> event -> (phase expected, "?" suffix if the outcome is unknown, commands expected)
CHECK_ANSWERS_WHILE_WAITING = {
    "check_paid": ("PAID", NOTHING),
    "check_cancelled": ("CANCELLED", NOTHING),
    "check_pending": ("PENDING", POLL),
    "check_reserved": ("CONFIRMING", CONFIRM),
    "check_code": ("NEEDS_CODE", (AskForCode(tries_left=3),)),
    "check_callback_wait": ("PENDING", POLL),
    "check_declined": ("DECLINED", NOTHING),
}
AFTER_THE_END = {"deadline": None, "callback": None}  # None: same state, no commands

TABLE: dict[str, dict[str, tuple[str, tuple[Command, ...]] | None]] = {
    "inserting": {
        "insert_contradiction": (unsure("PENDING"), BACKOFF_1),
        "insert_ok": ("PENDING", NOW),
        "insert_declined": ("DECLINED", NOTHING),
        "insert_not_sent": ("FAILED", NOTHING),
        "insert_refused": ("FAILED", NOTHING),
        "insert_unknown": ("ABANDONED", NOTHING),
        "cancel_pressed": ("INSERTING", NOTHING),
        "deadline": ("INSERTING", NOTHING),
        "callback": ("INSERTING", NOTHING),
        "recover": ("ABANDONED", NOTHING),
    },
    "inserting_automatic": {
        "insert_contradiction": (unsure("PENDING"), BACKOFF_1),
        "insert_ok": ("PENDING", NOW),
        "insert_declined": ("DECLINED", NOTHING),
        "insert_not_sent": ("FAILED", NOTHING),
        "insert_refused": ("FAILED", NOTHING),
        "insert_unknown": ("UNKNOWN_ABANDONED", NOTHING),
        "cancel_pressed": ("INSERTING", NOTHING),
        "deadline": ("INSERTING", NOTHING),
        "callback": ("INSERTING", NOTHING),
        "recover": ("UNKNOWN_ABANDONED", NOTHING),
    },
    "inserting_app_code": {
        "insert_contradiction": (unsure("PENDING"), BACKOFF_1),
        "insert_ok": ("CONFIRMING", CONFIRM),
        "insert_declined": ("DECLINED", NOTHING),
        "insert_not_sent": ("FAILED", NOTHING),
        "insert_refused": ("FAILED", NOTHING),
        "insert_unknown": ("ABANDONED", NOTHING),
        "cancel_pressed": ("INSERTING", NOTHING),
        "deadline": ("INSERTING", NOTHING),
        "callback": ("INSERTING", NOTHING),
        "recover": ("ABANDONED", NOTHING),
    },
    "pending": {
        **doubted("PENDING", DOUBTED_CHECKS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_odd": (unsure("PENDING"), BACKOFF_1),
        "call_failed": (unsure("PENDING"), BACKOFF_1),
        "cancel_pressed": ("CANCELLING", CANCEL),
        "deadline": ("CANCELLING", CANCEL),
        "callback": ("PENDING", NOW),
        "recover": (unsure("PENDING"), NOW),
    },
    "pending_unsure": {
        **doubted("PENDING", DOUBTED_CHECKS, BACKOFF_2),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_odd": (unsure("PENDING"), BACKOFF_2),
        "call_failed": (unsure("PENDING"), BACKOFF_2),
        "cancel_pressed": (unsure("CANCELLING"), NOW),
        "deadline": (unsure("CANCELLING"), NOW),
        "callback": (unsure("PENDING"), NOW),
        "recover": (unsure("PENDING"), NOW),
    },
    "pending_recovering": {
        **doubted("PENDING", DOUBTED_CHECKS),
        "check_paid": ("PAID", NOTHING),
        "check_cancelled": ("CANCELLED", NOTHING),
        "check_pending": ("CANCELLING", CANCEL),
        "check_reserved": ("CANCELLING", CANCEL),
        "check_code": ("CANCELLING", CANCEL),
        "check_callback_wait": ("CANCELLING", CANCEL),
        "check_declined": ("DECLINED", NOTHING),
        "check_odd": (unsure("PENDING"), BACKOFF_1),
        "call_failed": (unsure("PENDING"), BACKOFF_1),
        "cancel_pressed": (unsure("CANCELLING"), NOW),
        "deadline": (unsure("CANCELLING"), NOW),
        "callback": (unsure("PENDING"), NOW),
        "recover": (unsure("PENDING"), NOW),
    },
    "needs_code": {
        **doubted("NEEDS_CODE", DOUBTED_CHECKS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_code": ("NEEDS_CODE", NOTHING),
        "check_odd": (unsure("NEEDS_CODE"), BACKOFF_1),
        "call_failed": (unsure("NEEDS_CODE"), BACKOFF_1),
        "code": ("CONFIRMING", (SendConfirmCart("1234"),)),
        "cancel_pressed": ("CANCELLING", CANCEL),
        "deadline": ("CANCELLING", CANCEL),
        "callback": ("NEEDS_CODE", NOW),
        "recover": (unsure("NEEDS_CODE"), NOW),
    },
    "confirming": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_odd": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("CONFIRMING", CONFIRM),
        "confirm_400": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_1),
        "cancel_pressed": ("CONFIRMING", NOTHING),
        "deadline": ("CONFIRMING", NOTHING),
        "callback": ("CONFIRMING", NOTHING),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    "confirming_code": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_odd": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("CONFIRMING", CONFIRM),
        "confirm_400": ("NEEDS_CODE", (AskForCode(tries_left=2, rejected=True),)),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_1),
        "cancel_pressed": ("CONFIRMING", NOTHING),
        "deadline": ("CONFIRMING", NOTHING),
        "callback": ("CONFIRMING", NOTHING),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    "confirming_last_try": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_code": ("NEEDS_CODE", (AskForCode(tries_left=1),)),
        "check_odd": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("CONFIRMING", CONFIRM),
        "confirm_400": ("CANCELLING", CANCEL),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_1),
        "cancel_pressed": ("CONFIRMING", NOTHING),
        "deadline": ("CONFIRMING", NOTHING),
        "callback": ("CONFIRMING", NOTHING),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    "confirming_unsure": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS, BACKOFF_2),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_odd": (unsure("CONFIRMING"), BACKOFF_2),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("CONFIRMING", CONFIRM),
        "confirm_400": (unsure("CONFIRMING"), BACKOFF_2),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_2),
        "cancel_pressed": (unsure("CONFIRMING"), NOTHING),
        "deadline": (unsure("CONFIRMING"), NOTHING),
        "callback": (unsure("CONFIRMING"), NOW),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    "confirming_recovering": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS),
        "check_paid": ("PAID", NOTHING),
        "check_cancelled": ("CANCELLED", NOTHING),
        "check_pending": ("CANCELLING", CANCEL),
        "check_reserved": ("CONFIRMING", CONFIRM),
        "check_code": ("CANCELLING", CANCEL),
        "check_callback_wait": ("CANCELLING", CANCEL),
        "check_declined": ("DECLINED", NOTHING),
        "check_odd": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("CONFIRMING", CONFIRM),
        "confirm_400": (unsure("CONFIRMING"), NOW),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_1),
        "cancel_pressed": (unsure("CONFIRMING"), NOTHING),
        "deadline": (unsure("CONFIRMING"), NOTHING),
        "callback": (unsure("CONFIRMING"), NOW),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    "cancelling": {
        **doubted("CANCELLING", DOUBTED_CHECKS | DOUBTED_CANCELS),
        "check_paid": ("PAID", NOTHING),
        "check_cancelled": ("CANCELLED", NOTHING),
        "check_pending": ("CANCELLING", CANCEL),
        "check_reserved": ("CANCELLING", CANCEL),
        "check_code": ("CANCELLING", CANCEL),
        "check_callback_wait": ("CANCELLING", CANCEL),
        "check_declined": ("DECLINED", NOTHING),
        "check_odd": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_ok": ("CANCELLED", NOTHING),
        "cancel_too_late": (unsure("CANCELLING"), NOW),
        "cancel_refused_reserved": ("RESERVED_UNCHARGED", NOTHING),
        "cancel_400": (unsure("CANCELLING"), BACKOFF_1),
        "call_failed": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_pressed": ("CANCELLING", NOTHING),
        "deadline": ("CANCELLING", NOTHING),
        "callback": ("CANCELLING", NOTHING),
        "recover": (unsure("CANCELLING"), NOW),
    },
    "cancelling_unsure": {
        **doubted("CANCELLING", DOUBTED_CHECKS | DOUBTED_CANCELS),
        "check_paid": ("PAID", NOTHING),
        "check_cancelled": ("CANCELLED", NOTHING),
        "check_pending": ("CANCELLING", CANCEL),
        "check_reserved": ("CANCELLING", CANCEL),
        "check_code": ("CANCELLING", CANCEL),
        "check_callback_wait": ("CANCELLING", CANCEL),
        "check_declined": ("DECLINED", NOTHING),
        "check_odd": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_ok": ("CANCELLED", NOTHING),
        "cancel_too_late": (unsure("CANCELLING"), NOW),
        "cancel_refused_reserved": ("RESERVED_UNCHARGED", NOTHING),
        "cancel_400": (unsure("CANCELLING"), BACKOFF_1),
        "call_failed": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_pressed": (unsure("CANCELLING"), NOTHING),
        "deadline": (unsure("CANCELLING"), NOTHING),
        "callback": (unsure("CANCELLING"), NOW),
        "recover": (unsure("CANCELLING"), NOW),
    },
    # The fifth doubtful answer about a cart makes it a manager's: final, not live.
    "pending_doubted_4": {
        **CHECK_ANSWERS_WHILE_WAITING,
        **{name: ("NEEDS_REVIEW", NOTHING) for name in DOUBTED_CHECKS},
        "check_odd": ("NEEDS_REVIEW", NOTHING),
        "call_failed": (unsure("PENDING"), BACKOFF_5),
        "cancel_pressed": (unsure("CANCELLING"), NOW),
        "deadline": (unsure("CANCELLING"), NOW),
        "callback": (unsure("PENDING"), NOW),
        "recover": (unsure("PENDING"), NOW),
    },
    # Ten ConfirmCarts sent and the reservation still not paid: an eleventh is never sent.
    "confirming_tried_out": {
        **doubted("CONFIRMING", DOUBTED_CHECKS | DOUBTED_CONFIRMS),
        **CHECK_ANSWERS_WHILE_WAITING,
        "check_reserved": ("NEEDS_REVIEW", NOTHING),
        "check_odd": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_paid": ("PAID", NOTHING),
        "confirm_reserved": ("NEEDS_REVIEW", NOTHING),
        "confirm_400": (unsure("CONFIRMING"), BACKOFF_1),
        "confirm_cancelled": ("CANCELLED", NOTHING),
        "call_failed": (unsure("CONFIRMING"), BACKOFF_1),
        "cancel_pressed": (unsure("CONFIRMING"), NOTHING),
        "deadline": (unsure("CONFIRMING"), NOTHING),
        "callback": (unsure("CONFIRMING"), NOW),
        "recover": (unsure("CONFIRMING"), NOW),
    },
    # Five CancelCarts sent and the cart still open: a sixth is never sent.
    "cancelling_tried_out": {
        **doubted("CANCELLING", DOUBTED_CHECKS | DOUBTED_CANCELS),
        "check_paid": ("PAID", NOTHING),
        "check_cancelled": ("CANCELLED", NOTHING),
        "check_pending": ("NEEDS_REVIEW", NOTHING),
        "check_reserved": ("NEEDS_REVIEW", NOTHING),
        "check_code": ("NEEDS_REVIEW", NOTHING),
        "check_callback_wait": ("NEEDS_REVIEW", NOTHING),
        "check_declined": ("DECLINED", NOTHING),
        "check_odd": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_ok": ("CANCELLED", NOTHING),
        "cancel_too_late": (unsure("CANCELLING"), NOW),
        "cancel_refused_reserved": ("RESERVED_UNCHARGED", NOTHING),
        "cancel_400": (unsure("CANCELLING"), BACKOFF_5),
        "call_failed": (unsure("CANCELLING"), BACKOFF_1),
        "cancel_pressed": (unsure("CANCELLING"), NOTHING),
        "deadline": (unsure("CANCELLING"), NOTHING),
        "callback": (unsure("CANCELLING"), NOW),
        "recover": (unsure("CANCELLING"), NOW),
    },
    **{name: AFTER_THE_END for name in (
        "paid", "cancelled", "declined", "failed", "abandoned", "unknown_abandoned",
        "reserved_uncharged", "needs_review")},
}  # fmt: skip

CELLS = [(state, event) for state in STATES for event in EVENTS]


def test_the_table_decides_every_state_and_every_event_kind() -> None:
    assert set(TABLE) == set(STATES)
    event_kinds = {type(event) for event in EVENTS.values()}
    assert event_kinds == set(Event.__args__)  # type: ignore[attr-defined]
    covered_phases = {state.phase for state in STATES.values()}
    assert covered_phases == set(Phase)


@pytest.mark.parametrize(("state_name", "event_name"), CELLS)
def test_cell(state_name: str, event_name: str) -> None:
    state, event = STATES[state_name], EVENTS[event_name]
    row = TABLE[state_name]
    if event_name not in row:
        with pytest.raises(IllegalEvent):
            advance(state, event)
        return
    expected = row[event_name]
    new_state, commands = advance(state, event)
    if expected is None:
        assert (new_state, commands) == (state, ())
        return
    phase, expected_commands = expected
    assert new_state.phase.value + ("?" if new_state.unsure else "") == phase
    assert commands == expected_commands


def test_a_new_attempt_is_journaled_inserting_then_sends_insert_cart() -> None:
    state, commands = start(CustomerKind.GSM)
    assert state.phase is Phase.INSERTING
    assert state.confirmation is ConfirmationType.MANUAL
    assert commands == (SendInsertCart(),)


def test_paid_keeps_the_invoice_number() -> None:
    state, _ = advance(STATES["pending"], EVENTS["check_paid"])
    assert state.invoice_number == 42


def test_the_poll_interval_netgiro_names_is_used() -> None:
    state, _ = advance(STATES["inserting"], EVENTS["insert_ok"])
    assert state.poll_interval_ms == 2000


def test_a_callback_can_name_the_cart_before_insert_cart_answers() -> None:
    state, _ = advance(STATES["inserting_automatic"], CallbackReceived(TX))
    state, commands = advance(state, EVENTS["insert_unknown"])
    assert (state.phase, state.unsure, commands) == (Phase.PENDING, True, NOW)


def test_a_code_press_never_shows_the_code() -> None:
    assert "1234" not in repr(CodeEntered("1234"))
    assert "1234" not in repr(SendConfirmCart("1234"))
