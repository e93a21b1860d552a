"""Netgíró's JSON answers parsed into the core's answer types, strictly, with one error type.

Keys are matched case-insensitively (Netgíró binds that way, and its samples mix cases); types
are not guessed: a ``ResultCode`` that is not an integer makes the whole answer unreadable,
which after a sent request is an unknown outcome, never a "no".

Values are checked here, at the boundary, so nothing odd reaches the machine or the journal:
numbers must fit their range (a ResultCode of 10³⁰ is an unreadable answer, not an
OverflowError at the journal write); identifiers (TransactionId, ReferenceNumber) are validated
and never rewritten — an invalid one makes the answer unreadable; free text (``Message`` and
the informative fields) goes through ``safe_text``: escaped, masked and capped.
"""

from __future__ import annotations

import re
from typing import Any

from pos.core.cart import CartAnswer, InsertAnswer, PaymentInfo
from pos.core.free_text import safe_text
from pos.netgiro.errors import OutcomeUnknown

CODE_RANGE = range(0, 2**31)
"""ResultCode, StatusId and the poll interval are small whole numbers."""
MONEY_RANGE = range(0, 2**53)
"""InvoiceNumber and TotalAmount: non-negative, exact in any JSON reader, fit SQLite."""
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_PRINTABLE_ID = re.compile(r"[\x21-\x7e]{1,64}")
MESSAGE_LIMIT = 200
INFO_LIMIT = 64


class AnswerContradicts(OutcomeUnknown):
    """InsertCart's answer says two things (``Success=false`` with code 200 or a cart id).

    Nothing can be concluded from it; ``transaction_id`` is the cart it named, if any, so that
    CheckCart can find out what really happened.
    """

    def __init__(self, detail: str, *, action: str, transaction_id: str | None) -> None:
        super().__init__(
            f"Netgíró's answer {detail}; it cannot be believed — checking with CheckCart "
            "before anything else.",
            action=action,
        )
        self.transaction_id = transaction_id


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


def _int(data: dict[str, Any], key: str, allowed: range = CODE_RANGE) -> int | None:
    value = data.get(key.lower())
    if value is None:
        return None
    return _whole(value, key, allowed)


def _signed_int(data: dict[str, Any], key: str) -> int | None:
    """A whole number that may be hostile (negative, huge): clamped later, only its size checked."""
    value = data.get(key.lower())
    if value is None:
        return None
    return _whole(value, key, range(-(2**31), 2**31))


def _required_int(data: dict[str, Any], key: str) -> int:
    return _whole(data.get(key.lower()), key, CODE_RANGE)


def _whole(value: object, key: str, allowed: range) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerMalformed(f"{key} is not a whole number")
    if value not in allowed:
        raise AnswerMalformed(f"{key} is out of range")
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
    if isinstance(value, int):
        _whole(value, key, MONEY_RANGE)  # str() of a 5 000-digit number raises
    return str(value)


def _free_text(data: dict[str, Any], key: str, limit: int) -> str | None:
    """Words for people: escaped, masked and capped (never an identifier)."""
    value = _text(data, key)
    return None if value is None else safe_text(value, limit)


def _transaction_id(data: dict[str, Any], *, empty_is_absent: bool = False) -> str | None:
    """A GUID, kept exactly as sent; anything else makes the answer unreadable."""
    value = _text(data, "TransactionId")
    if value is None or (value == "" and empty_is_absent):
        return None
    if not _GUID.fullmatch(value):
        raise AnswerMalformed("TransactionId is not a valid cart id")
    return value


def _reference(data: dict[str, Any]) -> str | None:
    """Printable ASCII, at most 64 characters; never rewritten."""
    value = _text(data, "ReferenceNumber")
    if value is None or value == "":
        return None
    if not _PRINTABLE_ID.fullmatch(value):
        raise AnswerMalformed("ReferenceNumber is not a valid reference")
    return value


def parse_payment_info(data: object) -> PaymentInfo | None:
    """``PaymentInfo``; ``null`` or absent (an unknown cart) is ``None``."""
    if data is None:
        return None
    info = _fold(data, "PaymentInfo")
    return PaymentInfo(
        transaction_id=_transaction_id(info),
        invoice_number=_int(info, "InvoiceNumber", MONEY_RANGE),
        reference_number=_reference(info),
        status_id=_int(info, "StatusId"),
        total_amount=_int(info, "TotalAmount", MONEY_RANGE),
        created=_free_text(info, "Created", INFO_LIMIT),
        location_id=_free_text(info, "LocationId", INFO_LIMIT),
        register_id=_free_text(info, "RegisterId", INFO_LIMIT),
    )


def parse_insert_answer(data: object, reference_id: str | None) -> InsertAnswer:
    """InsertCart's answer."""
    answer = _fold(data, "the answer")
    success = _bool(answer, "Success")
    return InsertAnswer(
        success=success,
        result_code=_required_int(answer, "ResultCode"),
        message=_free_text(answer, "Message", MESSAGE_LIMIT) or "",
        # An empty id on a refusal is no id; on a success it is an invalid one.
        transaction_id=_transaction_id(answer, empty_is_absent=not success),
        poll_interval_ms=_signed_int(answer, "ProcessCartCheckIntervalMiliseconds"),
        reference_id=reference_id,
    )


def parse_cart_answer(data: object, reference_id: str | None) -> CartAnswer:
    """A CheckCart / ConfirmCart / CancelCart answer, or a callback body."""
    answer = _fold(data, "the answer")
    return CartAnswer(
        success=_bool(answer, "Success"),
        payment_successful=_bool(answer, "PaymentSuccessful", default=False),
        result_code=_required_int(answer, "ResultCode"),
        message=_free_text(answer, "Message", MESSAGE_LIMIT) or "",
        payment_info=parse_payment_info(answer.get("paymentinfo")),
        reference_id=reference_id,
    )


def parse_token(data: object) -> str:
    """The test code generator's token in ``Message``: a code to key in, so never rewritten."""
    answer = _fold(data, "the answer")
    token = _text(answer, "Message") or ""
    if token and not _PRINTABLE_ID.fullmatch(token):
        raise AnswerMalformed("the code generator's Message is not a code")
    return token
