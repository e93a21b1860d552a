"""Server callbacks, sent off the request path: signed like requests, over the raw body.

Type 1 (server callback) waits for the callback's 200: one retry, then the cart is cancelled
(as Netgíró's newer API does). For types 0 and 2 a callback is only a notice.

Each delivery has one deadline for all of it (connect, send, the status line), so a receiver
that answers a byte at a time holds a worker for seconds, not for ever; closing the sender
shuts the sockets still in flight and waits for its workers, so the store outlives them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urlsplit

from pos.core.addresses import is_loopback
from pos.core.public_test_data import TEST_APPLICATIONS
from pos.core.result_codes import ConfirmationType, ResultCode
from pos.netgiro.sandbox import rules
from pos.netgiro.sandbox.rules import Cart, cart_answer
from pos.netgiro.sandbox.store import CartStore
from pos.netgiro.signing import signature

log = logging.getLogger(__name__)
SECRETS = {app.app_key.lower(): app.secret_key for app in TEST_APPLICATIONS}


class CallbackSender:
    """Sends callbacks on worker threads and applies what their answers mean to the cart."""

    def __init__(self, store: CartStore, retry_delay_s: float, timeout_s: float = 5.0) -> None:
        self._store = store
        self._retry_delay_s = retry_delay_s
        self._timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sandbox-callback")
        self._closed = threading.Event()
        self._in_flight: set[socket.socket] = set()
        self._lock = threading.Lock()

    def send(self, cart: Cart, kind: str, app_key: str) -> None:
        with self._lock:
            if not self._closed.is_set():
                self._pool.submit(self._deliver, cart, kind, app_key)

    def close(self) -> None:
        """Stop at once: queued callbacks are dropped, sockets in flight shut, workers joined."""
        with self._lock:
            self._closed.set()
            for sock in self._in_flight:
                _shut(sock)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _deliver(self, cart: Cart, kind: str, app_key: str) -> None:
        try:
            if kind == "cancelled":
                self._post(
                    cart.callback_cancel_url,
                    cart_answer(cart, ResultCode.PAYMENT_CANCELED),
                    app_key,
                )
            elif cart.confirmation == ConfirmationType.SERVER_CALLBACK:
                self._deliver_required(cart, app_key)
            else:
                self._post(
                    cart.callback_url, cart_answer(cart, rules.CODE_OF_STATUS[cart.status]), app_key
                )
        except Exception:  # a broken receiver must never take the sandbox down
            log.exception("callback delivery failed")

    def _deliver_required(self, cart: Cart, app_key: str) -> None:
        body = cart_answer(replace(cart, status=rules.PAID), ResultCode.PAYMENT_CONFIRMED)
        for retries_left in (1, 0):
            acknowledged = self._post(cart.callback_url, body, app_key)
            if self._closed.is_set():
                return  # the sandbox is stopping: its store may be closing
            self._store.apply(
                cart.transaction_id, time.time(), _after_callback(acknowledged, retries_left)
            )
            if acknowledged or self._closed.wait(self._retry_delay_s):
                return

    def _post(self, url: str | None, answer: dict[str, object], app_key: str) -> bool:
        if not url or self._closed.is_set() or not _on_this_machine(url):
            return False
        raw = json.dumps(answer, separators=(",", ":")).encode("utf-8")
        nonce = str(time.time_ns() // 100)
        headers = {
            "Content-Type": "application/json",
            "netgiro_appkey": app_key,
            "netgiro_nonce": nonce,
            "netgiro_signature": signature(SECRETS.get(app_key.lower(), ""), nonce, url, raw),
        }
        try:
            return self._status_of(url, raw, headers) == 200
        except (OSError, ValueError) as exc:
            log.info("callback to %s failed: %s", url, type(exc).__name__)
            return False

    def _status_of(self, url: str, raw: bytes, headers: dict[str, str]) -> int:
        """POST ``raw`` and read only the answer's status line, all within one deadline."""
        parts = urlsplit(url)
        if parts.scheme != "http":
            raise ValueError("the sandbox calls back over plain http on loopback only")
        host, port = parts.hostname or "", parts.port or 80
        deadline = time.monotonic() + self._timeout_s
        sock = socket.create_connection((host, port), timeout=self._timeout_s)
        with self._lock:
            if self._closed.is_set():
                sock.close()
                return 0
            self._in_flight.add(sock)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            head = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
            head += [f"{name}: {value}" for name, value in headers.items()]
            head.append(f"Content-Length: {len(raw)}")
            _within(sock, deadline)
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + raw)
            return _read_status(sock, deadline)
        finally:
            with self._lock:
                self._in_flight.discard(sock)
            sock.close()


def _within(sock: socket.socket, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the callback's deadline passed")
    sock.settimeout(left)


def _read_status(sock: socket.socket, deadline: float) -> int:
    """The status code of ``HTTP/1.1 200 OK``; at most 1 KiB is read for it."""
    line = b""
    while b"\n" not in line:
        _within(sock, deadline)
        chunk = sock.recv(1024 - len(line))
        if not chunk or len(line) + len(chunk) >= 1024:
            raise ValueError("no status line")
        line += chunk
    fields = line.split(b"\n", 1)[0].split()
    if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
        raise ValueError("no status line")
    return int(fields[1])


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by its worker
        sock.shutdown(socket.SHUT_RDWR)


def _after_callback(acknowledged: bool, retries_left: int) -> Callable[[Cart], rules.Outcome]:
    def rule(cart: Cart) -> rules.Outcome:
        return rules.Outcome(
            rules.callback_answered(cart, acknowledged=acknowledged, retries_left=retries_left), {}
        )

    return rule


def _on_this_machine(url: str) -> bool:
    """The sandbox only calls back to loopback: it is a local test double, not a web client."""
    host = urlsplit(url).hostname
    return host is not None and is_loopback(host)
