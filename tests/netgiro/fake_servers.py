"""Tiny loopback servers for real faults: raw sockets on a thread, and a callback receiver.

Every server here closes its sockets and joins its threads on exit, so tests stay warning-free.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[socket.socket, threading.Event], None]
"""Handles one accepted connection; the event is set when the server shuts down."""


def refused_port() -> int:
    """A loopback port nobody listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BacklogNotFilled(RuntimeError):
    """The kernel kept completing connections: a connect timeout cannot be staged here."""


@contextmanager
def full_backlog() -> Iterator[str]:
    """A listener that never accepts and whose accept queue is full; yields a ``/v1/`` base URL.

    With ``listen(0)`` Linux queues one connection and then drops every further SYN without a
    SYN-ACK or an RST, so a client's ``connect()`` hangs until its own connect timeout. Filler
    sockets connect until one of them hangs (the queue is full), then stay open.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        if not _fill(address, fillers):
            raise BacklogNotFilled(f"{len(fillers)} connections completed without accept()")
        yield f"http://127.0.0.1:{address[1]}/v1/"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def _fill(address: tuple[str, int], fillers: list[socket.socket]) -> bool:
    """Connect until a connect hangs (the queue is full); False if none ever did."""
    for _ in range(16):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        fillers.append(filler)
        filler.settimeout(0.25)  # a loopback connect that is not dropped takes microseconds
        try:
            filler.connect(address)
        except TimeoutError:
            return True
    return False


@contextmanager
def raw_server(handle: Handler) -> Iterator[str]:
    """A loopback listener whose connections go to ``handle``; yields a ``/v1/`` base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def serve_one(connection: socket.socket) -> None:
        with connection, suppress(OSError):  # OSError: the client hung up first
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.settimeout(5)
            handle(connection, stop)

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

    thread = threading.Thread(target=accept_loop, name="fake-netgiro", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for worker in workers:
            worker.join(timeout=5)


def read_request(connection: socket.socket) -> bytes:
    """Read one HTTP/1.1 request (head and Content-Length body); return its body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return body


def answering(status: int, body: bytes, content_type: str = "application/json") -> Handler:
    """Reads the request, then sends a complete answer with this status and body."""

    def handle(connection: socket.socket, stop: threading.Event) -> None:
        read_request(connection)
        head = (
            f"HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nnetgiro_referenceId: ref-1\r\n"
            "Connection: close\r\n\r\n"
        )
        connection.sendall(head.encode("ascii") + body)

    return handle


def never_answering(connection: socket.socket, stop: threading.Event) -> None:
    """Accepts and never says a word, until the server shuts down."""
    stop.wait(10)


def half_answering(connection: socket.socket, stop: threading.Event) -> None:
    """Reads the request, sends a head promising 200 bytes and a few of them, then closes."""
    read_request(connection)
    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n{"Success":tr')


@dataclass
class ReceivedCallback:
    """One callback as it arrived: its path, its headers and its raw body."""

    path: str
    headers: dict[str, str]
    body: bytes
    no_delay: bool = False
    """TCP_NODELAY was set on the accepted connection."""


@dataclass
class CallbackReceiver:
    """What a loopback callback receiver saw, and the switches that shape its answers."""

    status: int = 200
    hold: bool = False
    """Keep each answer back until ``release`` is set (to watch the cart wait for it)."""
    received: list[ReceivedCallback] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


@contextmanager
def callback_receiver(status: int = 200, *, hold: bool = False) -> Iterator[CallbackReceiver]:
    """A loopback HTTP server that records callbacks and answers ``status``."""
    receiver = CallbackReceiver(status=status, hold=hold)

    class Handle(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # answers go out at once, not after a delayed ACK

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            no_delay = self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            receiver.received.append(
                ReceivedCallback(self.path, dict(self.headers), body, no_delay)
            )
            receiver.arrived.set()
            if receiver.hold:
                receiver.release.wait(10)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/callback/paid"
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
