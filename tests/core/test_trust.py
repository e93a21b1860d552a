"""Issue 14, items 1, 2 and 4 in the pure machine: believe an answer only when it is about this
cart and says one thing; counters that no answer resets; a way out of "unknown".
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pos.core.cart import CartAnswer, Expected, PaymentInfo, doubt
from pos.core.checkout import (
    MAX_CANCEL_TRIES,
    MAX_DOUBTS,
    CancelAnswered,
    CheckAnswered,
    CheckCart,
    Checkout,
    ConfirmAnswered,
    CustomerKind,
    DeadlinePassed,
    InsertAccepted,
    InsertOutcomeUnknown,
    Phase,
    SendCancelCart,
    advance,
    start,
)
from pos.core.result_codes import ConfirmationType

TX = "5b1c2d3e-0000-4000-8000-00000000000a"
OTHER = "5b1c2d3e-0000-4000-8000-00000000000b"
PENDING = Checkout(
    Phase.PENDING, CustomerKind.GSM, transaction_id=TX, amount=1990, reference="S1-R1-ab-1-1"
)


def paid(**info: object) -> CartAnswer:
    fields: dict[str, object] = {"transaction_id": TX, "invoice_number": 77}
    fields.update(info)
    return CartAnswer(True, True, 10200, "", PaymentInfo(**fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "answer",
    [
        paid(transaction_id=OTHER),
        paid(total_amount=1),
        paid(status_id=5),
        paid(reference_number="S1-R1-ab-9-1"),
        CartAnswer(True, False, 10200, "", PaymentInfo(TX)),
    ],
    ids=["other cart", "amount 1", "status 5", "other reference", "not successful"],
)
def test_a_paid_answer_about_another_cart_or_saying_two_things_is_not_paid(
    answer: CartAnswer,
) -> None:
    state, commands = advance(PENDING, CheckAnswered(answer))
    assert state.phase is Phase.PENDING and state.unsure
    assert state.invoice_number is None
    assert commands == (CheckCart(delay_ms=PENDING.poll_interval_ms, backoff_step=1),)


@pytest.mark.parametrize(
    "answer",
    [
        CartAnswer(True, False, 10201, "", PaymentInfo(OTHER)),
        CartAnswer(True, True, 10201, "", PaymentInfo(TX)),
        CartAnswer(True, False, 10201, "", PaymentInfo(TX, status_id=2)),
        CartAnswer(True, False, 10423, "", PaymentInfo(TX, total_amount=5)),
    ],
    ids=["cancelled other cart", "cancelled yet successful", "cancelled yet confirmed", "declined"],
)
def test_a_mismatched_or_contradictory_no_never_ends_the_attempt(answer: CartAnswer) -> None:
    for event in (CheckAnswered(answer), ConfirmAnswered(answer)):
        state = replace(PENDING, phase=Phase.CONFIRMING)
        after, _ = advance(state, event)
        assert not after.is_final
    after, _ = advance(replace(PENDING, phase=Phase.CANCELLING), CancelAnswered(answer))
    assert not after.is_final


def test_any_case_of_the_same_guid_is_the_same_cart() -> None:
    state, _ = advance(PENDING, CheckAnswered(paid(transaction_id=TX.upper())))
    assert (state.phase, state.invoice_number) == (Phase.PAID, 77)


def test_absent_fields_are_not_a_mismatch() -> None:
    state, _ = advance(PENDING, CheckAnswered(CartAnswer(True, True, 10200, "", PaymentInfo())))
    assert state.phase is Phase.PAID


def test_the_documented_oddities_are_answers_not_contradictions() -> None:
    expected = Expected(TX, 1990)
    too_late = CartAnswer(False, False, 10200, "", PaymentInfo(TX))
    refused = CartAnswer(False, False, 10426, "", PaymentInfo(TX))
    wrong_code = CartAnswer(True, False, 400, "", PaymentInfo(TX))
    assert doubt(too_late, expected, "cancel") is None
    assert doubt(refused, expected, "cancel") is None
    assert doubt(wrong_code, expected, "confirm") is None
    assert doubt(too_late, expected, "check") is not None


def test_the_invoice_number_is_kept_only_from_a_paid_answer() -> None:
    cancelled = CartAnswer(True, False, 10201, "", PaymentInfo(TX, invoice_number=5))
    state, _ = advance(PENDING, CheckAnswered(cancelled))
    assert (state.phase, state.invoice_number) == (Phase.CANCELLED, None)


def test_the_fifth_doubtful_answer_makes_the_attempt_needs_review_and_not_live() -> None:
    state = PENDING
    for n in range(1, MAX_DOUBTS + 1):
        state, commands = advance(state, CheckAnswered(paid(transaction_id=OTHER)))
        assert state.doubts == n
    assert state.phase is Phase.NEEDS_REVIEW and state.is_final
    assert commands == ()
    assert TX in state.note and "--settle" in state.note
    assert advance(state, DeadlinePassed()) == (state, ())


def test_good_answers_between_doubtful_ones_do_not_reset_the_count() -> None:
    state = PENDING
    pending = CartAnswer(True, False, 10425, "", PaymentInfo(TX))
    for _ in range(MAX_DOUBTS):
        state, _ = advance(state, CheckAnswered(paid(total_amount=1)))
        if state.is_final:
            break
        state, _ = advance(state, CheckAnswered(pending))
    assert state.phase is Phase.NEEDS_REVIEW


def test_an_unknown_code_every_time_also_ends_in_needs_review() -> None:
    state = PENDING
    for _ in range(MAX_DOUBTS):
        state, _ = advance(state, CheckAnswered(CartAnswer(True, False, 99999, "", None)))
    assert state.phase is Phase.NEEDS_REVIEW


def test_backoff_steps_grow_across_answers() -> None:
    """Item 4: every CheckAnswered used to reset the step to 1."""
    state = PENDING
    steps = []
    for _ in range(3):
        state, commands = advance(state, CheckAnswered(CartAnswer(True, False, 99999, "", None)))
        steps.append(commands[0].backoff_step)  # type: ignore[union-attr]
    assert steps == [1, 2, 3]


@pytest.mark.parametrize(
    ("code", "success"), [(400, False), (10425, True), (10426, True), (10429, True), (12345, True)]
)
def test_cancel_carts_are_bounded_and_spaced(code: int, success: bool) -> None:
    """A cancel that does not take is re-checked with a growing backoff; at most N are sent."""
    state = replace(PENDING, phase=Phase.CANCELLING, cancel_requested=True, cancel_tries=1)
    pending = CartAnswer(True, False, 10425, "", PaymentInfo(TX))
    cancels, steps = 1, []
    for _ in range(50):
        state, commands = advance(state, CancelAnswered(CartAnswer(success, False, code, "", None)))
        if state.is_final:
            break
        assert isinstance(commands[0], CheckCart)
        steps.append(commands[0].backoff_step)
        state, commands = advance(state, CheckAnswered(pending))
        if state.is_final:
            break
        assert commands == (SendCancelCart(),)
        cancels += 1
    assert state.phase is Phase.NEEDS_REVIEW
    assert cancels == MAX_CANCEL_TRIES
    assert steps == sorted(steps) and steps[-1] > steps[0]


@pytest.mark.parametrize("asked", [0, 1, -5, 10**9])
def test_a_hostile_poll_interval_is_clamped(asked: int) -> None:
    state, _ = start(CustomerKind.GSM)
    state, _ = advance(state, InsertAccepted(TX, asked))
    assert 500 <= state.poll_interval_ms <= 10_000


def test_insert_cart_saying_no_with_a_cart_id_is_checked_not_declined() -> None:
    state, _ = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)
    state, commands = advance(state, InsertOutcomeUnknown("contradiction", TX, True))
    assert (state.phase, state.transaction_id, state.unsure) == (Phase.PENDING, TX, True)
    assert state.doubts == 1
    assert isinstance(commands[0], CheckCart)


def test_an_empty_cart_id_is_no_cart() -> None:
    state, _ = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)
    state, _ = advance(state, InsertAccepted("", 1000))
    assert state.phase is Phase.UNKNOWN_ABANDONED
