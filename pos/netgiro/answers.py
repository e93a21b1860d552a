"""Netgíró's JSON answers parsed into the core's answer types, strictly, with one error type.

Keys are matched case-insensitively (Netgíró binds that way, and its samples mix cases); types
are not guessed: a ``ResultCode`` that is not an integer makes the whole answer unreadable,
which after a sent request is an unknown outcome, never a "no".
"""

from __future__ import annotations

from typing import Any

from pos.core.cart import CartAnswer, InsertAnswer, PaymentInfo
from pos.netgiro.errors import OutcomeUnknown


class AnswerMalformed(OutcomeUnknown):
    """Netgíró's answer could not be read; the request may still have been processed."""

    def __init__(self, detail: str, *, action: str = "") -> None:
        super().__init__(
            f"Netgíró's answer could not be read ({detail}); the cart may exist — "
            "checking with CheckCart before anything else.",
            action=action,
        )
        self.detail = detail


def _fold(data: object, what: str) -> dict[str, Any]:
    """Keys lowercased; one key spelt twice with different values makes the answer unreadable."""
    if not isinstance(data, dict):
        raise AnswerMalformed(f"{what} is not a JSON object")
    folded: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).lower()
        if name in folded and not _same(folded[name], value):
            raise AnswerMalformed(f"{what} gives {name[:40]!r} twice, differently")
        folded[name] = value
    return folded


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key.lower())
    if value is None:
        return None
    return _whole(value, key)


def _required_int(data: dict[str, Any], key: str) -> int:
    return _whole(data.get(key.lower()), key)


def _whole(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerMalformed(f"{key} is not a whole number")
    return value


def _bool(data: dict[str, Any], key: str, *, default: bool | None = None) -> bool:
    value = data.get(key.lower(), default)
    if not isinstance(value, bool):
        raise AnswerMalformed(f"{key} is not true or false")
    return value


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key.lower())
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AnswerMalformed(f"{key} is not text")
    return str(value)


def parse_payment_info(data: object) -> PaymentInfo | None:
    """``PaymentInfo``; ``null`` or absent (an unknown cart) is ``None``."""
    if data is None:
        return None
    info = _fold(data, "PaymentInfo")
    return PaymentInfo(
        transaction_id=_text(info, "TransactionId") or "",
        invoice_number=_int(info, "InvoiceNumber"),
        reference_number=_text(info, "ReferenceNumber"),
        status_id=_int(info, "StatusId"),
        total_amount=_int(info, "TotalAmount"),
        created=_text(info, "Created"),
        location_id=_text(info, "LocationId"),
        register_id=_text(info, "RegisterId"),
    )


def parse_insert_answer(data: object, reference_id: str | None) -> InsertAnswer:
    """InsertCart's answer."""
    answer = _fold(data, "the answer")
    return InsertAnswer(
        success=_bool(answer, "Success"),
        result_code=_required_int(answer, "ResultCode"),
        message=_text(answer, "Message") or "",
        transaction_id=_text(answer, "TransactionId"),
        poll_interval_ms=_int(answer, "ProcessCartCheckIntervalMiliseconds"),
        reference_id=reference_id,
    )


def parse_cart_answer(data: object, reference_id: str | None) -> CartAnswer:
    """A CheckCart / ConfirmCart / CancelCart answer, or a callback body."""
    answer = _fold(data, "the answer")
    return CartAnswer(
        success=_bool(answer, "Success"),
        payment_successful=_bool(answer, "PaymentSuccessful", default=False),
        result_code=_required_int(answer, "ResultCode"),
        message=_text(answer, "Message") or "",
        payment_info=parse_payment_info(answer.get("paymentinfo")),
        reference_id=reference_id,
    )
