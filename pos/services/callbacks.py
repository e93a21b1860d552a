"""The server-callback receiver: a verified callback is a reason to CheckCart now, never proof.

It checks the signature over the raw body in constant time (signed with the CallbackUrl we
sent) before anything else, validates the identifiers, journals the callback before answering,
and answers 200 for an attempt that is live and not being cancelled (INSERTING included: a
callback can beat InsertCart's answer, so it is matched by ``ReferenceNumber`` too) or that
already ended PAID (a duplicate); otherwise 409, which tells Netgíró to cancel.

Bad requests (forgeries, invalid identifiers, oversized or unreadable bodies) change nothing
and cost no journal write each: they are counted in memory and summed up in one journal row a
minute at most. A correctly signed callback is never rate-limited or delayed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import socket
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pos.core.checkout import Phase
from pos.core.errors import PosError
from pos.journal import Journal
from pos.netgiro.serving import bounded_server, listen_tcp
from pos.netgiro.signing import signature, signature_matches

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64 * 1024
CALLBACK_PATH = "/netgiro/callback"
SUMMARY_EVERY_S = 60.0
STOP_WITHIN_S = 3.0
REMEMBERED_CALLBACKS = 4096
TRANSACTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
REFERENCE = re.compile(r"[!-~]{1,64}")
"""Our own Reference echoed back: printable ASCII, no space, at most 64 characters."""

Notify = Callable[[str | None, str | None], bool]


class InvalidIdentifier(ValueError):
    """A callback's TransactionId or ReferenceNumber is not one the till could have sent."""


class _Refusals:
    """Bad requests counted in memory; the journal gets one summary row a minute at most."""

    def __init__(self, journal: Journal, clock: Callable[[], float]) -> None:
        self._journal = journal
        self._clock = clock
        self._pending: Counter[str] = Counter()
        self._last_digest = ""
        self._written_at: float | None = None
        self.total = 0

    def note(self, reason: str, digest: str) -> None:
        self._pending[reason] += 1
        self._last_digest = digest
        self.total += 1
        now = self._clock()
        if self._written_at is None or now - self._written_at >= SUMMARY_EVERY_S:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        if not self._pending:
            return
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(self._pending.items()))
        self._written_at = self._clock() if now is None else now
        self._pending.clear()
        try:
            self._journal.record_callback(None, None, self._last_digest, f"refused: {counts}")
        except Exception:  # a summary is worth less than answering the next request
            log.exception("could not journal the refused callbacks (%s)", counts)
        log.warning("callback requests refused: %s", counts)


class CallbackReceiver:
    """A small ASGI app plus the loopback server that runs it inside the paying process."""

    def __init__(
        self,
        journal: Journal,
        secret_key: str,
        notify: Notify,
        *,
        clock: Callable[[], float] = time.monotonic,
        read_timeout_s: float | None = None,
    ) -> None:
        self._journal = journal
        self._secret_key = secret_key
        self._notify = notify
        self._read_timeout_s = read_timeout_s
        self.refusals = _Refusals(journal, clock)
        self.public_url = ""
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.app = Starlette(routes=[Route(CALLBACK_PATH, self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> JSONResponse:
        try:
            body = await _read_capped(request)
        except ClientDisconnect:
            self.refusals.note("unfinished", "")
            return JSONResponse({"Message": "unfinished request"}, status_code=400)
        if body is None:
            self.refusals.note("too large", "")
            return JSONResponse({"Message": "body too large"}, status_code=413)
        digest = hashlib.sha256(body).hexdigest()
        if not self._signed_by_netgiro(request, body):
            self.refusals.note("bad signature", digest)
            return JSONResponse({"Message": "bad signature"}, status_code=403)
        try:
            transaction_id, reference = _identify(body)
        except InvalidIdentifier as exc:
            self.refusals.note("invalid identifier", digest)
            return JSONResponse({"Message": str(exc)}, status_code=400)
        verdict = self._verdict(transaction_id, reference)
        if self._first_time(request.headers.get("netgiro_nonce", ""), digest):
            self._journal.record_callback(transaction_id, reference, digest, verdict)
            if verdict == "accepted":
                self._notify(transaction_id, reference)
        # A byte-identical replay (same nonce, same body) gets the same answer, and nothing else:
        # no journal write, no CheckCart.
        if verdict not in ("accepted", "duplicate"):
            return JSONResponse({"Message": verdict}, status_code=409)
        return JSONResponse({"Message": "ok"}, status_code=200)

    def _first_time(self, nonce: str, digest: str) -> bool:
        key = (nonce, digest)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > REMEMBERED_CALLBACKS:
            self._seen.popitem(last=False)
        return True

    def _signed_by_netgiro(self, request: Request, body: bytes) -> bool:
        nonce = request.headers.get("netgiro_nonce", "")
        given = request.headers.get("netgiro_signature", "")
        if not nonce or not given:
            return False
        expected = signature(self._secret_key, nonce, self.public_url, body)
        return signature_matches(expected, given)

    def _verdict(self, transaction_id: str | None, reference: str | None) -> str:
        attempt = None
        if transaction_id:
            attempt = self._journal.attempt_by_transaction(transaction_id)
        if attempt is None and reference:
            attempt = self._journal.attempt_by_reference(reference)
        if attempt is None:
            return "unknown cart"
        state = attempt.state
        if state.phase is Phase.PAID:
            return "duplicate"  # Netgíró repeating itself: a 409 would cancel a paid sale
        if state.is_final:
            return "attempt is over"
        if state.phase is Phase.CANCELLING or state.cancel_requested:
            return "attempt is being cancelled"
        return "accepted"

    async def start(self, listen: str = "127.0.0.1:0", public_url: str | None = None) -> str:
        """Serve on ``host:port`` (port 0: any); returns the CallbackUrl to send to Netgíró."""
        listen_host, _, listen_port = listen.rpartition(":")
        listen_host = listen_host or "127.0.0.1"
        try:
            sock = listen_tcp(listen_host, int(listen_port or 0))
        except (OSError, ValueError, OverflowError) as exc:
            raise PosError(
                f"The callback receiver cannot listen on {listen!r} ({exc}); "
                "check netgiro.callback_listen.",
                "Callbacks",
            ) from exc
        self._sock = sock
        port = sock.getsockname()[1]
        if self._read_timeout_s is None:
            self._server = bounded_server(self.app)
        else:
            self._server = bounded_server(self.app, self._read_timeout_s)
        self._task = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                raise PosError("The callback receiver could not start.", "Callbacks")
            await asyncio.sleep(0.01)
        self.public_url = public_url or f"http://{listen_host}:{port}{CALLBACK_PATH}"
        return self.public_url

    async def stop(self) -> None:
        """Stop serving, within a few seconds whatever the clients are doing."""
        server, task, sock = self._server, self._task, self._sock
        self._server = self._task = self._sock = None
        if server is None or task is None or sock is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(task, STOP_WITHIN_S)
        except TimeoutError:
            log.warning("the callback receiver did not stop in %s s; abandoned", STOP_WITHIN_S)
        sock.close()
        self.refusals.flush()


async def _read_capped(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and len(declared) < 20 and int(declared) > MAX_CALLBACK_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CALLBACK_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _identify(body: bytes) -> tuple[str | None, str | None]:
    """The cart a callback speaks of: its TransactionId and our Reference, when readable.

    An unreadable body names no cart; an identifier that is present but not one the till
    could have sent raises ``InvalidIdentifier`` (it must reach no journal lookup).
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None, None
    info = _key(data, "PaymentInfo")
    if not isinstance(info, dict):
        return None, None
    transaction_id = _identifier(_key(info, "TransactionId"), TRANSACTION_ID, "TransactionId")
    reference = _identifier(_key(info, "ReferenceNumber"), REFERENCE, "ReferenceNumber")
    return transaction_id, reference


def _key(data: object, name: str) -> Any:
    """``data[name]`` with the key in any case; ``None`` when absent or ``data`` is no object."""
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _identifier(value: object, shape: re.Pattern[str], name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isascii() or shape.fullmatch(value) is None:
        raise InvalidIdentifier(f"{name} is not a valid identifier.")
    return value
