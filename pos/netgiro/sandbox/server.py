"""Running the sandbox: embedded in a thread for any ``pos`` command, or in the foreground.

Its carts live in a SQLite state file, so a restarted sandbox, or a second process on the same
file, meets the same carts — as a restarted till would meet the same Netgíró.
"""

from __future__ import annotations

import asyncio
import logging
import os
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
from pos.netgiro.sandbox.limits import MAX_REFERENCE_LENGTH
from pos.netgiro.sandbox.rules import Lifetimes
from pos.netgiro.sandbox.store import CartStore
from pos.netgiro.serving import READ_TIMEOUT_S, bounded_server, listen_tcp

log = logging.getLogger(__name__)

STATE_FOLDER = "sandbox"
STATE_FILE = "sandbox.sqlite3"
STOP_WITHIN_S = 3.0


def state_file_in(data_dir: Path) -> Path:
    """The embedded sandbox's carts: a 0700 folder of their own beside the register's data.

    They hold full customer ids, so they never share the journal's files or its folder's
    looser neighbours. A state file left at the old place (``data_dir/sandbox.sqlite3``) is
    moved in, with its ``-wal`` and ``-shm``, so a restarted till meets the same carts.
    """
    folder = data_dir / STATE_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    state_file = folder / STATE_FILE
    old = data_dir / STATE_FILE
    if old.exists() and not state_file.exists():
        for suffix in ("-wal", "-shm", ""):
            moved = old.with_name(old.name + suffix)
            if moved.exists():
                moved.replace(state_file.with_name(state_file.name + suffix))
    return state_file


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
    callback_timeout_s: float = 5.0
    """One deadline for all of a callback's delivery: connect, send, the answer's status line."""
    refuse_cancel_reserved: bool = False
    """Answer CancelCart on a reservation with Success=false (the strict reading of the docs)."""
    max_reference_length: int = MAX_REFERENCE_LENGTH
    """A longer Reference is refused with 10304 (the cart is not valid)."""
    read_timeout_s: float = READ_TIMEOUT_S
    """A request (head and body) must arrive whole within this."""


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
    sender = CallbackSender(store, settings.callback_retry_delay_s, settings.callback_timeout_s)
    app = SandboxApp(
        store,
        sender,
        token_ttl_s=settings.token_ttl_s,
        poll_interval_ms=settings.poll_interval_ms,
        refuse_cancel_reserved=settings.refuse_cancel_reserved,
        max_reference_length=settings.max_reference_length,
    )
    return _Parts(app.starlette(), store, sender)


def build_app(settings: SandboxSettings) -> Starlette:
    return _build(settings).app


def _bind(host: str, port: int) -> socket.socket:
    try:
        return listen_tcp(host, port)
    except OSError as exc:
        raise PosError(
            f"The Netgíró sandbox cannot listen on {host}:{port} ({exc.strerror}). "
            "Is another sandbox running? Pick another --port.",
            "Sandbox",
        ) from exc


def _server(
    app: Starlette, settings: SandboxSettings, *, foreground: bool = False
) -> uvicorn.Server:
    return bounded_server(app, settings.read_timeout_s, foreground=foreground)


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
        self._server = _server(self._parts.app, self.settings)
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
        """Stop serving within a few seconds, whatever the clients are doing."""
        server, thread, sock, parts = self._server, self._thread, self._sock, self._parts
        self._server = self._thread = self._sock = self._parts = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=STOP_WITHIN_S)
        if sock is not None:
            sock.close()
        if parts is None:
            return
        if thread is not None and thread.is_alive():
            # Closing the store under a thread that still serves would break its requests.
            log.warning("the sandbox did not stop in %s s; its store is left open", STOP_WITHIN_S)
            parts.sender.close()
            return
        parts.close()

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
        _server(parts.app, settings, foreground=True).run(sockets=[sock])
    finally:
        sock.close()
        parts.close()
