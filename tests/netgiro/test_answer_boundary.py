"""Issue 14 items 2 and 6 at the parser: numbers in range, identifiers valid and never rewritten,
free text escaped and masked, InsertCart's contradictions named."""

from __future__ import annotations

from typing import Any

import pytest

from pos.netgiro.answers import AnswerMalformed, parse_cart_answer, parse_insert_answer

TX = "7C3D0A4E-1F5B-4D8E-9A6B-2F1E0C9D8B7A"


def cart(**fields: Any) -> dict[str, Any]:
    info = {"TransactionId": TX, "InvoiceNumber": 5, "TotalAmount": 1990, "StatusId": 2}
    info.update(fields.pop("info", {}))
    body = {"Success": True, "PaymentSuccessful": True, "ResultCode": 10200, "Message": "ok"}
    body.update(fields)
    body["PaymentInfo"] = info
    return body


@pytest.mark.parametrize(
    "body",
    [
        cart(ResultCode=10**30),
        cart(ResultCode=-1),
        cart(info={"InvoiceNumber": 10**30}),
        cart(info={"TotalAmount": -5}),
        cart(info={"StatusId": 2**40}),
        cart(info={"TransactionId": ""}),
        cart(info={"TransactionId": "not-a-guid"}),
        cart(info={"TransactionId": TX + " "}),
        cart(info={"TransactionId": "\ud800" + TX[1:]}),
        cart(info={"ReferenceNumber": "R1\n-1"}),
        cart(info={"ReferenceNumber": "x" * 65}),
        cart(info={"Created": 10**5000}),
    ],
)
def test_an_out_of_range_number_or_an_invalid_identifier_is_an_unreadable_answer(
    body: dict[str, Any],
) -> None:
    with pytest.raises(AnswerMalformed):
        parse_cart_answer(body, None)


def test_identifiers_are_kept_exactly_as_sent() -> None:
    answer = parse_cart_answer(cart(info={"ReferenceNumber": "S1-R1-0a1b2c3d-1-1"}), None)
    assert answer.payment_info is not None
    assert answer.payment_info.transaction_id == TX
    assert answer.payment_info.reference_number == "S1-R1-0a1b2c3d-1-1"


def test_the_message_is_escaped_masked_and_capped() -> None:
    answer = parse_cart_answer(
        cart(Message="Viðskiptavinur 111111-1119 \ud800\x1b[31m" + "x" * 500), None
    )
    answer.message.encode("utf-8")
    assert "111111" not in answer.message and "\x1b" not in answer.message
    assert len(answer.message) <= 200


def test_insert_cart_contradictions_are_named() -> None:
    said_ok = parse_insert_answer({"Success": False, "ResultCode": 200, "Message": ""}, None)
    named = parse_insert_answer(
        {"Success": False, "ResultCode": 10423, "Message": "", "TransactionId": TX}, None
    )
    plain_no = parse_insert_answer(
        {"Success": False, "ResultCode": 10423, "Message": "", "TransactionId": ""}, None
    )
    assert said_ok.contradiction is not None
    assert named.contradiction is not None and named.transaction_id == TX
    assert plain_no.contradiction is None and plain_no.transaction_id is None


def test_an_empty_cart_id_on_a_success_is_unreadable() -> None:
    with pytest.raises(AnswerMalformed):
        parse_insert_answer({"Success": True, "ResultCode": 200, "TransactionId": ""}, None)


@pytest.mark.parametrize("interval", [0, 1, -5, 10**9])
def test_a_hostile_poll_interval_is_read_and_left_to_the_clamp(interval: int) -> None:
    answer = parse_insert_answer(
        {
            "Success": True,
            "ResultCode": 200,
            "TransactionId": TX,
            "ProcessCartCheckIntervalMiliseconds": interval,
        },
        None,
    )
    assert answer.poll_interval_ms == interval
