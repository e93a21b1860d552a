"""Running the sandbox: embedded in a thread for any ``pos`` command, or in the foreground.

Its carts live in a SQLite state file, so a restarted sandbox, or a second process on the same
file, meets the same carts — as a restarted till would meet the same Netgíró.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from pos.core.errors import PosError
from pos.netgiro.sandbox.app import SandboxApp
from pos.netgiro.sandbox.callbacks import CallbackSender
from pos.netgiro.sandbox.rules import Lifetimes
from pos.netgiro.sandbox.store import CartStore


@dataclass(frozen=True)
class SandboxSettings:
    """Where the sandbox listens and keeps its carts, and every lifetime it keeps."""

    state_file: Path
    host: str = "127.0.0.1"
    port: int = 8765
    """0 picks any free port."""
    cart_ttl_s: float = 180.0
    token_ttl_s: float = 300.0
    reservation_ttl_s: float = 7 * 24 * 3600.0
    poll_interval_ms: int = 3000
    auto_accept_after_s: float | None = None
    """Accept phone-number carts for the customer after this many seconds (demos, smoke tests)."""
    callback_retry_delay_s: float = 2.0
    refuse_cancel_reserved: bool = False
    """Answer CancelCart on a reservation with Success=false (the strict reading of the docs)."""


@dataclass
class _Parts:
    app: Starlette
    store: CartStore
    sender: CallbackSender

    def close(self) -> None:
        self.sender.close()
        self.store.close()


def _build(settings: SandboxSettings) -> _Parts:
    life = Lifetimes(settings.cart_ttl_s, settings.reservation_ttl_s, settings.auto_accept_after_s)
    store = CartStore(settings.state_file, life)
    sender = CallbackSender(store, settings.callback_retry_delay_s)
    app = SandboxApp(
        store,
        sender,
        token_ttl_s=settings.token_ttl_s,
        poll_interval_ms=settings.poll_interval_ms,
        refuse_cancel_reserved=settings.refuse_cancel_reserved,
    )
    return _Parts(app.starlette(), store, sender)


def build_app(settings: SandboxSettings) -> Starlette:
    return _build(settings).app


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PosError(
            f"The Netgíró sandbox cannot listen on {host}:{port} ({exc.strerror}). "
            "Is another sandbox running? Pick another --port.",
            "Sandbox",
        ) from exc
    sock.listen(128)
    return sock


def _server(app: Starlette) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


class RunningSandbox:
    """The sandbox on a loopback port, served from a daemon thread."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._parts: _Parts | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port = settings.port

    def start(self) -> RunningSandbox:
        self._parts = _build(self.settings)
        self._sock = _bind(self.settings.host, self.settings.port)
        self.port = int(self._sock.getsockname()[1])
        self._server = _server(self._parts.app)
        server, sock = self._server, self._sock
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name="netgiro-sandbox",
            daemon=True,
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise PosError("The Netgíró sandbox stopped while starting.", "Sandbox")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        if self._parts is not None:
            self._parts.close()
        self._server = self._thread = self._sock = self._parts = None

    def __enter__(self) -> RunningSandbox:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://{self.settings.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}v1/"

    @property
    def customer_page_url(self) -> str:
        return f"{self.root_url}customer/"


def serve_forever(settings: SandboxSettings, announce: Callable[[str], None] = print) -> None:
    """Serve in the foreground until Ctrl-C (``pos sandbox``)."""
    parts = _build(settings)
    sock = _bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    root = f"http://{settings.host}:{port}/"
    announce(f"Netgíró sandbox API:      {root}v1/")
    announce(f"Customer's phone (page):  {root}customer/")
    announce(f"Carts (JSON):             {root}sandbox/carts")
    announce(f"State file:               {settings.state_file}")
    try:
        _server(parts.app).run(sockets=[sock])
    finally:
        sock.close()
        parts.close()
