"""The sandbox's own edges: input refused before any state change, bounded reads and shutdown,
bounded callback delivery, TCP_NODELAY, and the Reference length it allows."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.netgiro.sandbox.app import MAX_AMOUNT, MAX_DEPTH, nests_deeper_than
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.sandbox.store import CartStore
from pos.netgiro.signing import signature
from tests.netgiro.fake_servers import raw_server, read_request

APP = FIRST_TEST_APPLICATION
GENEROUS_S = 10.0
"""A bound on what must end by itself: far above what it takes, never a timing measure."""


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    settings = SandboxSettings(state_file=tmp_path / "sandbox.sqlite3", port=0, read_timeout_s=0.5)
    with RunningSandbox(settings) as running:
        yield running


def signed_post(url: str, body: bytes) -> httpx.Response:
    nonce = str(time.time_ns())
    headers = {
        "netgiro_appkey": APP.app_key,
        "netgiro_nonce": nonce,
        "netgiro_signature": signature(APP.secret_key, nonce, url, body),
    }
    return httpx.post(url, content=body, headers=headers, timeout=GENEROUS_S)


def insert(sandbox: RunningSandbox, **fields: Any) -> httpx.Response:
    body = {"Amount": 1990, "Reference": "R1-1", "CustomerId": "8223281", "ConfirmationType": 0}
    body.update(fields)
    return signed_post(sandbox.base_url + "Checkout/InsertCart", json.dumps(body).encode())


def carts(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = httpx.get(
        sandbox.root_url + "sandbox/carts", timeout=GENEROUS_S
    ).json()
    return listed


# --- input refused before any state change (item 9) ---------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"Amount": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "deeper"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "deeper"),
        (json.dumps({"Amount": 10**30, "Reference": "R1-1", "CustomerId": "8223281"}), "Amount"),
        (
            json.dumps({"Amount": MAX_AMOUNT + 1, "Reference": "R1-1", "CustomerId": "8223281"}),
            "Amount",
        ),
        (
            json.dumps({"Amount": 1990, "Reference": "R1-\ud800", "CustomerId": "8223281"}),
            "encoded",
        ),
        (
            json.dumps(
                {
                    "Amount": 1990,
                    "Reference": "R1",
                    "CustomerId": "8223281",
                    "Description": ["\udfff"],
                }
            ),
            "encoded",
        ),
        (
            json.dumps({"\ud800": 1, "Amount": 1990, "Reference": "R1", "CustomerId": "8223281"}),
            "encoded",
        ),
    ],
)
def test_insert_cart_input_that_once_gave_500_is_a_400_and_stores_nothing(
    sandbox: RunningSandbox, body: bytes | str, message: str
) -> None:
    raw = body.encode() if isinstance(body, str) else body
    answer = signed_post(sandbox.base_url + "Checkout/InsertCart", raw)
    assert answer.status_code == 400
    assert answer.json()["Success"] is False
    assert message in answer.json()["Message"]
    assert carts(sandbox) == []


@pytest.mark.parametrize("call", ["CheckCart", "ConfirmCart", "CancelCart"])
def test_a_lone_surrogate_in_a_transaction_id_is_a_400_and_changes_no_cart(
    sandbox: RunningSandbox, call: str
) -> None:
    assert insert(sandbox).json()["Success"] is True
    before = carts(sandbox)
    body = json.dumps({"TransactionId": before[0]["TransactionId"][:-1] + "\ud800"}).encode()
    answer = signed_post(sandbox.base_url + f"Checkout/{call}", body)
    assert answer.status_code == 400
    assert "encoded" in answer.json()["Message"]
    assert carts(sandbox) == before


def test_the_largest_sane_amount_is_still_taken(sandbox: RunningSandbox) -> None:
    assert insert(sandbox, Amount=MAX_AMOUNT).json()["Success"] is True


def test_a_genuine_internal_fault_after_the_cart_is_stored_stays_a_500(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = CartStore.add

    def add_then_fail(self: CartStore, cart: Any) -> Any:
        stored(self, cart)
        raise RuntimeError("the disk went away after the commit")

    monkeypatch.setattr(CartStore, "add", add_then_fail)
    answer = insert(sandbox)
    assert answer.status_code == 500  # never a 400: the client would read it as a decline
    assert len(carts(sandbox)) == 1


# --- the Reference's length (item 11) --------------------------------------------------------


def test_a_reference_past_the_default_32_characters_is_10304(sandbox: RunningSandbox) -> None:
    assert insert(sandbox, Reference="R" * 32).json()["Success"] is True
    answer = insert(sandbox, Reference="R" * 33).json()
    assert (answer["Success"], answer["ResultCode"]) == (False, 10304)
    assert len(carts(sandbox)) == 1


def test_the_maximum_reference_length_is_configurable(tmp_path: Path) -> None:
    settings = SandboxSettings(state_file=tmp_path / "s.sqlite3", port=0, max_reference_length=8)
    with RunningSandbox(settings) as sandbox:
        assert insert(sandbox, Reference="R1-2-3-4").json()["Success"] is True
        assert insert(sandbox, Reference="R1-2-3-45").json()["ResultCode"] == 10304


# --- bounded reads, bounded shutdown, TCP_NODELAY (items 1 and 13) --------------------------


def half_requests(port: int) -> list[socket.socket]:
    """Partial headers, a partial body, and an idle keep-alive connection after an answer."""
    opened = [socket.create_connection(("127.0.0.1", port), timeout=GENEROUS_S) for _ in range(3)]
    partial_head, partial_body, idle = opened
    partial_head.sendall(b"POST /v1/Checkout/CheckCart HTTP/1.1\r\nHost: x\r\nContent-Le")
    partial_body.sendall(
        b"POST /v1/Checkout/CheckCart HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
    )
    idle.sendall(b"GET /sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(65536).startswith(b"HTTP/1.1 200")
    time.sleep(0.05)  # let the server read the partial requests
    return opened


def closed_by_the_server(sock: socket.socket) -> bool:
    try:
        while sock.recv(65536):
            pass
    except ConnectionError:
        pass
    return True


def stop_in_a_thread(sandbox: RunningSandbox) -> threading.Thread:
    stopping = threading.Thread(target=sandbox.stop)
    stopping.start()
    stopping.join(GENEROUS_S)
    return stopping


def test_stop_returns_with_half_sent_requests_and_idle_connections_open(tmp_path: Path) -> None:
    sandbox = RunningSandbox(SandboxSettings(state_file=tmp_path / "s.sqlite3", port=0)).start()
    opened = half_requests(sandbox.port)
    assert not stop_in_a_thread(sandbox).is_alive()  # was: waited for ever on the half body
    for sock in opened:
        assert closed_by_the_server(sock)
        sock.close()


@pytest.mark.parametrize("which", ["partial head", "partial body", "nothing sent"])
def test_a_request_that_does_not_arrive_in_time_is_closed(
    sandbox: RunningSandbox, which: str
) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=GENEROUS_S) as sock:
        if which == "partial head":
            sock.sendall(b"POST /v1/Checkout/CheckCart HTTP/1.1\r\nHost: x\r\nContent-Le")
        elif which == "partial body":
            sock.sendall(
                b"POST /v1/Checkout/CheckCart HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
            )
        while sock.recv(65536):  # the 0.5 s deadline closes it; a timeout here fails the test
            pass


def test_an_accepted_connection_has_tcp_nodelay(sandbox: RunningSandbox) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=GENEROUS_S) as sock:
        sock.sendall(b"GET /sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        server = sandbox._server
        assert server is not None
        [connection] = list(server.server_state.connections)
        accepted = connection.transport.get_extra_info("socket")  # type: ignore[attr-defined]
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# --- callbacks to slow receivers (item 1) ---------------------------------------------------


def trickling(connection: socket.socket, stop: threading.Event) -> None:
    """Answers a byte every 50 ms and never finishes its status line."""
    read_request(connection)
    while not stop.wait(0.05):
        connection.sendall(b"H")


def never_answering(connection: socket.socket, stop: threading.Event) -> None:
    read_request(connection)
    stop.wait(GENEROUS_S * 2)


def server_callback_cart(sandbox: RunningSandbox, callback_url: str) -> str:
    inserted = insert(sandbox, ConfirmationType=1, CallbackUrl=callback_url).json()
    transaction_id = str(inserted["TransactionId"])
    accepted = httpx.post(
        f"{sandbox.root_url}sandbox/carts/{transaction_id}/accept", timeout=GENEROUS_S
    )
    assert accepted.status_code == 200
    return transaction_id


def test_a_receiver_that_answers_a_byte_at_a_time_is_given_up_on(tmp_path: Path) -> None:
    settings = SandboxSettings(
        state_file=tmp_path / "s.sqlite3",
        port=0,
        callback_timeout_s=0.3,
        callback_retry_delay_s=0.05,
    )
    with raw_server(trickling) as base, RunningSandbox(settings) as sandbox:
        callback_url = base.replace("/v1/", "/callback")
        server_callback_cart(sandbox, callback_url)
        deadline = time.monotonic() + GENEROUS_S
        while carts(sandbox)[0]["Status"] != "cancelled" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert carts(sandbox)[0]["ResultCode"] == 10201  # one retry, then cancelled


def test_stop_shuts_a_callback_in_flight_and_joins_its_worker(tmp_path: Path) -> None:
    settings = SandboxSettings(state_file=tmp_path / "s.sqlite3", port=0, callback_timeout_s=60)
    with raw_server(never_answering) as base:
        sandbox = RunningSandbox(settings).start()
        server_callback_cart(sandbox, base.replace("/v1/", "/callback"))
        assert not stop_in_a_thread(sandbox).is_alive()
        workers = [t for t in threading.enumerate() if t.name.startswith("sandbox-callback")]
        assert workers == []  # the store was closed after its last user, not under it


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    return 0


@given(JSON, st.integers(0, 6))
def test_the_depth_check_agrees_with_the_parsed_depth(value: object, limit: int) -> None:
    """Brackets inside strings (escaped quotes included) do not count; nesting does."""
    body = json.dumps(value).encode()
    assert nests_deeper_than(body, limit) == (depth_of(value) > limit)
