"""Whatever a callback body holds, the receiver reads valid cart ids out of it, or nothing, or
refuses it as invalid; nothing else is ever raised."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.services.callbacks import InvalidIdentifier, _identify

TX = "0f3c2a4e-8b1d-4c3e-9a7f-2b6d1e0c5a91"

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["Success", "ResultCode", "PaymentInfo", "TransactionId", "ReferenceNumber", "x"]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def identified_or_refused(body: bytes) -> None:
    try:
        transaction_id, reference = _identify(body)
    except InvalidIdentifier:
        return
    for value in (transaction_id, reference):
        assert value is None or (value.isascii() and value.isprintable() and " " not in value)


@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    identified_or_refused(body)


@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value: object) -> None:
    identified_or_refused(json.dumps(value).encode())


@given(st.text(max_size=80), st.text(max_size=80))
def test_any_identifier_text_is_valid_or_refused(transaction_id: str, reference: str) -> None:
    info = {"TransactionId": transaction_id, "ReferenceNumber": reference}
    identified_or_refused(json.dumps({"PaymentInfo": info}).encode())


@pytest.mark.parametrize(
    ("transaction_id", "reference"),
    [
        ("tx-1", "R1-ab-1-1"),  # not a GUID
        ("\ud800" + TX[1:], "R1-ab-1-1"),  # a lone surrogate
        (TX, "R1 ab"),  # a space
        (TX, "R1-\x1b[2J"),  # a control character
        (TX, "R" * 65),  # too long
        (TX, "Ré-1"),  # not ASCII
        (12345, "R1-ab-1-1"),  # not text
        (TX, ["R1"]),
        ("\uff10" * 8 + TX[8:], "R1"),  # fullwidth digits
    ],
)
def test_invalid_identifiers_are_refused(transaction_id: object, reference: object) -> None:
    info = {"TransactionId": transaction_id, "ReferenceNumber": reference}
    with pytest.raises(InvalidIdentifier):
        _identify(json.dumps({"PaymentInfo": info}).encode())


def test_a_body_nested_too_deep_names_no_cart() -> None:
    assert _identify(b"[" * 200_000 + b"]" * 200_000) == (None, None)


def test_a_well_formed_callback_names_its_cart() -> None:
    body = {
        "Success": True,
        "PaymentSuccessful": True,
        "ResultCode": 10200,
        "Message": "",
        "paymentinfo": {"transactionId": TX.upper(), "ReferenceNumber": "R1-ab-1-1"},
    }
    assert _identify(json.dumps(body).encode()) == (TX.upper(), "R1-ab-1-1")
