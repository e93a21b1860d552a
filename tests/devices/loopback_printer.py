"""A printer on a real loopback TCP port, for tests: records bytes, answers status, or misbehaves."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class LoopbackPrinter:
    """``mode``: ``record`` everything; ``reset_after`` N bytes (RST); ``never_read`` (stalls)."""

    mode: str = "record"
    reset_after: int = 0
    replies: dict[int, bytes] = field(default_factory=dict)
    received: list[bytes] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        if self.mode == "never_read":
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def data(self) -> bytes:
        return b"".join(self.received)

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == "never_read":
                self._held.append(conn)
                continue
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        chunks = bytearray()
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks += chunk
                self._answer(conn, chunk)
                if self.mode == "reset_after" and len(chunks) >= self.reset_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
        self.received.append(bytes(chunks))

    def _answer(self, conn: socket.socket, chunk: bytes) -> None:
        at = chunk.find(b"\x10\x04")
        while at >= 0 and at + 2 < len(chunk):
            reply = self.replies.get(chunk[at + 2])
            if reply:
                conn.sendall(reply)
            at = chunk.find(b"\x10\x04", at + 3)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()


@contextmanager
def loopback_printer(**kwargs: object) -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter(**kwargs)  # type: ignore[arg-type]
    try:
        yield printer
    finally:
        printer.close()


def closed_port() -> int:
    """A loopback port nobody listens on (connect is refused)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])
