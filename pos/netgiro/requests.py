"""Typed InsertCart requests, serialized to the PascalCase JSON Netgíró binds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pos.core.masking import mask_customer_id
from pos.core.result_codes import ConfirmationType


@dataclass(frozen=True)
class CartItem:
    """One cart line: prices in krónur, quantity in thousandths (2 items = 2000)."""

    product_no: str
    name: str
    unit_price: int
    amount: int
    quantity: int
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ProductNo": self.product_no,
            "Name": self.name,
            "Description": self.description,
            "UnitPrice": self.unit_price,
            "Amount": self.amount,
            "Quantity": self.quantity,
        }


@dataclass(frozen=True)
class InsertCartRequest:
    """InsertCart's body; ``ConfirmationType`` is always sent (the server default is undocumented)."""

    amount: int
    reference: str
    customer_id: str = field(repr=False)
    confirmation_type: ConfirmationType
    callback_url: str | None = None
    callback_cancel_url: str | None = None
    description: str = ""
    items: tuple[CartItem, ...] = ()
    location_id: str | None = None
    register_id: str | None = None
    client_info: str | None = None

    def __repr__(self) -> str:
        return (
            f"InsertCartRequest(amount={self.amount}, reference={self.reference!r}, "
            f"customer={mask_customer_id(self.customer_id)!r}, "
            f"confirmation_type={self.confirmation_type.name})"
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Amount": self.amount,
            "Reference": self.reference,
            "CustomerId": self.customer_id,
            "ConfirmationType": int(self.confirmation_type),
        }
        optional = {
            "CallbackUrl": self.callback_url,
            "CallbackCancelUrl": self.callback_cancel_url,
            "Description": self.description or None,
            "LocationId": self.location_id,
            "RegisterId": self.register_id,
            "ClientInfo": self.client_info,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if self.items:
            body["CartItemRequests"] = [item.to_json() for item in self.items]
        return body
