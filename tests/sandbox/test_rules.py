"""The sandbox's cart rules, pure: no HTTP, no SQLite, time given as numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pos.core.result_codes import ConfirmationType
from pos.netgiro.sandbox import rules
from pos.netgiro.sandbox.rules import Cart, Lifetimes

T0 = 1_000_000.0
LIFE = Lifetimes(cart_ttl_s=180, reservation_ttl_s=600)


def cart(
    kind: str = "gsm", confirmation: int = 0, status: str = rules.PENDING, **extra: object
) -> Cart:
    base = Cart("tx", "R1-1", 1990, "8223281", kind, confirmation, status, T0, "key")
    return replace(base, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("confirmation", "status", "code"),
    [
        (ConfirmationType.AUTOMATIC, rules.PAID, 10200),
        (ConfirmationType.SERVER_CALLBACK, rules.AWAITING_CALLBACK, 10429),
        (ConfirmationType.MANUAL, rules.RESERVED, 10426),
    ],
)
def test_accepting_a_push_depends_on_the_confirmation_type(
    confirmation: int, status: str, code: int
) -> None:
    outcome = rules.accept(cart(confirmation=confirmation), T0 + 5)
    assert outcome.cart.status == status
    assert outcome.answer["ResultCode"] == code


def test_a_pending_cart_checks_10425_and_a_code_cart_10428() -> None:
    assert rules.check(cart()).answer["ResultCode"] == 10425
    assert rules.check(cart("ssn", status=rules.NEEDS_CODE)).answer["ResultCode"] == 10428


def test_a_wrong_code_does_not_pay_and_does_not_kill_the_cart() -> None:
    outcome = rules.confirm(cart("ssn", status=rules.NEEDS_CODE), T0, code_is_right=False)
    assert (outcome.answer["Success"], outcome.answer["PaymentSuccessful"]) == (True, False)
    assert outcome.answer["ResultCode"] == 400
    assert outcome.cart.status == rules.NEEDS_CODE


def test_the_right_code_in_manual_reserves_and_a_second_confirm_pays() -> None:
    first = rules.confirm(cart("ssn", 2, rules.NEEDS_CODE), T0, code_is_right=True)
    assert (first.cart.status, first.answer["ResultCode"]) == (rules.RESERVED, 10426)
    assert first.answer["PaymentSuccessful"] is False
    second = rules.confirm(first.cart, T0, code_is_right=False)
    assert (second.cart.status, second.answer["ResultCode"]) == (rules.PAID, 10200)


def test_confirming_a_paid_cart_answers_paid_again() -> None:
    assert (
        rules.confirm(cart(status=rules.PAID), T0, code_is_right=False).answer["ResultCode"]
        == 10200
    )


@pytest.mark.parametrize(
    "status", [rules.PENDING, rules.NEEDS_CODE, rules.RESERVED, rules.AWAITING_CALLBACK]
)
def test_cancelling_an_unpaid_cart_succeeds(status: str) -> None:
    outcome = rules.cancel(cart(status=status), refuse_reserved=False)
    assert (outcome.answer["Success"], outcome.answer["ResultCode"]) == (True, 10201)
    assert outcome.answer["PaymentInfo"]["StatusId"] == 5


def test_cancelling_a_paid_cart_is_too_late() -> None:
    outcome = rules.cancel(cart(status=rules.PAID), refuse_reserved=False)
    assert (outcome.answer["Success"], outcome.answer["ResultCode"]) == (False, 10200)
    assert outcome.cart.status == rules.PAID


def test_the_strict_switch_refuses_to_cancel_a_reservation() -> None:
    outcome = rules.cancel(cart(status=rules.RESERVED), refuse_reserved=True)
    assert (outcome.answer["Success"], outcome.answer["ResultCode"]) == (False, 10426)
    assert outcome.cart.status == rules.RESERVED


def test_cancelling_twice_says_already_cancelled() -> None:
    outcome = rules.cancel(cart(status=rules.CANCELLED), refuse_reserved=False)
    assert outcome.answer["ResultCode"] == 10202


def test_an_unanswered_cart_expires_from_its_stored_time() -> None:
    assert rules.effective(cart(), T0 + 179, LIFE).status == rules.PENDING
    assert rules.effective(cart(), T0 + 181, LIFE).status == rules.CANCELLED


def test_a_reservation_lapses_after_its_own_lifetime() -> None:
    reserved = cart(status=rules.RESERVED, approved_at=T0 + 10)
    assert rules.effective(reserved, T0 + 500, LIFE).status == rules.RESERVED
    assert rules.effective(reserved, T0 + 611, LIFE).status == rules.CANCELLED


def test_auto_accept_accepts_a_phone_cart_at_its_time_only() -> None:
    life = replace(LIFE, auto_accept_after_s=2.0)
    assert rules.effective(cart(), T0 + 1, life).status == rules.PENDING
    accepted = rules.effective(cart(confirmation=2), T0 + 3, life)
    assert (accepted.status, accepted.approved_at) == (rules.RESERVED, T0 + 2)
    assert (
        rules.effective(cart("ssn", status=rules.NEEDS_CODE), T0 + 3, life).status
        == rules.NEEDS_CODE
    )


def test_a_callback_goes_out_when_the_customer_confirms_and_to_the_cancel_url_on_reject() -> None:
    with_urls = cart(
        confirmation=1, callback_url="http://127.0.0.1/cb", callback_cancel_url="http://127.0.0.1/x"
    )
    assert rules.accept(with_urls, T0).callback == "confirmed"
    assert rules.reject(with_urls).callback == "cancelled"
    assert rules.accept(cart(), T0).callback is None


def test_type_1_pays_on_the_callback_s_200_and_cancels_after_the_retry_fails() -> None:
    waiting = cart(confirmation=1, status=rules.AWAITING_CALLBACK)
    assert rules.callback_answered(waiting, acknowledged=True, retries_left=1).status == rules.PAID
    assert (
        rules.callback_answered(waiting, acknowledged=False, retries_left=1).status
        == rules.AWAITING_CALLBACK
    )
    assert (
        rules.callback_answered(waiting, acknowledged=False, retries_left=0).status
        == rules.CANCELLED
    )


def test_answers_carry_the_reference_and_amount() -> None:
    info = rules.check(cart()).answer["PaymentInfo"]
    assert (info["ReferenceNumber"], info["TotalAmount"], info["StatusId"]) == ("R1-1", 1990, 1)
