"""The client's contract: signatures as Netgíró verifies them, and every failure given its kind.

The published vectors reproduce; the signed bytes are the sent bytes; every subclass of
``httpx.HTTPError`` maps to a kind; and each kind is produced by a real fault over loopback.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.netgiro.auth import NetgiroAuth
from pos.netgiro.client import NetgiroClient, Timeouts, check_base_url, classify_transport_error
from pos.netgiro.errors import AnswerSaysNo, NotSent, OutcomeUnknown, Refused
from pos.netgiro.nonce import MonotonicNonce
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.signing import signature

APP = FIRST_TEST_APPLICATION
REQUEST = InsertCartRequest(1990, "R1-1", "8223281", ConfirmationType.MANUAL)


@pytest.mark.parametrize(
    ("nonce", "url", "body", "expected"),
    [
        (
            "635318618538563781",
            "https://api.netgiro.is/v1/Sales/GetList?AllForCompany=true",
            b"",
            "1fcfcbf71b1350cf914ebb952c71d74551416a965ee3b65c38a16b35e687f87c",
        ),
        (
            "39084373214935208",
            "https://api.test.netgiro.is/v1/Checkout/InsertCart",
            b'{"Amount":1000,"Reference":"991100-123","CustomerId":"8223281","ConfirmationType":1,'
            b'"CallbackUrl":"www.example.com/callback-success/991100-123",'
            b'"CallbackCancelUrl":"www.example.com/callback-cancel/991100-123"}',
            "8ff35684c44ae5279f16f5b024b80a7f4de18f45b71aafc9c03a2f07ac3e9856",
        ),
    ],
)
def test_the_published_signing_vectors_reproduce(
    nonce: str, url: str, body: bytes, expected: str
) -> None:
    assert signature(APP.secret_key, nonce, url, body) == expected


async def test_the_signed_bytes_are_the_sent_bytes() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"Success": True, "ResultCode": 200, "Message": "", "TransactionId": "t"}
        )

    client = NetgiroClient(
        "https://api.test.netgiro.is/v1/",
        APP.app_key,
        APP.secret_key,
        transport=httpx.MockTransport(answer),
    )
    async with client:
        await client.insert_cart(REQUEST)
    [sent] = seen
    headers = sent.headers
    assert headers["netgiro_appkey"] == APP.app_key
    recomputed = signature(APP.secret_key, headers["netgiro_nonce"], str(sent.url), sent.content)
    assert headers["netgiro_signature"] == recomputed
    assert json.loads(sent.content)["ConfirmationType"] == 2
    assert "8223281" not in repr(REQUEST)
    assert APP.secret_key not in repr(NetgiroAuth(APP.app_key, APP.secret_key, lambda: "1"))


def test_nonces_rise_even_when_the_clock_steps_back() -> None:
    ticks = iter([100, 200, 50, 50, 300])
    persisted: list[int] = []
    nonce = MonotonicNonce(last=150, clock=lambda: next(ticks), on_issue=persisted.append)
    values = [int(nonce.next()) for _ in range(5)]
    assert values == sorted(set(values))
    assert values[0] == 151
    assert persisted == values


def all_http_errors(root: type[Exception] = httpx.HTTPError) -> Iterator[type[Exception]]:
    for sub in root.__subclasses__():
        yield sub
        yield from all_http_errors(sub)


NOT_SENT = {
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    httpx.LocalProtocolError,
}


def build(error: type[Exception]) -> Exception:
    request = httpx.Request("POST", "https://api.test.netgiro.is/v1/Checkout/CheckCart")
    if issubclass(error, httpx.HTTPStatusError):
        return error("boom", request=request, response=httpx.Response(500, request=request))
    if issubclass(error, httpx.RequestError):
        return error("boom", request=request)
    return error("boom")


@pytest.mark.parametrize("error", sorted(set(all_http_errors()), key=lambda e: e.__name__))
def test_every_httpx_error_has_a_kind(error: type[Exception]) -> None:
    kind = classify_transport_error(build(error))
    if any(issubclass(error, sent) for sent in NOT_SENT):
        assert kind is NotSent
    else:
        assert kind is OutcomeUnknown


def test_plain_http_only_to_this_machine() -> None:
    assert check_base_url("http://127.0.0.1:8765/v1/")
    assert check_base_url("https://api.netgiro.is/v1")
    with pytest.raises(ConfigError, match="https"):
        check_base_url("http://api.netgiro.is/v1/")


# --- real faults over loopback ---------------------------------------------------------------


@contextmanager
def one_shot_server(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A listener on loopback whose connections are handled by ``handle``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(5)
            with connection:
                handle(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    while len(body) < length:
        body += connection.recv(65536)


def answering(status: str, body: bytes) -> Callable[[socket.socket], None]:
    def handle(connection: socket.socket) -> None:
        read_request(connection)
        head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body)

    return handle


def half_answer(connection: socket.socket) -> None:
    read_request(connection)
    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"Success":')


def never_answers(connection: socket.socket) -> None:
    read_request(connection)
    threading.Event().wait(2)


def client_for(base_url: str) -> NetgiroClient:
    return NetgiroClient(
        base_url, APP.app_key, APP.secret_key, timeouts=Timeouts(connect=0.5, read=0.5)
    )


async def test_a_refused_port_is_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client_for(f"http://127.0.0.1:{port}/v1/") as client:
        with pytest.raises(NotSent, match="nothing was sent"):
            await client.insert_cart(REQUEST)


@pytest.mark.parametrize(
    "handle",
    [
        never_answers,
        half_answer,
        answering("500 Internal Server Error", b"<html>oops</html>"),
        answering("200 OK", b'{"Success":tru'),
        answering("200 OK", b'{"Success":"yes","ResultCode":"200"}'),
    ],
    ids=["never_answers", "closed_mid_answer", "http_500", "malformed_json", "wrong_types"],
)
async def test_a_lost_or_unreadable_answer_is_an_unknown_outcome(
    handle: Callable[[socket.socket], None],
) -> None:
    with one_shot_server(handle) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(OutcomeUnknown, match="CheckCart"):
                await client.insert_cart(REQUEST)


async def test_401_is_refused() -> None:
    body = b'{"Success":false,"ResultCode":401,"Message":"bad signature"}'
    with one_shot_server(answering("401 Unauthorized", body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(Refused, match="nothing was processed"):
                await client.check_cart("t")


async def test_a_well_formed_no_is_an_answer_that_says_no() -> None:
    body = b'{"Success":false,"ResultCode":10306,"Message":"Customer does not exist."}'
    with one_shot_server(answering("200 OK", body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(AnswerSaysNo) as raised:
                await client.insert_cart(REQUEST)
    assert raised.value.result_code == 10306


async def test_cancel_too_late_is_returned_as_an_answer_not_an_error() -> None:
    body = b'{"Success":false,"PaymentSuccessful":true,"ResultCode":10200,"Message":"paid"}'
    with one_shot_server(answering("200 OK", body)) as base_url:
        async with client_for(base_url) as client:
            answer = await client.cancel_cart("t")
    assert answer.says_paid and not answer.success
