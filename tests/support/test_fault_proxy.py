"""The fault proxy does what the matrix relies on: each fault as named, logged, on the right call."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from tests.support.fault_proxy import Fault, FaultProxy


class Upstream(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Upstream.hits.append(self.path)
        body = json.dumps({"Success": True, "Message": "x" * 40}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    Upstream.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with FaultProxy("127.0.0.1", server.server_port) as running:
            yield running
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(proxy: FaultProxy, path: str) -> httpx.Response:
    timeout = httpx.Timeout(2.0, connect=0.5)
    with httpx.Client(timeout=timeout) as client:
        return client.post(proxy.base_url() + path, json={"a": 1})


def test_without_faults_everything_is_forwarded(proxy: FaultProxy) -> None:
    assert post(proxy, "Checkout/CheckCart").json()["Success"] is True
    assert Upstream.hits == ["/v1/Checkout/CheckCart"]
    assert proxy.log[0].forwarded_upstream and proxy.log[0].fault is None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.ANSWER_DROPPED, httpx.RemoteProtocolError),
        (Fault.TRUNCATED_BODY, httpx.RemoteProtocolError),
        (Fault.RESET_MID_ANSWER, (httpx.RemoteProtocolError, httpx.ReadError)),
    ],
)
def test_answer_faults_reach_upstream_and_break_the_answer(
    proxy: FaultProxy, fault: Fault, error: type[Exception]
) -> None:
    proxy.arm("checkout/checkcart", fault)
    with pytest.raises(error):
        post(proxy, "Checkout/CheckCart")
    assert Upstream.hits == ["/v1/Checkout/CheckCart"]
    assert proxy.faults_applied("Checkout/CheckCart") == [fault]
    assert post(proxy, "Checkout/CheckCart").status_code == 200  # armed once


def test_a_500_and_malformed_json_are_processed_upstream(proxy: FaultProxy) -> None:
    proxy.arm("Checkout/ConfirmCart", Fault.HTTP_500)
    proxy.arm("Checkout/CancelCart", Fault.MALFORMED_JSON)
    assert post(proxy, "Checkout/ConfirmCart").status_code == 500
    answer = post(proxy, "Checkout/CancelCart")
    with pytest.raises(ValueError):
        answer.json()
    assert len(Upstream.hits) == 2


def test_unauthorized_is_answered_without_reaching_upstream(proxy: FaultProxy) -> None:
    proxy.arm("Checkout/InsertCart", Fault.UNAUTHORIZED)
    assert post(proxy, "Checkout/InsertCart").status_code == 401
    assert Upstream.hits == []


def test_a_refused_connection_never_reaches_upstream(proxy: FaultProxy) -> None:
    proxy.arm_connect_fault(Fault.REFUSED, on_connection=1, hold_s=1.0)
    with pytest.raises(httpx.ConnectError):
        post(proxy, "Checkout/InsertCart")
    assert Upstream.hits == []
    assert proxy.connect_faults_applied() == [(1, Fault.REFUSED)]


def test_a_full_backlog_makes_the_connect_time_out(proxy: FaultProxy) -> None:
    proxy.arm_connect_fault(Fault.CONNECT_TIMEOUT, on_connection=1, hold_s=1.5)
    with pytest.raises(httpx.ConnectTimeout):
        post(proxy, "Checkout/InsertCart")
    assert Upstream.hits == []


def test_a_connect_fault_on_the_second_connection_spares_the_first(proxy: FaultProxy) -> None:
    proxy.arm_connect_fault(Fault.REFUSED, on_connection=2, hold_s=1.0)
    assert post(proxy, "Checkout/InsertCart").status_code == 200
    with pytest.raises(httpx.ConnectError):
        post(proxy, "Checkout/CheckCart")
    assert Upstream.hits == ["/v1/Checkout/InsertCart"]
