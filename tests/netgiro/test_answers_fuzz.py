"""Whatever Netgíró sends, the parsers read it or say ``AnswerMalformed``, and the client gives an
answer or a ``NetgiroError`` — nothing else escapes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.cart import CartAnswer, InsertAnswer
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.netgiro.answers import AnswerMalformed, parse_cart_answer, parse_insert_answer
from pos.netgiro.client import NetgiroClient
from pos.netgiro.errors import AnswerSaysNo, OutcomeUnknown, Refused
from pos.netgiro.requests import InsertCartRequest

REAL_KEYS = (
    "Success",
    "PaymentSuccessful",
    "ResultCode",
    "Message",
    "TransactionId",
    "ProcessCartCheckIntervalMiliseconds",
    "PaymentInfo",
    "InvoiceNumber",
    "ReferenceNumber",
    "StatusId",
    "Created",
    "TotalAmount",
    "LocationId",
    "RegisterId",
)


def in_random_case(key: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(key), max_size=len(key))
    return flips.map(
        lambda upper: "".join(
            ch.upper() if up else ch.lower() for ch, up in zip(key, upper, strict=True)
        )
    )


real_keys_any_case = st.sampled_from(REAL_KEYS).flatmap(in_random_case)
keys = st.one_of(real_keys_any_case, real_keys_any_case, st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=8)
    ),
    max_leaves=30,
)
answer_like = st.one_of(json_values, st.dictionaries(keys, json_values, max_size=10))

PARSERS = [parse_cart_answer, parse_insert_answer]


@pytest.mark.parametrize("parse", PARSERS, ids=lambda parse: parse.__name__)
@settings(max_examples=200, deadline=None)
@given(data=answer_like, reference_id=st.none() | st.text(max_size=8))
def test_any_json_value_parses_or_is_malformed(
    parse: Any, data: object, reference_id: str | None
) -> None:
    try:
        answer = parse(data, reference_id)
    except AnswerMalformed as exc:
        assert isinstance(exc, OutcomeUnknown)
        return
    assert isinstance(answer.success, bool)
    assert isinstance(answer.result_code, int)
    assert answer.reference_id == reference_id


def good_payment_info() -> dict[str, Any]:
    return {
        "TransactionId": "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a",
        "InvoiceNumber": 1042,
        "ReferenceNumber": "R1-7",
        "StatusId": 2,
        "Created": "2025-01-02T03:04:05+00:00",
        "TotalAmount": 2490,
        "LocationId": "L1",
        "RegisterId": "R1",
    }


def good_cart_answer() -> dict[str, Any]:
    return {
        "Success": True,
        "PaymentSuccessful": True,
        "ResultCode": 10200,
        "Message": "Payment confirmed",
        "PaymentInfo": good_payment_info(),
    }


def good_insert_answer() -> dict[str, Any]:
    return {
        "Success": True,
        "ResultCode": 200,
        "Message": "Cart inserted",
        "TransactionId": "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a",
        "ProcessCartCheckIntervalMiliseconds": 3000,
    }


@st.composite
def recased(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every key (nested ones too) in a random case."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        nested = draw(recased(value)) if isinstance(value, dict) else value
        out[draw(in_random_case(key))] = nested
    return out


@settings(max_examples=100, deadline=None)
@given(data=recased(good_cart_answer()))
def test_a_well_formed_cart_answer_parses_whatever_the_key_case(data: dict[str, Any]) -> None:
    answer = parse_cart_answer(data, "ref-9")
    assert (answer.success, answer.payment_successful) == (True, True)
    assert (answer.result_code, answer.message) == (10200, "Payment confirmed")
    assert answer.says_paid
    assert answer.reference_id == "ref-9"
    info = answer.payment_info
    assert info is not None
    assert info.transaction_id == "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a"
    assert (info.invoice_number, info.status_id, info.total_amount) == (1042, 2, 2490)
    assert (info.reference_number, info.location_id, info.register_id) == ("R1-7", "L1", "R1")
    assert info.created == "2025-01-02T03:04:05+00:00"


@settings(max_examples=100, deadline=None)
@given(data=recased(good_insert_answer()))
def test_a_well_formed_insert_answer_parses_whatever_the_key_case(data: dict[str, Any]) -> None:
    answer = parse_insert_answer(data, None)
    assert (answer.success, answer.result_code, answer.message) == (True, 200, "Cart inserted")
    assert answer.transaction_id == "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a"
    assert answer.poll_interval_ms == 3000


@pytest.mark.parametrize(
    ("parse", "good"),
    [(parse_cart_answer, good_cart_answer), (parse_insert_answer, good_insert_answer)],
    ids=["cart", "insert"],
)
@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(REAL_KEYS), value=json_values)
def test_one_field_replaced_by_anything_parses_or_is_malformed(
    parse: Any, good: Any, key: str, value: object
) -> None:
    data = good()
    data[key] = value
    if isinstance(data.get("PaymentInfo"), dict):
        data["PaymentInfo"][key] = value
    with contextlib.suppress(AnswerMalformed):
        parse(data, None)


@pytest.mark.parametrize("value", [True, 1.0, "10200", None])
def test_a_result_code_that_is_not_a_whole_number_is_malformed(value: object) -> None:
    data = good_cart_answer()
    data["ResultCode"] = value
    with pytest.raises(AnswerMalformed):
        parse_cart_answer(data, None)


def test_a_cart_answer_without_payment_successful_is_not_paid() -> None:
    data = good_cart_answer()
    del data["PaymentSuccessful"]
    data["PaymentInfo"] = None
    answer = parse_cart_answer(data, None)
    assert answer.payment_successful is False
    assert answer.payment_info is None


def test_one_key_in_two_cases_with_different_values_is_malformed() -> None:
    data = good_cart_answer()
    data["paymentSuccessful"] = False
    with pytest.raises(AnswerMalformed, match="twice"):
        parse_cart_answer(data, None)


def test_one_key_in_two_cases_with_the_same_value_is_read() -> None:
    data = good_cart_answer()
    data["resultcode"] = 10200
    assert parse_cart_answer(data, None).result_code == 10200


def test_true_and_one_are_not_the_same_value() -> None:
    data = good_cart_answer()
    data["SUCCESS"] = 1
    with pytest.raises(AnswerMalformed):
        parse_cart_answer(data, None)


@pytest.mark.parametrize("value", [0, "true", None])
def test_success_that_is_not_true_or_false_is_malformed(value: object) -> None:
    data = good_insert_answer()
    data["Success"] = value
    with pytest.raises(AnswerMalformed):
        parse_insert_answer(data, None)


# --- the whole boundary: any status and any body give an answer or a NetgiroError -------------

bodies = st.one_of(
    st.binary(max_size=200),
    answer_like.map(lambda value: json.dumps(value).encode()),
    st.integers(min_value=1, max_value=5000).map(lambda depth: b"[" * depth + b"]" * depth),
)
statuses = st.sampled_from([200, 201, 204, 302, 400, 401, 404, 409, 500, 502, 503])


def fuzzing_client(status: int, body: bytes) -> NetgiroClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    return NetgiroClient(
        "https://api.test.netgiro.is/v1/",
        FIRST_TEST_APPLICATION.app_key,
        FIRST_TEST_APPLICATION.secret_key,
        transport=httpx.MockTransport(answer),
    )


async def call(client: NetgiroClient, action: str) -> object:
    async with client:
        if action == "insert_cart":
            request = InsertCartRequest(1990, "R1-1", "8223281", ConfirmationType.MANUAL)
            return await client.insert_cart(request)
        return await getattr(client, action)("t-1")


@settings(max_examples=200, deadline=None)
@given(
    status=statuses,
    body=bodies,
    action=st.sampled_from(["insert_cart", "check_cart", "confirm_cart", "cancel_cart"]),
)
def test_any_status_and_body_give_an_answer_or_a_netgiro_error(
    status: int, body: bytes, action: str
) -> None:
    try:
        answer = asyncio.run(call(fuzzing_client(status, body), action))
    except Refused:
        assert status == 401
        return
    except AnswerSaysNo:
        assert action == "insert_cart"
        return
    except OutcomeUnknown as exc:
        assert exc.action == action
        return
    assert status not in (401, 500, 502, 503)
    assert isinstance(answer, InsertAnswer if action == "insert_cart" else CartAnswer)
