"""Every failure gets the kind that says what the till may do next, from real faults over loopback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.netgiro.client import NetgiroClient, Timeouts, check_base_url, classify_transport_error
from pos.netgiro.errors import AnswerSaysNo, NotSent, OutcomeUnknown, Refused
from pos.netgiro.requests import InsertCartRequest
from tests.netgiro.fake_servers import (
    BacklogNotFilled,
    Handler,
    answering,
    full_backlog,
    half_answering,
    never_answering,
    raw_server,
    refused_port,
)

APP = FIRST_TEST_APPLICATION
REQUEST = InsertCartRequest(1990, "R1-1", "8223281", ConfirmationType.AUTOMATIC)
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    httpx.LocalProtocolError,
)


# --- the classification table -----------------------------------------------------------------


def every_subclass(root: type[Exception]) -> Iterator[type[Exception]]:
    for sub in root.__subclasses__():
        yield sub
        yield from every_subclass(sub)


def an_instance_of(error: type[Exception]) -> Exception:
    request = httpx.Request("POST", "https://api.test.netgiro.is/v1/Checkout/InsertCart")
    if issubclass(error, httpx.HTTPStatusError):
        response = httpx.Response(503, request=request)
        return error("boom", request=request, response=response)
    if issubclass(error, httpx.RequestError):
        return error("boom", request=request)
    return error("boom")


ALL_HTTP_ERRORS: set[type[Exception]] = {httpx.HTTPError, *every_subclass(httpx.HTTPError)}
HTTP_ERRORS = sorted(ALL_HTTP_ERRORS, key=lambda error: error.__name__)


def test_the_walk_finds_the_whole_httpx_error_tree() -> None:
    names = {error.__name__ for error in HTTP_ERRORS}
    assert {"ReadTimeout", "RemoteProtocolError", "HTTPStatusError", "ConnectError"} <= names
    assert len(HTTP_ERRORS) >= 20


@pytest.mark.parametrize("error", HTTP_ERRORS, ids=lambda error: error.__name__)
def test_every_httpx_error_is_classified(error: type[Exception]) -> None:
    expected = NotSent if issubclass(error, NOT_SENT_ERRORS) else OutcomeUnknown
    assert classify_transport_error(an_instance_of(error)) is expected


def test_an_invalid_url_was_never_sent() -> None:
    # httpx.InvalidURL is not an HTTPError, so the walk above cannot reach it.
    assert classify_transport_error(httpx.InvalidURL("bad")) is NotSent


def test_only_the_connect_side_http_errors_are_not_sent() -> None:
    not_sent = {e for e in HTTP_ERRORS if classify_transport_error(an_instance_of(e)) is NotSent}
    assert not_sent == {
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.UnsupportedProtocol,
        httpx.LocalProtocolError,
    }


# --- base URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://api.netgiro.is/v1/", "http://192.168.1.10:8765/v1/", "ftp://127.0.0.1/", "https:///"],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="https"):
        check_base_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.test.netgiro.is/v1/", "https://api.test.netgiro.is/v1/"),
        ("https://api.netgiro.is/v1", "https://api.netgiro.is/v1/"),
        ("http://127.0.0.1:8765/v1/", "http://127.0.0.1:8765/v1/"),
        ("http://localhost:8765/v1", "http://localhost:8765/v1/"),
        ("http://[::1]:8765/v1/", "http://[::1]:8765/v1/"),
    ],
)
def test_https_and_plain_http_to_this_machine_are_accepted(url: str, expected: str) -> None:
    assert check_base_url(url) == expected


# --- real faults over loopback ----------------------------------------------------------------


def client_for(base_url: str) -> NetgiroClient:
    return NetgiroClient(
        base_url, APP.app_key, APP.secret_key, timeouts=Timeouts(connect=0.5, read=1.0)
    )


async def test_a_refused_port_means_the_cart_was_not_sent() -> None:
    async with client_for(f"http://127.0.0.1:{refused_port()}/v1/") as client:
        with pytest.raises(NotSent) as caught:
            await client.insert_cart(REQUEST)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.action == "insert_cart"
    assert client.last_reference_id is None


LOST_ANSWERS: list[tuple[str, Handler, type[Exception]]] = [
    ("accepts_but_never_answers", never_answering, httpx.ReadTimeout),
    ("half_an_answer_then_closes", half_answering, httpx.RemoteProtocolError),
]


@pytest.mark.parametrize(
    ("handle", "cause"),
    [(handle, cause) for _, handle, cause in LOST_ANSWERS],
    ids=[name for name, _, _ in LOST_ANSWERS],
)
async def test_a_lost_answer_is_an_unknown_outcome(handle: Handler, cause: type[Exception]) -> None:
    with raw_server(handle) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(OutcomeUnknown) as caught:
                await client.insert_cart(REQUEST)
    assert type(caught.value) is OutcomeUnknown
    assert isinstance(caught.value.__cause__, cause)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (500, b"<html>Internal Server Error</html>", "text/html"),
        (503, b'{"Success":true,"ResultCode":200,"TransactionId":"t"}', "application/json"),
        (200, b'{"Success":true,"ResultCode":20', "application/json"),
        (200, b"\xff\xfe not utf-8", "application/json"),
        (200, b'{"Success":"yes","ResultCode":"200"}', "application/json"),
        (200, b"[1, 2, 3]", "application/json"),
    ],
    ids=["500_html", "503_json", "truncated_json", "not_utf8", "wrong_types", "not_an_object"],
)
async def test_a_5xx_or_unreadable_answer_is_an_unknown_outcome(
    status: int, body: bytes, content_type: str
) -> None:
    with raw_server(answering(status, body, content_type)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(OutcomeUnknown, match="CheckCart"):
                await client.insert_cart(REQUEST)
            assert client.last_reference_id == "ref-1"


async def test_401_is_refused_and_nothing_was_processed() -> None:
    body = b'{"Success":false,"ResultCode":401,"Message":"The signature does not match."}'
    with raw_server(answering(401, body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(Refused, match="nothing was processed"):
                await client.insert_cart(REQUEST)


async def test_a_401_without_a_body_is_still_refused() -> None:
    with raw_server(answering(401, b"", "text/plain")) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(Refused):
                await client.check_cart("t-1")


async def test_a_well_formed_success_false_is_an_answer_that_says_no() -> None:
    body = json.dumps(
        {
            "Success": False,
            "ResultCode": 10423,
            "Message": "Customer declined.",
            "TransactionId": None,
        }
    ).encode()
    with raw_server(answering(200, body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(AnswerSaysNo) as caught:
                await client.insert_cart(REQUEST)
    assert caught.value.result_code == 10423
    assert "Customer declined." in str(caught.value)


async def test_cart_calls_return_a_no_as_an_answer_not_an_error() -> None:
    body = b'{"Success":false,"PaymentSuccessful":false,"ResultCode":10200,"Message":"paid"}'
    with raw_server(answering(200, body)) as base_url:
        async with client_for(base_url) as client:
            answer = await client.cancel_cart("t-1")
    assert (answer.success, answer.result_code, answer.says_paid) == (False, 10200, True)


# Fuzzing found this one: json.loads raised RecursionError past the boundary.
async def test_a_deeply_nested_answer_is_an_unknown_outcome() -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    client = NetgiroClient(
        "https://api.test.netgiro.is/v1/",
        APP.app_key,
        APP.secret_key,
        transport=httpx.MockTransport(answer),
    )
    async with client:
        with pytest.raises(OutcomeUnknown, match="CheckCart") as caught:
            await client.check_cart("t-1")
    assert caught.value.action == "check_cart"


async def test_a_full_backlog_means_a_connect_timeout_and_the_cart_was_not_sent() -> None:
    with ExitStack() as stack:
        try:
            base_url = stack.enter_context(full_backlog())
        except BacklogNotFilled as exc:
            pytest.skip(f"this kernel does not drop SYNs on a full accept queue: {exc}")
        async with client_for(base_url) as client:
            with pytest.raises(NotSent, match="trying again is safe") as caught:
                await client.insert_cart(REQUEST)
    assert isinstance(caught.value.__cause__, httpx.ConnectTimeout)
    assert "connection timed out" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (404, b"<html>Not Found</html>", "text/html"),
        (400, b'{"error":"bad request"}', "application/json"),
        (302, b"", "text/plain"),
    ],
    ids=["404_html", "400_foreign_json", "302_empty"],
)
async def test_a_non_5xx_status_without_a_netgiro_answer_is_an_unknown_outcome(
    status: int, body: bytes, content_type: str
) -> None:
    with raw_server(answering(status, body, content_type)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(OutcomeUnknown, match="CheckCart") as caught:
                await client.confirm_cart("t-1")
    assert caught.value.action == "confirm_cart"


async def test_a_400_carrying_a_netgiro_answer_is_an_answer() -> None:
    body = b'{"Success":true,"PaymentSuccessful":false,"ResultCode":400,"Message":"Wrong code."}'
    with raw_server(answering(400, body)) as base_url:
        async with client_for(base_url) as client:
            answer = await client.confirm_cart("t-1", "1234")
    assert (answer.success, answer.payment_successful, answer.result_code) == (True, False, 400)
    assert answer.reference_id == "ref-1"


async def test_a_400_saying_no_to_insert_cart_is_an_answer_that_says_no() -> None:
    body = b'{"Success":false,"ResultCode":10427,"Message":"Confirmation type not valid."}'
    with raw_server(answering(400, body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(AnswerSaysNo) as caught:
                await client.insert_cart(REQUEST)
    assert (caught.value.result_code, caught.value.action) == (10427, "insert_cart")
    assert "Nothing was charged" in str(caught.value)


async def test_a_decline_that_echoes_the_customer_id_shows_it_masked() -> None:
    ssn = "1111111119"
    body = json.dumps(
        {"Success": False, "ResultCode": 10423, "Message": f"Customer {ssn} declined."}
    ).encode()
    request = InsertCartRequest(1990, "R1-2", ssn, ConfirmationType.MANUAL)
    with raw_server(answering(200, body)) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(AnswerSaysNo) as caught:
                await client.insert_cart(request)
    assert ssn not in str(caught.value)
    assert "Customer ******-1119 declined. (code 10423)" in str(caught.value)


def test_a_base_url_with_a_query_is_refused() -> None:
    with pytest.raises(ConfigError, match="without a query"):
        check_base_url("https://api.netgiro.is/v1/?debug=1")


def test_a_plain_http_base_url_refuses_to_build_a_client() -> None:
    with pytest.raises(ConfigError, match="only to this machine"):
        NetgiroClient("http://api.test.netgiro.is/v1/", APP.app_key, APP.secret_key)


# --- what each kind tells the caller, and what it never tells -------------------------------

NEXT_STEP = {
    NotSent: "nothing was sent, so trying again is safe",
    OutcomeUnknown: "checking with CheckCart before anything else",
    Refused: "nothing was processed",
    AnswerSaysNo: "Nothing was charged",
}
FAULTS: list[tuple[str, Handler | None, type[Exception]]] = [
    ("refused_port", None, NotSent),
    ("never_answers", never_answering, OutcomeUnknown),
    ("closed_mid_answer", half_answering, OutcomeUnknown),
    ("http_500", answering(500, b"oops", "text/plain"), OutcomeUnknown),
    ("malformed_json", answering(200, b'{"Success":'), OutcomeUnknown),
    ("http_401", answering(401, b""), Refused),
    (
        "says_no",
        answering(200, b'{"Success":false,"ResultCode":10306,"Message":"No."}'),
        AnswerSaysNo,
    ),
]


@contextmanager
def serving(handle: Handler | None) -> Iterator[str]:
    if handle is None:
        yield f"http://127.0.0.1:{refused_port()}/v1/"
    else:
        with raw_server(handle) as base_url:
            yield base_url


@pytest.mark.parametrize(
    ("handle", "kind"), [(h, k) for _, h, k in FAULTS], ids=[name for name, _, _ in FAULTS]
)
async def test_every_kind_says_what_may_be_done_next_and_never_the_secret_or_customer(
    handle: Handler | None, kind: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ssn = "1111111119"
    request = InsertCartRequest(1990, "R1-3", ssn, ConfirmationType.MANUAL)
    with serving(handle) as base_url:
        async with client_for(base_url) as client:
            with pytest.raises(kind) as caught:
                await client.insert_cart(request)
    assert NEXT_STEP[kind] in str(caught.value)
    shown = str(caught.value) + caplog.text
    assert APP.secret_key not in shown
    assert ssn not in shown


# --- crash points -----------------------------------------------------------------------------

ANSWERS = {
    "insert_cart": b'{"Success":true,"ResultCode":200,"Message":"","TransactionId":"7c3d0a4e-1f5b-4d8e-9a6b-2f1e0c9d8b7a"}',
    "cart": b'{"Success":true,"PaymentSuccessful":false,"ResultCode":10425,"Message":""}',
}


@pytest.mark.parametrize("action", ["insert_cart", "check_cart", "confirm_cart", "cancel_cart"])
async def test_each_call_passes_its_crash_points_around_the_network(
    action: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    passed: list[str] = []
    monkeypatch.setattr("pos.netgiro.client.crash_point", passed.append)

    def answer(request: httpx.Request) -> httpx.Response:
        passed.append("network")
        return httpx.Response(200, content=ANSWERS.get(action, ANSWERS["cart"]))

    client = NetgiroClient(
        "https://api.test.netgiro.is/v1/",
        APP.app_key,
        APP.secret_key,
        transport=httpx.MockTransport(answer),
    )
    async with client:
        call = getattr(client, action)
        await call(REQUEST if action == "insert_cart" else "t-1")
    assert passed == [f"netgiro.{action}.before_send", "network", f"netgiro.{action}.after_receive"]


async def test_a_failed_send_passes_before_send_only(monkeypatch: pytest.MonkeyPatch) -> None:
    passed: list[str] = []
    monkeypatch.setattr("pos.netgiro.client.crash_point", passed.append)
    async with client_for(f"http://127.0.0.1:{refused_port()}/v1/") as client:
        with pytest.raises(NotSent):
            await client.check_cart("t-1")
    assert passed == ["netgiro.check_cart.before_send"]
