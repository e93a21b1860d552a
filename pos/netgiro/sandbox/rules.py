"""The sandbox's cart rules, pure: a cart, an action and the time in; the new cart and answer out.

They keep Netgíró's documented rules and, where its docs are silent, the choices written in
``netgiro-protocol.md``. Expiry is computed from stored times, so any process that reads the
same state file sees the same carts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pos.core.result_codes import CartStatus, ConfirmationType, ResultCode

PENDING = "pending"  # waiting for the customer's phone (10425)
NEEDS_CODE = "needs_code"  # SMS code sent; waiting for ConfirmCart with it (10428)
RESERVED = "reserved"  # manual: approved, waiting for the provider's ConfirmCart (10426)
AWAITING_CALLBACK = "awaiting_callback"  # server callback: waiting for the callback's 200 (10429)
PAID = "paid"
CANCELLED = "cancelled"

CODE_OF_STATUS = {
    PENDING: ResultCode.PENDING_CUSTOMER_CONFIRMATION,
    NEEDS_CODE: ResultCode.ADDITIONAL_CONFIRMATION_NEEDED,
    RESERVED: ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM,
    AWAITING_CALLBACK: ResultCode.RESERVED_WAITING_FOR_PROVIDER_CALLBACK,
    PAID: ResultCode.PAYMENT_CONFIRMED,
    CANCELLED: ResultCode.PAYMENT_CANCELED,
}


@dataclass(frozen=True)
class Lifetimes:
    """Seconds; each configurable down to milliseconds so tests run fast."""

    cart_ttl_s: float = 180.0
    reservation_ttl_s: float = 7 * 24 * 3600.0
    auto_accept_after_s: float | None = None


@dataclass(frozen=True)
class Cart:
    """One cart as the sandbox stores it."""

    transaction_id: str
    reference: str
    amount: int
    customer: str
    kind: str  # "gsm" | "ssn" | "app_code"
    confirmation: int
    status: str
    created_at: float
    app_key: str
    approved_at: float | None = None
    sms_code: str | None = None
    invoice_number: int | None = None
    callback_url: str | None = None
    callback_cancel_url: str | None = None
    location_id: str | None = None
    register_id: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Outcome:
    """A rule's result: the cart after it, the answer to give, and any callback to send."""

    cart: Cart
    answer: dict[str, Any]
    callback: str | None = None  # "confirmed" | "cancelled"


def effective(cart: Cart, now: float, life: Lifetimes) -> Cart:
    """The cart as it stands at ``now``: auto-accepted, expired or lapsed by stored times."""
    if cart.status == PENDING and cart.kind == "gsm" and life.auto_accept_after_s is not None:
        accepted_at = cart.created_at + life.auto_accept_after_s
        if accepted_at <= now and accepted_at <= cart.created_at + life.cart_ttl_s:
            cart = approved(cart, accepted_at)
    if cart.status in (PENDING, NEEDS_CODE) and now > cart.created_at + life.cart_ttl_s:
        return replace(cart, status=CANCELLED)
    lapses_at = None if cart.approved_at is None else cart.approved_at + life.reservation_ttl_s
    if cart.status == RESERVED and lapses_at is not None and now > lapses_at:
        return replace(cart, status=CANCELLED)
    return cart


def approved(cart: Cart, now: float) -> Cart:
    """The customer approved: what that means depends on the confirmation type."""
    if cart.confirmation == ConfirmationType.MANUAL:
        return replace(cart, status=RESERVED, approved_at=now)
    if cart.confirmation == ConfirmationType.SERVER_CALLBACK:
        return replace(cart, status=AWAITING_CALLBACK, approved_at=now)
    return replace(cart, status=PAID, approved_at=now)


def needs_callback(before: Cart, after: Cart) -> str | None:
    """A callback goes out when the customer confirms (and to the cancel URL on a reject)."""
    if before.status in (PENDING, NEEDS_CODE) and after.status in (
        RESERVED,
        AWAITING_CALLBACK,
        PAID,
    ):
        return "confirmed" if after.callback_url else None
    if after.status == CANCELLED and before.status != CANCELLED and after.callback_cancel_url:
        return "cancelled"
    return None


def cart_answer(
    cart: Cart, code: int, *, success: bool = True, message: str = ""
) -> dict[str, Any]:
    """A CheckCart-shaped answer (also the body of a callback)."""
    status_id = {PAID: CartStatus.CONFIRMED, CANCELLED: CartStatus.CANCELED}.get(
        cart.status, CartStatus.UNCONFIRMED
    )
    return {
        "Success": success,
        "PaymentSuccessful": code == ResultCode.PAYMENT_CONFIRMED and cart.status == PAID,
        "ResultCode": int(code),
        "Message": message or _message(code),
        "PaymentInfo": {
            "TransactionId": cart.transaction_id,
            "InvoiceNumber": cart.invoice_number,
            "ReferenceNumber": cart.reference,
            "StatusId": int(status_id),
            "Created": _iso(cart.created_at),
            "TotalAmount": cart.amount,
            "LocationId": cart.location_id,
            "RegisterId": cart.register_id,
        },
    }


def check(cart: Cart) -> Outcome:
    return Outcome(cart, cart_answer(cart, CODE_OF_STATUS[cart.status]))


def accept(cart: Cart, now: float) -> Outcome:
    """The simulated customer presses Accept on a push request."""
    if cart.status != PENDING:
        return Outcome(cart, cart_answer(cart, CODE_OF_STATUS[cart.status], success=False))
    after = approved(cart, now)
    return Outcome(
        after, cart_answer(after, CODE_OF_STATUS[after.status]), needs_callback(cart, after)
    )


def reject(cart: Cart) -> Outcome:
    """The simulated customer rejects the request (or the SMS)."""
    if cart.status not in (PENDING, NEEDS_CODE):
        return Outcome(cart, cart_answer(cart, CODE_OF_STATUS[cart.status], success=False))
    after = replace(cart, status=CANCELLED)
    return Outcome(
        after, cart_answer(after, ResultCode.PAYMENT_CANCELED), needs_callback(cart, after)
    )


def confirm(cart: Cart, now: float, *, code_is_right: bool) -> Outcome:
    """ConfirmCart: an SMS code for a code cart; the provider's confirmation for a reservation."""
    if cart.status == NEEDS_CODE:
        if not code_is_right:
            answer = cart_answer(
                cart, ResultCode.BAD_REQUEST, message="The payment code is not right."
            )
            return Outcome(cart, answer)
        after = approved(cart, now)
        return Outcome(
            after, cart_answer(after, CODE_OF_STATUS[after.status]), needs_callback(cart, after)
        )
    if cart.status == RESERVED:
        after = replace(cart, status=PAID)
        return Outcome(after, cart_answer(after, ResultCode.PAYMENT_CONFIRMED))
    return check(cart)


def cancel(cart: Cart, *, refuse_reserved: bool) -> Outcome:
    """CancelCart: too late once paid; a reservation is not a payment (unless the switch says)."""
    if cart.status == PAID:
        return Outcome(cart, cart_answer(cart, ResultCode.PAYMENT_CONFIRMED, success=False))
    if cart.status == CANCELLED:
        return Outcome(cart, cart_answer(cart, ResultCode.ALREADY_CANCELED))
    if cart.status == RESERVED and refuse_reserved:
        message = "The customer already confirmed this cart; it can't be canceled."
        return Outcome(
            cart, cart_answer(cart, CODE_OF_STATUS[RESERVED], success=False, message=message)
        )
    after = replace(cart, status=CANCELLED)
    return Outcome(after, cart_answer(after, ResultCode.PAYMENT_CANCELED))


def callback_answered(cart: Cart, *, acknowledged: bool, retries_left: int) -> Cart:
    """Type 1 waits for the callback's 200; one retry, then the cart is cancelled."""
    if cart.status != AWAITING_CALLBACK:
        return cart
    if acknowledged:
        return replace(cart, status=PAID)
    return cart if retries_left > 0 else replace(cart, status=CANCELLED)


def _message(code: int) -> str:
    try:
        return ResultCode(code).name.replace("_", " ").capitalize()
    except ValueError:  # pragma: no cover - every code given here is documented
        return str(code)


def _iso(timestamp: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
