"""InsertCart's body as Netgíró binds it: PascalCase keys, the confirmation type always, no nulls."""

from __future__ import annotations

import json

import pytest

from pos.core.result_codes import ConfirmationType
from pos.netgiro.requests import CartItem, InsertCartRequest

KLEINA = CartItem("K1", "Kleina", 490, 980, 2000, description="með sykri")


def test_the_smallest_request_sends_the_four_required_keys_and_no_nulls() -> None:
    body = InsertCartRequest(1990, "R1-1", "8223281", ConfirmationType.AUTOMATIC).to_json()
    assert body == {
        "Amount": 1990,
        "Reference": "R1-1",
        "CustomerId": "8223281",
        "ConfirmationType": 0,
    }


@pytest.mark.parametrize("kind", list(ConfirmationType))
def test_the_confirmation_type_is_always_sent_as_its_number(kind: ConfirmationType) -> None:
    body = InsertCartRequest(1990, "R1-1", "8223281", kind).to_json()
    assert body["ConfirmationType"] == int(kind)
    assert type(body["ConfirmationType"]) is int


def test_every_field_gets_its_pascal_case_key() -> None:
    request = InsertCartRequest(
        2450,
        "R1-9",
        "1111111119",
        ConfirmationType.SERVER_CALLBACK,
        callback_url="https://till.example/cb/ok",
        callback_cancel_url="https://till.example/cb/cancel",
        description="Kaffi og kleina",
        items=(KLEINA, CartItem("C1", "Kaffi", 470, 470, 1000)),
        location_id="L1",
        register_id="R1",
        client_info="pos-till 0.1",
    )
    body = request.to_json()
    assert body == {
        "Amount": 2450,
        "Reference": "R1-9",
        "CustomerId": "1111111119",
        "ConfirmationType": 1,
        "CallbackUrl": "https://till.example/cb/ok",
        "CallbackCancelUrl": "https://till.example/cb/cancel",
        "Description": "Kaffi og kleina",
        "LocationId": "L1",
        "RegisterId": "R1",
        "ClientInfo": "pos-till 0.1",
        "CartItemRequests": [
            {
                "ProductNo": "K1",
                "Name": "Kleina",
                "Description": "með sykri",
                "UnitPrice": 490,
                "Amount": 980,
                "Quantity": 2000,
            },
            {
                "ProductNo": "C1",
                "Name": "Kaffi",
                "Description": "",
                "UnitPrice": 470,
                "Amount": 470,
                "Quantity": 1000,
            },
        ],
    }
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body


@pytest.mark.parametrize(
    ("customer", "hidden", "shown"),
    [
        ("1111111119", "1111111119", "******-1119"),
        ("8223281", "8223281", "***-**81"),
        ("500004-4321", "4321", "app-code …21"),
    ],
)
def test_the_repr_masks_the_customer(customer: str, hidden: str, shown: str) -> None:
    request = InsertCartRequest(1990, "R1-1", customer, ConfirmationType.MANUAL)
    assert hidden not in repr(request)
    assert shown in repr(request)
    assert hidden not in str(request)


def test_requests_are_frozen() -> None:
    request = InsertCartRequest(1990, "R1-1", "8223281", ConfirmationType.MANUAL)
    with pytest.raises(AttributeError):
        request.amount = 1  # type: ignore[misc]
