"""The server-callback receiver: a verified callback is a reason to CheckCart now, never proof.

It checks the signature over the raw body in constant time (signed with the CallbackUrl we
sent), journals the callback before answering, and answers 200 for an attempt that is live and
not being cancelled (INSERTING included: a callback can beat InsertCart's answer, so it is
matched by ``ReferenceNumber`` too), otherwise 409, which tells Netgíró to cancel.
Forgeries get 403 and change nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pos.core.checkout import Phase
from pos.core.errors import PosError
from pos.journal import Journal
from pos.netgiro.answers import parse_cart_answer
from pos.netgiro.signing import signature, signature_matches

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64 * 1024
CALLBACK_PATH = "/netgiro/callback"

Notify = Callable[[str | None, str | None], bool]


class CallbackReceiver:
    """A small ASGI app plus the loopback server that runs it inside the paying process."""

    def __init__(self, journal: Journal, secret_key: str, notify: Notify) -> None:
        self._journal = journal
        self._secret_key = secret_key
        self._notify = notify
        self.public_url = ""
        self._server: uvicorn.Server | None = None
        self.app = Starlette(routes=[Route(CALLBACK_PATH, self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> JSONResponse:
        body = await _read_capped(request)
        if body is None:
            return JSONResponse({"Message": "body too large"}, status_code=413)
        digest = hashlib.sha256(body).hexdigest()
        if not self._signed_by_netgiro(request, body):
            self._journal.record_callback(None, None, digest, "forged")
            log.warning("callback with a bad signature refused")
            return JSONResponse({"Message": "bad signature"}, status_code=403)
        transaction_id, reference = _identify(body)
        verdict = self._verdict(transaction_id, reference)
        self._journal.record_callback(transaction_id, reference, digest, verdict)
        if verdict != "accepted":
            return JSONResponse({"Message": verdict}, status_code=409)
        self._notify(transaction_id, reference)
        return JSONResponse({"Message": "ok"}, status_code=200)

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
        if state.is_final:
            return "attempt is over"
        if state.phase is Phase.CANCELLING or state.cancel_requested:
            return "attempt is being cancelled"
        return "accepted"

    async def start(self, listen: str = "127.0.0.1:0", public_url: str | None = None) -> str:
        """Serve on ``host:port`` (port 0: any); returns the CallbackUrl to send to Netgíró."""
        listen_host, _, listen_port = listen.rpartition(":")
        listen_host = listen_host or "127.0.0.1"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((listen_host, int(listen_port or 0)))
        except (OSError, ValueError) as exc:
            sock.close()
            raise PosError(
                f"The callback receiver cannot listen on {listen!r} ({exc}); "
                "check netgiro.callback_listen.",
                "Callbacks",
            ) from exc
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._sockets = [sock]
        self._task = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                raise PosError("The callback receiver could not start.", "Callbacks")
            await asyncio.sleep(0.01)
        self.public_url = public_url or f"http://{listen_host}:{port}{CALLBACK_PATH}"
        return self.public_url

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        await self._task
        for sock in self._sockets:
            sock.close()
        self._server = None


async def _read_capped(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CALLBACK_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _identify(body: bytes) -> tuple[str | None, str | None]:
    """The cart a callback speaks of: its TransactionId and our Reference, when readable."""
    try:
        answer = parse_cart_answer(json.loads(body), None)
    except (ValueError, PosError):
        return None, None
    info = answer.payment_info
    if info is None:
        return None, None
    return info.transaction_id or None, info.reference_number
