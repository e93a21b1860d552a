"""The fault proxy does what the network fault matrix relies on.

Each fault is shown from the client's side (a plain ``httpx.Client``, and for the byte-level
ones a raw socket), from the upstream's side (did the request arrive?) and in the proxy's log.
No assertion is about elapsed time; every wait is bounded by a socket timeout or a deadline.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.fault_proxy import Fault, FaultProxy, ProxyEvent

INSERT = "Checkout/InsertCart"
CHECK = "Checkout/CheckCart"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    host: str
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []

    def paths(self) -> list[str]:
        with self.lock:
            return [s.path for s in self.seen]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and framed answers, like uvicorn
    server: _Server

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.seen.append(
                Seen(self.command, self.path, self.headers.get("Host", ""), body)
            )
        answer = json.dumps(
            {"Success": True, "ResultCode": 200, "Message": "ok", "Padding": "x" * 40}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.endswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (answer[:10], answer[10:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="test-upstream", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def proxy(upstream: _Server) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", upstream.server_address[1]) as running:
        yield running
        assert running.errors == []


def client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(2.0, connect=0.5), trust_env=False)


def post(proxy: FaultProxy, path: str, payload: object | None = None) -> httpx.Response:
    with client() as http:
        return http.post(proxy.base_url() + path, json=payload or {"Amount": 1990})


REQUEST = b'{"Amount":1990}'


def raw_exchange(proxy: FaultProxy, path: str) -> bytes:
    """Send one request on a raw socket and read until the proxy closes (FIN) or resets."""
    head = (
        f"POST /v1/{path} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(REQUEST)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(head.encode() + REQUEST)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def split(answer: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}, body


# --- no fault -----------------------------------------------------------------------------


def test_without_faults_requests_pass_untouched_one_connection_each(
    proxy: FaultProxy, upstream: _Server
) -> None:
    with client() as http:  # one httpx client, which would reuse a kept-alive connection
        answers = [
            http.post(proxy.base_url() + path, content=REQUEST)
            for path in (INSERT, CHECK, "checkout/checkcart?x=1")
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["Success"] is True
    assert {a.headers["connection"] for a in answers} == {"close"}
    assert upstream.paths() == [f"/v1/{INSERT}", f"/v1/{CHECK}", "/v1/checkout/checkcart?x=1"]
    first = upstream.seen[0]
    assert first.host == f"127.0.0.1:{proxy.port}"  # the Host header stays as the client sent it
    assert first.body == REQUEST
    assert proxy.log == [
        ProxyEvent(f"/v1/{INSERT}", "POST", None, True, 200, 1),
        ProxyEvent(f"/v1/{CHECK}", "POST", None, True, 200, 2),
        ProxyEvent("/v1/checkout/checkcart", "POST", None, True, 200, 3),
    ]


def test_a_chunked_upstream_answer_reaches_the_client_with_a_content_length(
    proxy: FaultProxy,
) -> None:
    answer = post(proxy, "Test/chunked")
    assert answer.json()["Success"] is True
    assert "transfer-encoding" not in answer.headers
    assert int(answer.headers["content-length"]) == len(answer.content)


# --- faults armed by path ------------------------------------------------------------------


def test_a_fault_hits_the_next_matching_requests_case_insensitively_then_stops(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.arm("checkout/CHECKCART", Fault.HTTP_500, times=2)
    assert post(proxy, INSERT).status_code == 200
    assert [post(proxy, CHECK).status_code for _ in range(3)] == [500, 500, 200]
    assert proxy.faults_applied("Checkout/CheckCart") == [Fault.HTTP_500, Fault.HTTP_500]
    assert proxy.faults_applied(INSERT) == []
    assert len(upstream.paths()) == 4


def test_answer_dropped_the_server_processed_it_and_the_client_gets_no_byte(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.arm(INSERT, Fault.ANSWER_DROPPED, times=2)
    with pytest.raises(httpx.RemoteProtocolError):
        post(proxy, INSERT)
    assert raw_exchange(proxy, INSERT) == b""  # a clean close, nothing before it
    assert upstream.paths() == [f"/v1/{INSERT}"] * 2
    assert proxy.log[0] == ProxyEvent(f"/v1/{INSERT}", "POST", Fault.ANSWER_DROPPED, True, 200, 1)


def test_truncated_body_keeps_the_content_length_and_sends_half(
    proxy: FaultProxy, upstream: _Server
) -> None:
    headers, full_body = split(raw_exchange(proxy, CHECK))
    proxy.arm(CHECK, Fault.TRUNCATED_BODY, times=2)
    cut_headers, cut_body = split(raw_exchange(proxy, CHECK))
    assert cut_headers["content-length"] == headers["content-length"] == str(len(full_body))
    assert cut_body == full_body[: len(full_body) // 2]
    assert cut_headers["connection"] == "close"
    with pytest.raises(httpx.RemoteProtocolError):
        post(proxy, CHECK)
    assert len(upstream.paths()) == 3
    assert proxy.faults_applied(CHECK) == [Fault.TRUNCATED_BODY] * 2
    assert all(e.forwarded_upstream and e.upstream_status == 200 for e in proxy.log)


def test_reset_mid_answer_sends_part_then_an_rst(proxy: FaultProxy, upstream: _Server) -> None:
    proxy.arm("ConfirmCart", Fault.RESET_MID_ANSWER, times=2)
    with pytest.raises(ConnectionResetError):  # a FIN would end the read loop with b""
        raw_exchange(proxy, "Checkout/ConfirmCart")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        post(proxy, "Checkout/ConfirmCart")
    assert len(upstream.paths()) == 2
    assert proxy.faults_applied("Checkout/ConfirmCart") == [Fault.RESET_MID_ANSWER] * 2
    assert all(e.forwarded_upstream for e in proxy.log)


def test_http_500_replaces_an_answer_the_server_did_process(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.arm("Checkout/CancelCart", Fault.HTTP_500)
    answer = post(proxy, "Checkout/CancelCart")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert upstream.paths() == ["/v1/Checkout/CancelCart"]
    assert proxy.log[0] == ProxyEvent(
        "/v1/Checkout/CancelCart", "POST", Fault.HTTP_500, True, 200, 1
    )


def test_malformed_json_is_a_200_whose_body_does_not_parse(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.arm(CHECK, Fault.MALFORMED_JSON)
    answer = post(proxy, CHECK)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.content == b'{"Success":tru'
    with pytest.raises(json.JSONDecodeError):
        answer.json()
    assert upstream.paths() == [f"/v1/{CHECK}"]
    assert proxy.faults_applied(CHECK) == [Fault.MALFORMED_JSON]


def test_unauthorized_is_answered_by_the_proxy_and_never_forwarded(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.arm(INSERT, Fault.UNAUTHORIZED)
    answer = post(proxy, INSERT)
    assert answer.status_code == 401
    assert answer.json() == {"Success": False, "ResultCode": 401, "Message": "signature"}
    assert upstream.paths() == []
    assert proxy.log == [ProxyEvent(f"/v1/{INSERT}", "POST", Fault.UNAUTHORIZED, False, None, 1)]
    assert post(proxy, INSERT).status_code == 200  # armed once


# --- faults armed by connection -----------------------------------------------------------

CONNECT_ERRORS: dict[Fault, type[Exception]] = {
    Fault.REFUSED: httpx.ConnectError,
    Fault.CONNECT_TIMEOUT: httpx.ConnectTimeout,
}


@pytest.mark.parametrize("fault", [Fault.REFUSED, Fault.CONNECT_TIMEOUT], ids=lambda f: f.value)
def test_a_connect_fault_hits_the_next_connection_until_reopened_on_the_same_port(
    proxy: FaultProxy, upstream: _Server, fault: Fault
) -> None:
    port = proxy.port
    proxy.arm_connect_fault(fault, hold_s=None)
    for _ in range(2):  # held until reopen(): every attempt meets it
        with pytest.raises(CONNECT_ERRORS[fault]):
            post(proxy, INSERT)
    assert upstream.paths() == []
    proxy.reopen()
    assert proxy.port == port
    assert post(proxy, INSERT).status_code == 200
    assert proxy.connect_faults_applied() == [(1, fault)]
    assert proxy.faults_applied("<connect>") == [fault]
    assert proxy.log[1] == ProxyEvent(f"/v1/{INSERT}", "POST", None, True, 200, 1)


@pytest.mark.parametrize("fault", [Fault.REFUSED, Fault.CONNECT_TIMEOUT], ids=lambda f: f.value)
def test_a_connect_fault_on_the_second_connection_spares_the_first(
    proxy: FaultProxy, upstream: _Server, fault: Fault
) -> None:
    proxy.arm_connect_fault(fault, on_connection=2, hold_s=None)
    assert post(proxy, INSERT).status_code == 200
    with pytest.raises(CONNECT_ERRORS[fault]):
        post(proxy, CHECK)
    proxy.reopen()
    assert post(proxy, CHECK).status_code == 200
    assert upstream.paths() == [f"/v1/{INSERT}", f"/v1/{CHECK}"]
    assert proxy.connect_faults_applied() == [(2, fault)]
    assert [e.connection for e in proxy.log if e.path != "<connect>"] == [1, 2]


@pytest.mark.parametrize("fault", [Fault.REFUSED, Fault.CONNECT_TIMEOUT], ids=lambda f: f.value)
def test_a_held_connect_fault_ends_by_itself(
    proxy: FaultProxy, upstream: _Server, fault: Fault
) -> None:
    proxy.arm_connect_fault(fault, hold_s=0.3)
    with pytest.raises(CONNECT_ERRORS[fault]):
        post(proxy, INSERT)
    deadline = time.monotonic() + 10
    while True:
        try:
            answer = post(proxy, INSERT)
            break
        except (httpx.ConnectError, httpx.ConnectTimeout):
            assert time.monotonic() < deadline, "the gate never reopened"
            time.sleep(0.05)
    assert answer.status_code == 200
    assert upstream.paths() == [f"/v1/{INSERT}"]


def test_faults_are_armed_with_the_right_method(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="arm_connect_fault"):
        proxy.arm(INSERT, Fault.REFUSED)
    with pytest.raises(ValueError, match="use arm"):
        proxy.arm_connect_fault(Fault.HTTP_500)
    assert post(proxy, INSERT).status_code == 200
    with pytest.raises(ValueError, match="already made"):
        proxy.arm_connect_fault(Fault.REFUSED, on_connection=1)


def test_disarm_forgets_faults_and_opens_the_gate(proxy: FaultProxy) -> None:
    proxy.arm(INSERT, Fault.HTTP_500)
    proxy.arm_connect_fault(Fault.REFUSED, hold_s=None)
    proxy.disarm()
    assert post(proxy, INSERT).status_code == 200


# --- what the proxy refuses, and its own failures ---------------------------------------------


def test_a_chunked_request_is_rejected_clearly_and_not_forwarded(upstream: _Server) -> None:
    with FaultProxy("127.0.0.1", upstream.server_address[1]) as proxy, client() as http:
        answer = http.post(proxy.base_url() + INSERT, content=iter([b'{"Amount":', b"1}"]))
        errors = proxy.errors
    assert answer.status_code == 501
    assert "Content-Length" in answer.text
    assert upstream.paths() == []
    assert len(errors) == 1
    assert "Transfer-Encoding" in errors[0]


def test_an_unreachable_upstream_is_a_502(upstream: _Server) -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        dead_port = spare.getsockname()[1]
    with FaultProxy("127.0.0.1", dead_port) as proxy:
        answer = post(proxy, INSERT)
        event = proxy.log[0]
        errors = proxy.errors
    assert answer.status_code == 502
    assert (event.forwarded_upstream, event.upstream_status) == (False, None)
    assert len(errors) == 1


def test_stop_closes_idle_connections_and_the_port_and_ends_every_thread(
    upstream: _Server,
) -> None:
    proxy = FaultProxy("127.0.0.1", upstream.server_address[1]).start()
    proxy.arm_connect_fault(Fault.CONNECT_TIMEOUT, hold_s=None)  # fillers to clean up too
    proxy.reopen()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as idle:
        idle.sendall(b"POST /v1/Checkout/CheckCart HTTP/1.1\r\n")  # and never finishes
        deadline = time.monotonic() + 5
        while not any(t.name.endswith("-conn-1") for t in threading.enumerate()):
            assert time.monotonic() < deadline, "the proxy never accepted"
            time.sleep(0.01)
        proxy.stop()
        assert idle.recv(1) == b""  # the proxy closed its side
    assert not [t for t in threading.enumerate() if t.name.startswith(f"fault-proxy-{proxy.port}")]
    with pytest.raises(ConnectionRefusedError), socket.socket() as probe:
        probe.settimeout(2)
        probe.connect(("127.0.0.1", proxy.port))


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def tcp_ends_of(fds: set[str]) -> set[tuple[int, int]]:
    """(local port, remote port) of those descriptors that are TCP sockets (/proc/net/tcp).

    Under pytest-xdist the worker's own machinery may open a pipe meanwhile, and the upstream
    test server's handler threads close their ends of the proxy's connections a moment later:
    only the proxy's own ends count (its port locally, or the upstream's port remotely).
    """
    inodes = set()
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ends: set[tuple[int, int]] = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[9] in inodes:
                    local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
                    ends.add((local, remote))
    return ends


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
@pytest.mark.parametrize("gate", [None, Fault.REFUSED, Fault.CONNECT_TIMEOUT], ids=str)
def test_stop_leaves_no_descriptor_open_whatever_the_gate(
    upstream: _Server, gate: Fault | None
) -> None:
    before = open_fds()
    with FaultProxy("127.0.0.1", upstream.server_address[1]) as proxy:
        proxy.arm(CHECK, Fault.RESET_MID_ANSWER)
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            post(proxy, CHECK)
        assert post(proxy, INSERT).status_code == 200
        if gate is not None:
            proxy.arm_connect_fault(gate, hold_s=None)  # still closed when the proxy stops
    leaked = [
        (local, remote)
        for local, remote in tcp_ends_of(open_fds() - before)
        if local == proxy.port or remote == upstream.server_address[1]
    ]
    assert leaked == []


def test_the_proxy_sets_tcp_nodelay_on_an_accepted_connection(proxy: FaultProxy) -> None:
    """Without it each small answer waits ~40 ms for a delayed ACK (item 13 of issue 15)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(b"POST /v1/x HTTP/1.1\r\nHost: x\r\n")  # half a head: the proxy waits
        deadline = time.monotonic() + 10
        while not proxy._live and time.monotonic() < deadline:
            time.sleep(0.01)
        [accepted] = list(proxy._live)
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        sock.sendall(f"Content-Length: {len(REQUEST)}\r\n\r\n".encode() + REQUEST)
        assert sock.recv(65536).startswith(b"HTTP/1.1 ")  # the rest arrives: a normal exchange
