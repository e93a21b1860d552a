"""Signing as Netgíró checks it: the published vectors, the bytes actually sent, rising nonces."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import AsyncIterator

import httpx
import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.netgiro.auth import NetgiroAuth
from pos.netgiro.client import NetgiroClient
from pos.netgiro.nonce import MonotonicNonce
from pos.netgiro.requests import CartItem, InsertCartRequest
from pos.netgiro.signing import signature

SECRET = FIRST_TEST_APPLICATION.secret_key
SECOND_VECTOR_BODY = (
    '{"Amount":1000,"Reference":"991100-123","CustomerId":"8223281","ConfirmationType":1,'
    '"CallbackUrl":"www.example.com/callback-success/991100-123",'
    '"CallbackCancelUrl":"www.example.com/callback-cancel/991100-123"}'
)


def test_the_first_published_vector_reproduces_with_an_empty_body() -> None:
    assert (
        signature(
            SECRET,
            "635318618538563781",
            "https://api.netgiro.is/v1/Sales/GetList?AllForCompany=true",
            b"",
        )
        == "1fcfcbf71b1350cf914ebb952c71d74551416a965ee3b65c38a16b35e687f87c"
    )


def test_the_second_published_vector_reproduces_over_the_insert_cart_body() -> None:
    assert (
        signature(
            SECRET,
            "39084373214935208",
            "https://api.test.netgiro.is/v1/Checkout/InsertCart",
            SECOND_VECTOR_BODY.encode("utf-8"),
        )
        == "8ff35684c44ae5279f16f5b024b80a7f4de18f45b71aafc9c03a2f07ac3e9856"
    )


def test_the_url_case_changes_the_signature() -> None:
    lower = signature(SECRET, "1", "https://api.test.netgiro.is/v1/checkout/insertcart", b"")
    upper = signature(SECRET, "1", "https://api.test.netgiro.is/v1/Checkout/InsertCart", b"")
    assert lower != upper


def capturing_client(seen: list[httpx.Request], nonces: list[str]) -> NetgiroClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "Success": True,
                "ResultCode": 200,
                "Message": "",
                "TransactionId": "7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a",
            },
            headers={"netgiro_referenceId": "ref"},
        )

    return NetgiroClient(
        "https://api.test.netgiro.is/v1/",
        FIRST_TEST_APPLICATION.app_key,
        SECRET,
        nonce=lambda: nonces.pop(0),
        transport=httpx.MockTransport(answer),
    )


async def test_netgiro_auth_signs_exactly_the_bytes_and_url_sent() -> None:
    seen: list[httpx.Request] = []
    request = InsertCartRequest(
        2490,
        "R1-7",
        "8223281",
        ConfirmationType.MANUAL,
        description="Kaffi og kleina — „gott“",
        items=(CartItem("K1", "Kleina", 490, 980, 2000),),
    )
    async with capturing_client(seen, ["1001"]) as client:
        await client.insert_cart(request)
    [sent] = seen
    assert sent.headers["netgiro_appkey"] == FIRST_TEST_APPLICATION.app_key
    assert sent.headers["netgiro_nonce"] == "1001"
    assert str(sent.url) == "https://api.test.netgiro.is/v1/Checkout/InsertCart"
    assert sent.headers["netgiro_signature"] == signature(
        SECRET, "1001", str(sent.url), sent.content
    )
    assert json.loads(sent.content.decode("utf-8"))["Description"] == request.description


async def test_a_get_with_a_query_is_signed_over_the_full_url_and_an_empty_body() -> None:
    seen: list[httpx.Request] = []
    async with capturing_client(seen, ["2002"]) as client:
        await client.request_confirmation_token("1111111119")
    [sent] = seen
    assert sent.content == b""
    assert str(sent.url).endswith("/v1/Account/RequestConfirmation?Customer=1111111119")
    assert sent.headers["netgiro_signature"] == signature(SECRET, "2002", str(sent.url), b"")


def test_netgiro_auth_on_its_own_signs_the_request_it_is_given() -> None:
    auth = NetgiroAuth("key", "s3cr3t-value", lambda: "77")
    request = httpx.Request("POST", "https://example.test/v1/Checkout/CheckCart", content=b"{}")
    signed = next(auth.auth_flow(request))
    assert signed.headers["netgiro_signature"] == signature(
        "s3cr3t-value", "77", "https://example.test/v1/Checkout/CheckCart", b"{}"
    )
    assert "s3cr3t-value" not in repr(auth)


def test_nonces_strictly_rise_when_the_clock_goes_backwards() -> None:
    ticks = iter([1000, 900, 900, 500, 1200, 1100])
    nonce = MonotonicNonce(clock=lambda: next(ticks))
    values = [int(nonce.next()) for _ in range(6)]
    assert values == [1000, 1001, 1002, 1003, 1200, 1201]
    assert all(a < b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("clock_value", [0, 5_000, 10_000])
def test_nonces_continue_above_a_seeded_last(clock_value: int) -> None:
    issued: list[int] = []
    nonce = MonotonicNonce(last=10_000, clock=lambda: clock_value, on_issue=issued.append)
    assert [int(nonce.next()) for _ in range(3)] == [10_001, 10_002, 10_003]
    assert issued == [10_001, 10_002, 10_003]


def test_nonces_follow_the_clock_once_it_passes_the_seed() -> None:
    nonce = MonotonicNonce(last=10_000, clock=lambda: 20_000)
    assert nonce.next() == "20000"


def test_nonces_from_many_threads_are_unique_and_rise_in_each_thread() -> None:
    issued: list[int] = []
    nonce = MonotonicNonce(clock=lambda: 5, on_issue=issued.append)
    per_thread: dict[int, list[int]] = {}

    def take(index: int) -> None:
        per_thread[index] = [int(nonce.next()) for _ in range(500)]

    threads = [threading.Thread(target=take, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [value for values in per_thread.values() for value in values]
    assert sorted(everything) == list(range(5, 5 + 8 * 500))
    assert all(values == sorted(values) for values in per_thread.values())
    assert issued == sorted(issued) == sorted(everything)


def test_the_default_nonce_is_a_rising_decimal_string() -> None:
    nonce = MonotonicNonce()
    first, second = nonce.next(), nonce.next()
    assert first.isdecimal() and second.isdecimal()
    assert int(second) > int(first)


async def test_a_streamed_body_is_read_once_and_signed_as_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"TransactionId":'
        yield '"þ-1"}'.encode()

    auth = NetgiroAuth("key", SECRET, lambda: "9")
    async with httpx.AsyncClient(auth=auth, transport=httpx.MockTransport(answer)) as http:
        await http.post("https://api.test.netgiro.is/v1/Checkout/CheckCart", content=chunks())
    [sent] = seen
    assert sent.content == '{"TransactionId":"þ-1"}'.encode()
    assert sent.headers["netgiro_signature"] == signature(SECRET, "9", str(sent.url), sent.content)
