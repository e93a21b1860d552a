"""Netgíró's result codes, and the one rule for a code the till has never seen: keep it, act on none."""

from __future__ import annotations

from enum import IntEnum


class ResultCode(IntEnum):
    """Every result code Netgíró's checkout API v1 documents."""

    OK = 200
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    PAYMENT_CONFIRMED = 10200
    PAYMENT_CANCELED = 10201
    ALREADY_CANCELED = 10202
    ALREADY_CONFIRMED = 10203
    CUSTOMER_BLACKLISTED = 10302
    CART_NOT_VALID = 10304
    UNDER_MINIMUM_AMOUNT = 10305
    CUSTOMER_DOES_NOT_EXIST = 10306
    CUSTOMER_NOT_VERIFIED = 10307
    CUSTOMER_INACTIVE = 10422
    CUSTOMER_DECLINED = 10423
    CART_NOT_FOUND = 10424
    PENDING_CUSTOMER_CONFIRMATION = 10425
    RESERVED_WAITING_FOR_PROVIDER_CONFIRM = 10426
    CONFIRMATION_TYPE_NOT_VALID = 10427
    ADDITIONAL_CONFIRMATION_NEEDED = 10428
    RESERVED_WAITING_FOR_PROVIDER_CALLBACK = 10429


DECLINE_CODES = frozenset(
    {
        ResultCode.CUSTOMER_BLACKLISTED,
        ResultCode.CART_NOT_VALID,
        ResultCode.UNDER_MINIMUM_AMOUNT,
        ResultCode.CUSTOMER_DOES_NOT_EXIST,
        ResultCode.CUSTOMER_NOT_VERIFIED,
        ResultCode.CUSTOMER_INACTIVE,
        ResultCode.CUSTOMER_DECLINED,
        ResultCode.CONFIRMATION_TYPE_NOT_VALID,
    }
)


def known_code(value: int) -> ResultCode | None:
    """The documented code for ``value``, or None for one Netgíró never documented."""
    try:
        return ResultCode(value)
    except ValueError:
        return None


class ConfirmationType(IntEnum):
    """How a cart becomes a payment once the customer approves it."""

    AUTOMATIC = 0
    SERVER_CALLBACK = 1
    MANUAL = 2


class CartStatus(IntEnum):
    """``PaymentInfo.StatusId``."""

    UNCONFIRMED = 1
    CONFIRMED = 2
    CANCELED = 5
