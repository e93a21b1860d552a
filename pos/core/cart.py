"""Netgíró's answers as plain values: what the client parses and the checkout state machine reads."""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.result_codes import ResultCode, known_code


@dataclass(frozen=True)
class PaymentInfo:
    """``PaymentInfo`` of a CheckCart / ConfirmCart / CancelCart answer."""

    transaction_id: str
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
        """Netgíró says this cart is paid: 10200 (or 10203, already confirmed)."""
        return self.result_code in (ResultCode.PAYMENT_CONFIRMED, ResultCode.ALREADY_CONFIRMED)
