"""The async Netgíró checkout client: signed requests, typed answers, errors that say what is safe.

Every failure is translated here, at the boundary, into what the caller may do next:

    NotSent          connect refused / connect or pool timeout / a bad URL: the request never
                     left, so even InsertCart may be sent again
    OutcomeUnknown   read or write timeout, reset, a dropped or truncated answer, a 5xx, an
                     unreadable answer: the request may have been processed; CheckCart decides
    Refused          401: the key or signature was not accepted; nothing was processed
    AnswerSaysNo     InsertCart answered Success=false (declined, unknown customer, …)

CheckCart, ConfirmCart and CancelCart return every well-formed answer as it is: their result
codes are states, not errors (CancelCart's ``Success=false, 10200`` means *paid*).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from pos.core.addresses import is_loopback
from pos.core.cart import CartAnswer, InsertAnswer
from pos.core.errors import ConfigError
from pos.crashpoints import crash_point
from pos.netgiro.answers import AnswerMalformed, parse_cart_answer, parse_insert_answer
from pos.netgiro.auth import NetgiroAuth
from pos.netgiro.errors import AnswerSaysNo, NetgiroError, NotSent, OutcomeUnknown, Refused
from pos.netgiro.nonce import MonotonicNonce
from pos.netgiro.requests import InsertCartRequest

log = logging.getLogger(__name__)

_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    httpx.LocalProtocolError,
)


@dataclass(frozen=True)
class Timeouts:
    """Seconds; a read timeout is an unknown outcome, so keep it generous."""

    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 5.0


def classify_transport_error(exc: Exception) -> type[NetgiroError]:
    """Which kind an httpx failure is: only what provably never left is ``NotSent``."""
    if isinstance(exc, _NOT_SENT_ERRORS):
        return NotSent
    return OutcomeUnknown


def check_base_url(base_url: str) -> str:
    """TLS always, except plain HTTP to this machine (the sandbox)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return base_url if base_url.endswith("/") else base_url + "/"
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return base_url if base_url.endswith("/") else base_url + "/"
    raise ConfigError(
        f"Netgíró base URL {base_url!r} must be https:// (plain http:// only to this machine)."
    )


_MESSAGES = {
    NotSent: "Netgíró could not be reached ({detail}); nothing was sent, so trying again is safe.",
    OutcomeUnknown: (
        "The answer from Netgíró was lost after the request was sent ({detail}); the cart may "
        "exist — checking with CheckCart before anything else."
    ),
}


class NetgiroClient:
    """One register's connection to Netgíró's checkout API v1."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        secret_key: str,
        *,
        timeouts: Timeouts | None = None,
        nonce: Any = None,
        transport: httpx.AsyncBaseTransport | None = None,
        client_info: str = "pos-till",
    ) -> None:
        self.base_url = check_base_url(base_url)
        t = timeouts or Timeouts()
        self._http = httpx.AsyncClient(
            auth=NetgiroAuth(app_key, secret_key, nonce or MonotonicNonce().next),
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            transport=transport,
            verify=True,
            follow_redirects=False,
        )
        self.client_info = client_info
        self.last_reference_id: str | None = None

    async def __aenter__(self) -> NetgiroClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the four checkout calls and the test code generator ------------------------------

    async def insert_cart(self, request: InsertCartRequest) -> InsertAnswer:
        """Create the cart; ``AnswerSaysNo`` when Netgíró declines it."""
        body = request.to_json()
        body.setdefault("ClientInfo", self.client_info)
        data, reference_id = await self._post("insert_cart", "Checkout/InsertCart", body)
        answer = parse_insert_answer(data, reference_id)
        if not answer.success:
            raise AnswerSaysNo(
                answer.message or f"Netgíró declined the cart ({answer.result_code}).",
                result_code=answer.result_code,
            )
        return answer

    async def check_cart(self, transaction_id: str) -> CartAnswer:
        return await self._cart_call("check_cart", "Checkout/CheckCart", transaction_id)

    async def confirm_cart(self, transaction_id: str, identifier: str | None = None) -> CartAnswer:
        extra = {"Identifier": identifier} if identifier is not None else {}
        return await self._cart_call("confirm_cart", "Checkout/ConfirmCart", transaction_id, extra)

    async def cancel_cart(self, transaction_id: str) -> CartAnswer:
        return await self._cart_call("cancel_cart", "Checkout/CancelCart", transaction_id)

    async def request_confirmation_token(self, customer: str) -> str:
        """Netgíró's test-only code generator: a token usable as an SMS or app code."""
        request = self._http.build_request(
            "GET", self.base_url + "Account/RequestConfirmation", params={"Customer": customer}
        )
        data, reference_id = await self._send("request_confirmation", request)
        answer = parse_insert_answer(data, reference_id)
        if not answer.success:
            raise AnswerSaysNo(answer.message, result_code=answer.result_code)
        return answer.message

    # --- the boundary ----------------------------------------------------------------------

    async def _cart_call(
        self, action: str, path: str, transaction_id: str, extra: dict[str, Any] | None = None
    ) -> CartAnswer:
        body = {"TransactionId": transaction_id, **(extra or {})}
        data, reference_id = await self._post(action, path, body)
        return parse_cart_answer(data, reference_id)

    async def _post(self, action: str, path: str, body: dict[str, Any]) -> tuple[Any, str | None]:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        request = self._http.build_request(
            "POST", self.base_url + path, content=raw, headers={"Content-Type": "application/json"}
        )
        return await self._send(action, request)

    async def _send(self, action: str, request: httpx.Request) -> tuple[Any, str | None]:
        crash_point(f"netgiro.{action}.before_send")
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as exc:
            kind = classify_transport_error(exc)
            log.info("%s failed: %s (%s)", action, type(exc).__name__, kind.__name__)
            detail = type(exc).__name__
            raise kind(_MESSAGES[kind].format(detail=detail), action=action) from exc
        crash_point(f"netgiro.{action}.after_receive")
        reference_id = response.headers.get("netgiro_referenceId")
        self.last_reference_id = reference_id
        log.info("%s answered HTTP %s ref=%s", action, response.status_code, reference_id)
        return _read_answer(response), reference_id


def _read_answer(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise Refused(
            "Netgíró refused the app key or the signature (401); nothing was processed. "
            "Check the register's Netgíró keys.",
            action="config",
        )
    if response.status_code >= 500:
        raise OutcomeUnknown(
            _MESSAGES[OutcomeUnknown].format(detail=f"HTTP {response.status_code}"),
            action="check",
        )
    try:
        return response.json()
    except ValueError as exc:
        raise AnswerMalformed(f"HTTP {response.status_code}, not JSON") from exc
