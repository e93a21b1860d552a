"""The Partner API boundary fuzzed: any status and any body give success only on HTTP 200, and
otherwise exactly one of the kinds that say what is safe (never a stray exception).
(MockTransport stands in for the network here: the loopback tests are in tests/services.)"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.netgiro.errors import AnswerSaysNo, NotSent, OutcomeUnknown, Refused
from pos.netgiro.partner import PartnerClient, RefundRequest, TransactionInfo

TX = "3f1c2a4e-0000-4000-8000-000000000001"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
transaction_like = st.fixed_dictionaries(
    {},
    optional={
        "status": json_values,
        "isRefundable": json_values,
        "settlementDate": json_values,
        "Status": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    transaction_like.map(lambda value: json.dumps(value).encode()),
    st.integers(min_value=1, max_value=5000).map(lambda depth: b"[" * depth + b"]" * depth),
)
statuses = st.sampled_from([200, 201, 204, 302, 400, 401, 404, 409, 422, 500, 502, 503])


def client(status: int, body: bytes) -> PartnerClient:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["token"] == FIRST_TEST_APPLICATION.secret_key
        return httpx.Response(status, content=body)

    return PartnerClient(
        "https://partner-api.test.netgiro.is/",
        FIRST_TEST_APPLICATION.secret_key,
        transport=httpx.MockTransport(answer),
    )


async def call(partner: PartnerClient, action: str) -> object:
    async with partner:
        if action == "refund":
            return await partner.refund(RefundRequest(TX, 990, "k-1", "Returned"))
        return await partner.transaction(TX)


@settings(max_examples=250, deadline=None)
@given(status=statuses, body=bodies, action=st.sampled_from(["refund", "transaction"]))
def test_any_status_and_body_is_success_only_on_200_or_a_kind_that_says_what_is_safe(
    status: int, body: bytes, action: str
) -> None:
    try:
        answer = asyncio.run(call(client(status, body), action))
    except Refused:
        assert status == 401
        return
    except AnswerSaysNo as exc:
        assert 400 <= status < 500 and status != 401
        assert exc.action == action
        return
    except OutcomeUnknown as exc:
        assert exc.action == action
        return
    assert status == 200
    if action == "refund":
        assert answer is None  # the body is ignored
    else:
        assert isinstance(answer, TransactionInfo)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, b"<html>", None),
        (204, b"", OutcomeUnknown),
        (302, b"", OutcomeUnknown),
        (400, b"not json", OutcomeUnknown),  # a 4xx nobody can read may be a proxy's
        (400, b'{"message": "too much\\u001b[2J"}', AnswerSaysNo),
        (401, b"", Refused),
        (503, b'{"message": "busy"}', OutcomeUnknown),
    ],
)
def test_refund_answers_by_kind(status: int, body: bytes, kind: type[Exception] | None) -> None:
    if kind is None:
        assert asyncio.run(call(client(status, body), "refund")) is None
        return
    with pytest.raises(kind) as raised:
        asyncio.run(call(client(status, body), "refund"))
    assert "\x1b" not in str(raised.value)


def test_a_refund_that_never_left_is_not_sent() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    partner = PartnerClient(
        "https://partner-api.test.netgiro.is/", "s", transport=httpx.MockTransport(refuse)
    )
    with pytest.raises(NotSent, match="nothing was refunded"):
        asyncio.run(call(partner, "refund"))
