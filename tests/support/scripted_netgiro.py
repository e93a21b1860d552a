"""A scriptable fake Netgíró on loopback: each call answers what the test's script says.

Unlike the sandbox it keeps no rules of its own: a script (a function of the call's name, its
JSON body and how many times that call came before) returns a ``Reply`` — any status, any body,
any header, answered at once, a byte at a time (a slow drip), or never. It records every call
with the moment it arrived, so tests can count CancelCarts or see what came first. It checks no
signature: the client's signing has its own tests against the sandbox.

Real sockets, real HTTP/1.1 over loopback, one thread per connection; stopping it closes every
socket and joins every thread.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

TX = "5b1c2d3e-0000-4000-8000-0000000000a1"
OTHER_TX = "5b1c2d3e-0000-4000-8000-0000000000b2"


@dataclass(frozen=True)
class Reply:
    """One answer: JSON ``body`` (or ``raw`` bytes), a status, headers, and how it is sent."""

    body: Any = None
    status: int = 200
    raw: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("netgiro_referenceId", "scripted-1"),)
    drip_s: float = 0.0
    """Seconds between single bytes of the whole answer (head included); 0: all at once."""
    hang: bool = False
    """Read the request, then say nothing until the server stops."""

    def payload(self) -> bytes:
        body = self.raw if self.raw is not None else json.dumps(self.body).encode("utf-8")
        head = f"HTTP/1.1 {self.status} Scripted\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in self.headers)
        return head.encode("latin-1") + b"\r\n" + body


@dataclass(frozen=True)
class Call:
    """One request as it arrived."""

    name: str  # "InsertCart", "CheckCart", "ConfirmCart", "CancelCart"
    body: dict[str, Any]
    at: float  # time.monotonic() when the request was read


Script = Callable[[str, dict[str, Any], int], Reply]
"""``(call name, request body, how many of that call came before) -> Reply``."""


@dataclass
class ScriptedNetgiro:
    base_url: str
    calls: list[Call] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call.name == name)

    def times(self, name: str) -> list[float]:
        return [call.at for call in self.calls if call.name == name]


# --- answers a script can return ----------------------------------------------------------


def inserted(tx: str = TX, interval_ms: int | None = 500, **extra: Any) -> Reply:
    body = {"Success": True, "ResultCode": 200, "Message": "", "TransactionId": tx}
    if interval_ms is not None:
        body["ProcessCartCheckIntervalMiliseconds"] = interval_ms
    body.update(extra)
    return Reply(body)


def cart(
    code: int,
    *,
    success: bool = True,
    paid: bool | None = None,
    message: str = "",
    info: dict[str, Any] | None = None,
) -> Reply:
    """A CheckCart / ConfirmCart / CancelCart answer; PaymentSuccessful follows 10200 unless told."""
    payment_successful = code == 10200 and success if paid is None else paid
    payment_info: dict[str, Any] = {"TransactionId": TX, "StatusId": 1}
    if payment_successful:
        payment_info.update({"StatusId": 2, "InvoiceNumber": 4242})
    payment_info.update(info or {})
    return Reply(
        {
            "Success": success,
            "PaymentSuccessful": payment_successful,
            "ResultCode": code,
            "Message": message,
            "PaymentInfo": payment_info,
        }
    )


def sequence(*replies: Reply) -> Callable[[int], Reply]:
    """The n-th reply for the n-th call; the last one for ever after."""
    return lambda n: replies[min(n, len(replies) - 1)]


def by_call(**per_call: Callable[[int], Reply] | Reply) -> Script:
    """A script from one reply (or one ``sequence``) per call name."""

    def script(name: str, body: dict[str, Any], n: int) -> Reply:
        chosen = per_call.get(name)
        if chosen is None:
            return Reply({"Success": False, "ResultCode": 400, "Message": f"unscripted {name}"})
        return chosen if isinstance(chosen, Reply) else chosen(n)

    return script


# --- the server ---------------------------------------------------------------------------


@contextmanager
def scripted_netgiro(script: Script) -> Iterator[ScriptedNetgiro]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    stop = threading.Event()
    lock = threading.Lock()
    server = ScriptedNetgiro(f"http://127.0.0.1:{listener.getsockname()[1]}/v1/")
    workers: list[threading.Thread] = []

    def serve_one(connection: socket.socket) -> None:
        with connection, suppress(OSError):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.settimeout(5)
            name, body = _read_request(connection)
            if not name:
                return
            with lock:
                n = server.count(name)
                server.calls.append(Call(name, body, time.monotonic()))
            _send(connection, script(name, body, n), stop)

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=serve_one, args=(connection,), daemon=True)
            workers.append(worker)
            worker.start()

    thread = threading.Thread(target=accept_loop, name="scripted-netgiro", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for worker in workers:
            worker.join(timeout=5)


def _send(connection: socket.socket, reply: Reply, stop: threading.Event) -> None:
    if reply.hang:
        stop.wait(60)
        return
    payload = reply.payload()
    if reply.drip_s <= 0:
        connection.sendall(payload)
        return
    for index in range(len(payload)):
        if stop.wait(reply.drip_s):
            return
        connection.sendall(payload[index : index + 1])


def _read_request(connection: socket.socket) -> tuple[str, dict[str, Any]]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return "", {}
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    path = lines[0].split(b" ")[1].decode("ascii")
    length = 0
    for line in lines[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    name = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    parsed = json.loads(body) if body else {}
    return name, parsed if isinstance(parsed, dict) else {}
