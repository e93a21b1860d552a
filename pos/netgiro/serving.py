"""Loopback HTTP serving with every read bounded: the sandbox and the till's callback receiver.

uvicorn alone waits for ever on a client that sends half a request: its keep-alive timer only
runs between requests, and a graceful shutdown waits for a request whose body never comes. Here
a request must arrive whole (head and body) within ``read_timeout_s`` of its first byte (or of
the connection's opening), a shutdown closes connections that are still sending, and answers go
out at once (``TCP_NODELAY``: no ~40 ms wait for a delayed ACK).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

READ_TIMEOUT_S = 10.0
"""A whole request (head and body) must arrive within this; Netgíró's answers are small."""
KEEP_ALIVE_S = 5
"""An idle keep-alive connection is closed after this."""
GRACE_S = 1
"""A shutdown waits at most this long for requests being answered, then cancels them."""


def listen_tcp(host: str, port: int, backlog: int = 128) -> socket.socket:
    """A listening TCP socket; raises OSError (or ValueError for a bad host) as bind does.

    ``IPPROTO_TCP`` is named so asyncio recognises the accepted sockets as TCP and sets
    ``TCP_NODELAY`` on them.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


class BoundedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline on each request's arrival."""

    read_timeout_s: ClassVar[float] = READ_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._reading():
            self._arm()
        super().data_received(data)
        if not self._reading():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.SEND_BODY:  # a pipelined request, its body still due
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        # A request still arriving will never be answered: close it now instead of waiting.
        if self.cycle is not None and not self.cycle.response_complete and self._reading():
            self.transport.close()
            return
        super().shutdown()

    def _reading(self) -> bool:
        """True while the client is sending a request: part of its head, or its body."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def _arm(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self.read_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if self._reading() and not self.transport.is_closing():
            self.transport.close()


def bounded_protocol(read_timeout_s: float) -> type[BoundedH11]:
    """``BoundedH11`` with its own read deadline (tests use short ones)."""

    class Custom(BoundedH11):
        pass

    Custom.read_timeout_s = read_timeout_s
    return Custom


class LoopbackServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone.

    uvicorn's own ``capture_signals`` replaces SIGINT in the main thread, so Ctrl-C during a
    payment would stop the callback receiver instead of pressing Cancel.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bounded_server(
    app: Any, read_timeout_s: float = READ_TIMEOUT_S, *, foreground: bool = False
) -> uvicorn.Server:
    """A server with bounded reads; ``foreground`` lets uvicorn take Ctrl-C (``pos sandbox``)."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http=bounded_protocol(read_timeout_s),
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACE_S,
    )
    return uvicorn.Server(config) if foreground else LoopbackServer(config)
