"""A found reservation's manager events, as a table: each answer and what it makes of the state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pos.core.cart import CartAnswer, PaymentInfo
from pos.core.checkout import CustomerKind, Phase, start
from pos.core.errors import InputError
from pos.core.reservations import after_call_failed, after_check, after_confirm, after_release
from pos.core.result_codes import ConfirmationType

TX = "3f1c2a4e-0000-4000-8000-000000000001"
OTHER = "3f1c2a4e-0000-4000-8000-000000000002"
RESERVED = replace(
    start(CustomerKind.GSM, ConfirmationType.MANUAL)[0],
    phase=Phase.RESERVED_UNCHARGED,
    live=False,
    transaction_id=TX,
    amount=1990,
    reference="S1-R1-0a0b0c0d-1-1",
)


def answer(
    code: int, *, success: bool = True, paid: bool = False, tx: str = TX, amount: int = 1990
) -> CartAnswer:
    payment = PaymentInfo(transaction_id=tx, invoice_number=100001, total_amount=amount)
    return CartAnswer(success, paid, code, "", payment)


@pytest.mark.parametrize(
    ("given", "outcome", "phase"),
    [
        (answer(10200, paid=True), "paid", Phase.PAID),
        (answer(10203, paid=True), "paid", Phase.PAID),
        (answer(10201), "released", Phase.CANCELLED),
        (answer(10202), "released", Phase.CANCELLED),
        (answer(10424), "released", Phase.CANCELLED),
        (answer(10426), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(400), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10200, paid=True, tx=OTHER), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10200, paid=True, amount=1), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10200, paid=False), "unchanged", Phase.RESERVED_UNCHARGED),  # contradiction
        (answer(10426, paid=True), "unchanged", Phase.RESERVED_UNCHARGED),  # contradiction
    ],
)
def test_confirm(given: CartAnswer, outcome: str, phase: Phase) -> None:
    decided = after_confirm(RESERVED, given, "manager:Anna")
    assert (decided.outcome, decided.state.phase) == (outcome, phase)
    assert not decided.state.live
    if phase is Phase.PAID:
        assert decided.state.invoice_number == 100001
        assert "manager:Anna" in decided.note


@pytest.mark.parametrize(
    ("given", "outcome", "phase"),
    [
        (answer(10201), "released", Phase.CANCELLED),
        (answer(10202), "released", Phase.CANCELLED),
        (answer(10201, success=False), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10426, success=False), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10200, success=False), "check", Phase.RESERVED_UNCHARGED),  # too late: paid?
        (answer(10201, tx=OTHER), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(500), "unchanged", Phase.RESERVED_UNCHARGED),
    ],
)
def test_release(given: CartAnswer, outcome: str, phase: Phase) -> None:
    decided = after_release(RESERVED, given, "manager:Anna")
    assert (decided.outcome, decided.state.phase) == (outcome, phase)


@pytest.mark.parametrize(
    ("given", "outcome", "phase"),
    [
        (answer(10200, paid=True), "paid", Phase.PAID),
        (answer(10201), "released", Phase.CANCELLED),
        (answer(10426), "unchanged", Phase.RESERVED_UNCHARGED),
        (answer(10200, paid=False), "unchanged", Phase.RESERVED_UNCHARGED),
    ],
)
def test_check_after_a_release_that_was_too_late(
    given: CartAnswer, outcome: str, phase: Phase
) -> None:
    decided = after_check(RESERVED, given, "manager:Anna")
    assert (decided.outcome, decided.state.phase) == (outcome, phase)


def test_a_lost_answer_changes_nothing_and_only_reservations_are_decided() -> None:
    assert after_call_failed(RESERVED, "Lost.").state == RESERVED
    for phase in (Phase.NEEDS_REVIEW, Phase.PAID, Phase.UNKNOWN_ABANDONED):
        with pytest.raises(InputError, match="RESERVED_UNCHARGED"):
            after_confirm(replace(RESERVED, phase=phase), answer(10200, paid=True), "m")
    with pytest.raises(InputError):
        after_release(replace(RESERVED, transaction_id=None), answer(10201), "m")
