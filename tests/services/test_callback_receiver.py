"""The callback receiver over real loopback HTTP with a real journal file.

Its answers (200 for a live attempt or a paid duplicate; 409 for an unknown cart, one being
cancelled, one that ended; 413 past 64 KiB; 400 for invalid identifiers; 403 for forgeries),
what each costs the journal, and that no client can keep it from stopping.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest

from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.core.result_codes import ConfirmationType
from pos.journal import AttemptRecord, Journal, SaleLine
from pos.netgiro.signing import signature
from pos.services.callbacks import CALLBACK_PATH, MAX_CALLBACK_BYTES, CallbackReceiver

SECRET = "the receiver's secret"
TX = "0f3c2a4e-8b1d-4c3e-9a7f-2b6d1e0c5a91"
GENEROUS_S = 10.0
"""A bound on what must end by itself: far above what it takes, never a timing measure."""


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Receiving:
    journal: Journal
    receiver: CallbackReceiver
    url: str
    clock: FakeClock
    notified: list[tuple[str | None, str | None]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def rows(self) -> list[dict[str, object]]:
        return self.journal.callbacks()


@pytest.fixture
async def receiving(tmp_path: Path) -> AsyncIterator[Receiving]:
    journal = Journal(tmp_path / "journal.sqlite3")
    clock = FakeClock()
    notified: list[tuple[str | None, str | None]] = []

    def notify(transaction_id: str | None, reference: str | None) -> bool:
        notified.append((transaction_id, reference))
        return True

    receiver = CallbackReceiver(journal, SECRET, notify, clock=clock, read_timeout_s=0.5)
    url = await receiver.start()
    try:
        yield Receiving(journal, receiver, url, clock, notified)
    finally:
        await receiver.stop()
        journal.close()


def attempt_in(
    journal: Journal,
    phase: Phase,
    *,
    transaction_id: str | None = TX,
    cancel_requested: bool = False,
) -> AttemptRecord:
    sale_id = journal.create_sale("R1", [SaleLine("k", "Keyed", 1990, 1000, 1990)])
    state = Checkout(Phase.INSERTING, CustomerKind.GSM, ConfirmationType.SERVER_CALLBACK)
    attempt = journal.begin_attempt(sale_id, "***-**81", state)
    if phase is not Phase.INSERTING or cancel_requested:
        moved = replace(
            state, phase=phase, transaction_id=transaction_id, cancel_requested=cancel_requested
        )
        journal.record(attempt.id, moved, event="test", point="journal.test")
    return journal.attempt(attempt.id)


def callback_body(transaction_id: object, reference: object, padding: int = 0) -> bytes:
    info = {"TransactionId": transaction_id, "ReferenceNumber": reference, "StatusId": 2}
    answer = {"Success": True, "PaymentSuccessful": True, "ResultCode": 10200, "Message": ""}
    answer["PaymentInfo"] = info  # type: ignore[assignment]
    if padding:
        answer["Padding"] = "x" * padding
    return json.dumps(answer).encode()


def signed_headers(url: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    nonce = str(time.time_ns())
    return {
        "content-type": "application/json",
        "netgiro_nonce": nonce,
        "netgiro_signature": signature(secret, nonce, url, body),
    }


async def post(url: str, body: bytes, secret: str = SECRET) -> httpx.Response:
    async with httpx.AsyncClient(timeout=GENEROUS_S) as http:
        return await http.post(url, content=body, headers=signed_headers(url, body, secret))


# --- what it answers ----------------------------------------------------------------------


async def test_a_live_attempt_is_accepted_and_the_runner_is_told(receiving: Receiving) -> None:
    pending = attempt_in(receiving.journal, Phase.PENDING)
    answer = await post(receiving.url, callback_body(TX, pending.reference))
    assert answer.status_code == 200
    assert receiving.notified == [(TX, pending.reference)]
    [row] = receiving.rows()
    assert (row["transaction_id"], row["verdict"]) == (TX, "accepted")


async def test_a_replayed_callback_gets_the_same_answer_and_costs_nothing(
    receiving: Receiving,
) -> None:
    """A signed callback sent again byte for byte (same nonce): answered, never rate-limited,
    but no second journal row and no second CheckCart."""
    pending = attempt_in(receiving.journal, Phase.PENDING)
    body = callback_body(TX, pending.reference)
    headers = signed_headers(receiving.url, body)
    async with httpx.AsyncClient(timeout=GENEROUS_S) as http:
        answers = [await http.post(receiving.url, content=body, headers=headers) for _ in range(20)]
    assert [a.status_code for a in answers] == [200] * 20
    assert receiving.notified == [(TX, pending.reference)]
    assert [row["verdict"] for row in receiving.rows()] == ["accepted"]
    fresh = await post(receiving.url, body)  # Netgíró's own retry signs with a new nonce
    assert fresh.status_code == 200
    assert len(receiving.notified) == 2


async def test_an_inserting_attempt_is_matched_by_its_reference(receiving: Receiving) -> None:
    inserting = attempt_in(receiving.journal, Phase.INSERTING, transaction_id=None)
    answer = await post(receiving.url, callback_body(TX, inserting.reference))
    assert answer.status_code == 200
    assert receiving.notified == [(TX, inserting.reference)]


@pytest.mark.parametrize(
    ("phase", "cancel_requested", "verdict"),
    [
        (None, False, "unknown cart"),
        (Phase.CANCELLING, False, "attempt is being cancelled"),
        (Phase.PENDING, True, "attempt is being cancelled"),
        (Phase.CANCELLED, False, "attempt is over"),
        (Phase.DECLINED, False, "attempt is over"),
        (Phase.FAILED, False, "attempt is over"),
    ],
)
async def test_a_signed_callback_netgiro_must_cancel_is_answered_409(
    receiving: Receiving, phase: Phase | None, cancel_requested: bool, verdict: str
) -> None:
    reference = "R1-none-1-1"
    if phase is not None:
        attempt = attempt_in(receiving.journal, phase, cancel_requested=cancel_requested)
        reference = attempt.reference
    answer = await post(receiving.url, callback_body(TX, reference))
    assert answer.status_code == 409
    assert answer.json()["Message"] == verdict
    assert receiving.notified == []
    assert [row["verdict"] for row in receiving.rows()] == [verdict]


async def test_a_duplicate_for_a_paid_attempt_is_answered_200_and_changes_nothing(
    receiving: Receiving,
) -> None:
    paid = attempt_in(receiving.journal, Phase.PAID)
    events = receiving.journal.attempt_events(paid.id)
    answer = await post(receiving.url, callback_body(TX, paid.reference))
    assert answer.status_code == 200  # a 409 would make Netgíró cancel a paid sale
    assert receiving.notified == []
    assert receiving.journal.attempt_events(paid.id) == events
    assert [row["verdict"] for row in receiving.rows()] == ["duplicate"]


async def test_a_body_past_64_kib_is_answered_413_and_one_at_64_kib_is_read(
    receiving: Receiving,
) -> None:
    pending = attempt_in(receiving.journal, Phase.PENDING)
    just_fits = callback_body(TX, pending.reference)
    just_fits = callback_body(TX, pending.reference, MAX_CALLBACK_BYTES - len(just_fits) - 15)
    assert len(just_fits) == MAX_CALLBACK_BYTES
    assert (await post(receiving.url, just_fits)).status_code == 200
    too_big = callback_body(TX, pending.reference, MAX_CALLBACK_BYTES)
    answer = await post(receiving.url, too_big)
    assert answer.status_code == 413
    assert [row["verdict"] for row in receiving.rows()] == ["accepted", "refused: 1 too large"]


async def test_a_chunked_body_past_64_kib_is_cut_off_at_the_cap(receiving: Receiving) -> None:
    """No Content-Length to refuse early: the cap is counted while reading."""
    pending = attempt_in(receiving.journal, Phase.PENDING)
    too_big = callback_body(TX, pending.reference, MAX_CALLBACK_BYTES)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(too_big), 4096):
            yield too_big[start : start + 4096]

    headers = signed_headers(receiving.url, too_big)
    async with httpx.AsyncClient(timeout=GENEROUS_S) as http:
        answer = await http.post(receiving.url, content=chunks(), headers=headers)
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    assert answer.status_code == 413
    assert receiving.notified == []


async def test_a_declared_length_past_64_kib_is_refused_without_reading_the_body(
    receiving: Receiving,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiving.port)
    writer.write(
        f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n".encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GENEROUS_S)
    assert head.startswith(b"HTTP/1.1 413")
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize(
    ("transaction_id", "reference"),
    [
        ("\ud800", "R1-x-1-1"),  # a lone surrogate: was a 500, which cancels the sale
        (TX, "R1-\ud800-1-1"),
        ("not-a-guid", "R1-x-1-1"),
        (TX, "R1\nX"),
        (TX, "R" * 65),
        (12345, "R1-x-1-1"),
        (TX, {"nested": True}),
    ],
)
async def test_invalid_identifiers_are_400_before_any_journal_lookup(
    receiving: Receiving,
    monkeypatch: pytest.MonkeyPatch,
    transaction_id: object,
    reference: object,
) -> None:
    def no_lookup(*_: object) -> None:
        raise AssertionError("an invalid identifier reached a journal lookup")

    monkeypatch.setattr(receiving.journal, "attempt_by_transaction", no_lookup)
    monkeypatch.setattr(receiving.journal, "attempt_by_reference", no_lookup)
    body = json.dumps(
        {
            "Success": True,
            "PaymentInfo": {"TransactionId": transaction_id, "ReferenceNumber": reference},
        }
    ).encode()
    answer = await post(receiving.url, body)
    assert answer.status_code == 400
    assert receiving.notified == []
    assert [row["verdict"] for row in receiving.rows()] == ["refused: 1 invalid identifier"]


# --- forgeries cost no journal write each; a signed callback is never held up --------------


def forged_request(port: int, number: int) -> bytes:
    body = callback_body(TX, f"R1-forged-{number}")
    head = (
        f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"netgiro_nonce: {number}\r\nnetgiro_signature: {'0' * 64}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def flood(port: int, count: int, statuses: list[int]) -> None:
    """``count`` forged callbacks pipelined on one keep-alive connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send_all() -> None:
        for number in range(count):
            writer.write(forged_request(port, number))
            if number % 100 == 99:
                await writer.drain()
        await writer.drain()

    sending = asyncio.create_task(send_all())
    for _ in range(count):
        head = await reader.readuntil(b"\r\n\r\n")
        statuses.append(int(head.split()[1]))
        length = re.search(rb"content-length: (\d+)", head, re.I)
        assert length is not None
        await reader.readexactly(int(length.group(1)))
    await sending
    writer.close()
    await writer.wait_closed()


def refused_counts(rows: list[dict[str, object]]) -> list[int]:
    counts = []
    for row in rows:
        found = re.fullmatch(r"refused: (\d+) bad signature", str(row["verdict"]))
        if found:
            counts.append(int(found.group(1)))
    return counts


async def test_10000_forgeries_cost_one_journal_write_a_minute_and_a_signed_callback_gets_200(
    receiving: Receiving,
) -> None:
    pending = attempt_in(receiving.journal, Phase.PENDING)
    statuses: list[int] = []
    connections, each = 8, 1250
    flooding = asyncio.gather(*(flood(receiving.port, each, statuses) for _ in range(connections)))
    while len(statuses) < 2000 and not flooding.done():
        await asyncio.sleep(0.01)
    signed = await post(receiving.url, callback_body(TX, pending.reference))
    assert 2000 <= len(statuses) < connections * each  # answered mid-flood, not after it
    assert signed.status_code == 200
    await asyncio.wait_for(flooding, 120)
    assert statuses == [403] * (connections * each)
    rows = receiving.rows()
    assert [row["verdict"] for row in rows if row["transaction_id"]] == ["accepted"]
    assert len(refused_counts(rows)) == 1  # every forgery within the same minute

    receiving.clock.now += 61  # a minute later the next forgery writes the next summary
    await post(receiving.url, callback_body(TX, "R1-x-1-1"), secret="not the secret")
    assert len(refused_counts(receiving.rows())) == 2
    await receiving.receiver.stop()  # and stopping writes down what is still counted
    assert sum(refused_counts(receiving.rows())) == connections * each + 1


# --- no client keeps it from stopping, or holds a read open ---------------------------------


async def half_requests(port: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """Partial headers, a partial body, and an idle keep-alive connection after an answer."""
    opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
    partial_head, partial_body, idle = (writer for _, writer in opened)
    partial_head.write(f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Le".encode())
    partial_body.write(
        f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode()
    )
    idle.write(forged_request(port, 1))
    for _, writer in opened:
        await writer.drain()
    await asyncio.wait_for(opened[2][0].readuntil(b"\r\n\r\n"), GENEROUS_S)
    await asyncio.sleep(0.05)  # let the server read the partial requests
    return opened


async def closed_by_the_server(reader: asyncio.StreamReader) -> bool:
    """True once the server closed its end (EOF), whatever it answered first."""
    try:
        while await asyncio.wait_for(reader.read(65536), GENEROUS_S):
            pass
    except ConnectionError:
        pass
    return reader.at_eof() or True


async def test_stop_returns_with_half_sent_requests_and_idle_connections_open(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    receiver = CallbackReceiver(journal, SECRET, lambda *_: True)  # the default read deadline
    url = await receiver.start()
    port = int(url.split(":")[2].split("/")[0])
    opened = await half_requests(port)
    await asyncio.wait_for(receiver.stop(), GENEROUS_S)  # was: waited for ever
    for reader, writer in opened:
        assert await closed_by_the_server(reader)
        writer.close()
    journal.close()


@pytest.mark.parametrize("which", ["partial head", "partial body", "nothing sent"])
async def test_a_request_that_does_not_arrive_in_time_is_closed(
    receiving: Receiving, which: str
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiving.port)
    if which == "partial head":
        writer.write(f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Le".encode())
    elif which == "partial body":
        writer.write(
            f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode()
        )
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), GENEROUS_S)  # the 0.5 s deadline closes it
    while data:
        data = await asyncio.wait_for(reader.read(65536), GENEROUS_S)
    assert reader.at_eof()
    writer.close()
    await writer.wait_closed()


async def test_a_pipelined_request_whose_body_never_comes_is_closed(
    receiving: Receiving,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiving.port)
    writer.write(
        forged_request(receiving.port, 1)
        + f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode()
    )
    await writer.drain()
    first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GENEROUS_S)
    assert first.startswith(b"HTTP/1.1 403")
    while await asyncio.wait_for(reader.read(65536), GENEROUS_S):  # the deadline closes it
        pass
    assert reader.at_eof()
    writer.close()
    await writer.wait_closed()


async def test_an_accepted_connection_has_tcp_nodelay(receiving: Receiving) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiving.port)
    writer.write(forged_request(receiving.port, 1))
    await writer.drain()
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GENEROUS_S)
    server = receiving.receiver._server
    assert server is not None
    [connection] = server.server_state.connections
    accepted = connection.transport.get_extra_info("socket")  # type: ignore[attr-defined]
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    writer.close()
    await writer.wait_closed()


async def test_the_receiver_leaves_ctrl_c_to_the_till(tmp_path: Path) -> None:
    """uvicorn's own serve() took SIGINT in the main thread: Ctrl-C stopped the receiver
    instead of pressing Cancel on the payment."""
    pressed: list[int] = []
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, lambda: pressed.append(1))
    journal = Journal(tmp_path / "journal.sqlite3")
    receiver = CallbackReceiver(journal, SECRET, lambda *_: True)
    try:
        await receiver.start()
        signal.raise_signal(signal.SIGINT)
        for _ in range(100):
            if pressed:
                break
            await asyncio.sleep(0.01)
        assert pressed == [1]
        assert receiver._server is not None and not receiver._server.should_exit
    finally:
        await receiver.stop()
        loop.remove_signal_handler(signal.SIGINT)
        journal.close()
