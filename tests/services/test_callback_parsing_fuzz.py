"""Whatever a callback body holds, the receiver reads a cart id out of it or nothing; it never raises."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from pos.services.callbacks import _identify

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


@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    transaction_id, reference = _identify(body)
    assert transaction_id is None or isinstance(transaction_id, str)
    assert reference is None or isinstance(reference, str)


@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value: object) -> None:
    _identify(json.dumps(value).encode())


def test_a_well_formed_callback_names_its_cart() -> None:
    body = {
        "Success": True,
        "PaymentSuccessful": True,
        "ResultCode": 10200,
        "Message": "",
        "PaymentInfo": {
            "TransactionId": "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a",
            "ReferenceNumber": "R1-ab-1-1",
        },
    }
    assert _identify(json.dumps(body).encode()) == (
        "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a",
        "R1-ab-1-1",
    )
