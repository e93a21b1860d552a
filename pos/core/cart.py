"""Netgíró's answers as plain values: what the client parses and the checkout state machine reads.

``doubt`` says whether an answer can be believed at all: an answer about another cart (a
mismatch) or one that says two things (a contradiction) settles nothing, whichever way it
points (payment-safety.md: "Believe an answer only when…").
"""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.result_codes import CartStatus, ResultCode, known_code

PAID_CODES = frozenset({ResultCode.PAYMENT_CONFIRMED, ResultCode.ALREADY_CONFIRMED})
NOT_PAID_STATUS_CODES = frozenset(
    {ResultCode.PAYMENT_CANCELED, ResultCode.ALREADY_CANCELED, ResultCode.CART_NOT_FOUND}
)


@dataclass(frozen=True)
class PaymentInfo:
    """``PaymentInfo`` of a CheckCart / ConfirmCart / CancelCart answer; None: not given."""

    transaction_id: str | None = None
    invoice_number: int | None = None
    reference_number: str | None = None
    status_id: int | None = None
    total_amount: int | None = None
    created: str | None = None
    location_id: str | None = None
    register_id: str | None = None


@dataclass(frozen=True)
class InsertAnswer:
    """InsertCart's answer: only a TransactionId and a poll interval; it says nothing of the customer."""

    success: bool
    result_code: int
    message: str
    transaction_id: str | None = None
    poll_interval_ms: int | None = None
    reference_id: str | None = None

    @property
    def code(self) -> ResultCode | None:
        return known_code(self.result_code)

    @property
    def contradiction(self) -> str | None:
        """InsertCart's ``Success=false`` with ResultCode 200 or with a TransactionId."""
        if self.success:
            return None
        if self.result_code == ResultCode.OK:
            return "says it failed with result code 200 (ok)"
        if self.transaction_id is not None:
            return "says it failed, yet names a cart"
        return None


@dataclass(frozen=True)
class CartAnswer:
    """The answer to CheckCart, ConfirmCart or CancelCart (and the shape of a callback body)."""

    success: bool
    payment_successful: bool
    result_code: int
    message: str
    payment_info: PaymentInfo | None = None
    reference_id: str | None = None

    @property
    def code(self) -> ResultCode | None:
        return known_code(self.result_code)

    @property
    def says_paid(self) -> bool:
        """The code says this cart is paid: 10200 (or 10203, already confirmed).

        Whether to believe it is ``doubt``'s question, asked first.
        """
        return self.result_code in PAID_CODES


@dataclass(frozen=True)
class Expected:
    """What an answer about this attempt's cart must agree with, where it says anything."""

    transaction_id: str | None
    amount: int | None = None
    reference: str | None = None


def doubt(answer: CartAnswer, expected: Expected, call: str) -> str | None:
    """Why ``answer`` cannot be believed (a mismatch or a contradiction), or None.

    ``call`` is "check", "confirm" or "cancel": CancelCart's ``Success=false, 10200`` ("too
    late, already paid") is a documented answer, not a contradiction. An absent field is not
    a mismatch.
    """
    return _mismatch(answer, expected) or _contradiction(answer, call)


def _mismatch(answer: CartAnswer, expected: Expected) -> str | None:
    info = answer.payment_info
    if info is None:
        return None
    if info.transaction_id is not None and not same_cart(info.transaction_id, expected):
        return "is about another cart (its TransactionId differs)"
    if (
        info.total_amount is not None
        and expected.amount is not None
        and info.total_amount != expected.amount
    ):
        return f"names another amount ({info.total_amount} kr., not {expected.amount} kr.)"
    if (
        info.reference_number is not None
        and expected.reference is not None
        and info.reference_number != expected.reference
    ):
        return "names another Reference"
    return _status_mismatch(answer, info)


def _status_mismatch(answer: CartAnswer, info: PaymentInfo) -> str | None:
    if info.status_id == CartStatus.CANCELED and answer.says_paid:
        return "says paid, yet its status is cancelled (StatusId 5)"
    if info.status_id == CartStatus.CONFIRMED and answer.result_code in NOT_PAID_STATUS_CODES:
        return "says cancelled, yet its status is confirmed (StatusId 2)"
    return None


def _contradiction(answer: CartAnswer, call: str) -> str | None:
    if answer.payment_successful and not answer.says_paid:
        return f"says the payment succeeded with result code {answer.result_code}"
    if (
        not answer.payment_successful
        and answer.result_code == ResultCode.PAYMENT_CONFIRMED
        and call in ("check", "confirm")
    ):
        return "says 10200 (paid) with PaymentSuccessful=false"
    return None


def same_cart(transaction_id: str, expected: Expected) -> bool:
    """TransactionIds are GUIDs: compared in any case."""
    if expected.transaction_id is None:
        return True  # nothing to compare with yet
    return transaction_id.lower() == expected.transaction_id.lower()
