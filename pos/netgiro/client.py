"""The async Netgíró checkout client: signed requests, typed answers, errors that say what is safe.

Every failure is translated here, at the boundary (``raise … from exc``), into what the caller
may do next:

    httpx / HTTP failure                                     kind              the caller may
    -------------------------------------------------------  ----------------  -----------------
    ConnectError, ConnectTimeout, PoolTimeout,               NotSent           send again, even
      UnsupportedProtocol, InvalidURL, LocalProtocolError                        InsertCart
      (the request provably never left this machine)
    ReadTimeout, WriteTimeout, ReadError, WriteError,        OutcomeUnknown    CheckCart first;
      RemoteProtocolError, any other HTTPError, HTTP 5xx,                        never a "no"
      an answer that is not JSON or not a Netgíró answer
    HTTP 401                                                 Refused           fix the keys;
                                                                               nothing processed
    no complete answer within ``Timeouts.call_total``        OutcomeUnknown    CheckCart first
      (a slow drip defeats httpx's per-read timeout)
    a number out of range, an invalid identifier             OutcomeUnknown    CheckCart first
    InsertCart ``Success=false`` with 200 or a cart id       AnswerContradicts CheckCart that id
    a well-formed answer, any other status                   an answer         read its code

InsertCart's well-formed ``Success=false`` raises ``AnswerSaysNo`` (nothing was created).
CheckCart, ConfirmCart and CancelCart return every well-formed answer as it is: their result
codes are states, not errors (CancelCart's ``Success=false, 10200`` means *paid*).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from pos.core.addresses import is_loopback
from pos.core.cart import CartAnswer, InsertAnswer
from pos.core.errors import ConfigError
from pos.core.masking import mask_customer_id
from pos.crashpoints import crash_point
from pos.netgiro.answers import (
    AnswerContradicts,
    AnswerMalformed,
    parse_cart_answer,
    parse_insert_answer,
    parse_token,
)
from pos.netgiro.auth import NetgiroAuth
from pos.netgiro.errors import AnswerSaysNo, NetgiroError, NotSent, OutcomeUnknown, Refused
from pos.netgiro.nonce import MonotonicNonce
from pos.netgiro.requests import InsertCartRequest

log = logging.getLogger(__name__)
_Answer = TypeVar("_Answer", InsertAnswer, CartAnswer)

_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,  # refused, unreachable, DNS, TLS handshake: no request bytes yet
    httpx.ConnectTimeout,
    httpx.PoolTimeout,  # no connection was free; the request waited in this process
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,  # not an HTTPError: raised while building the request
    httpx.LocalProtocolError,  # h11 refused to write the request head (bodies have a fixed length)
)

_NOT_SENT = "Netgíró could not be reached ({detail}); nothing was sent, so trying again is safe."
_UNKNOWN = (
    "The answer from Netgíró was lost after the request was sent ({detail}); the cart may "
    "exist — checking with CheckCart before anything else."
)
_REFUSED = (
    "Netgíró refused the app key or the signature (HTTP 401); nothing was processed. "
    "Check the register's Netgíró app key and secret key."
)


@dataclass(frozen=True)
class Timeouts:
    """Seconds; a read timeout is an unknown outcome, so keep it generous."""

    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 5.0
    call_total: float = 20.0
    """The whole call, connect to last byte: httpx's read timeout is per read, so an answer
    dripped a byte at a time would otherwise never time out."""


def classify_transport_error(exc: Exception) -> type[NetgiroError]:
    """Which kind an httpx failure is: only what provably never left is ``NotSent``."""
    if isinstance(exc, _NOT_SENT_ERRORS):
        return NotSent
    return OutcomeUnknown


def check_base_url(base_url: str) -> str:
    """The base URL with a trailing slash: TLS always, except plain HTTP to this machine."""
    parts = urlsplit(base_url)
    host = parts.hostname
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host or ""))
    if not (secure and host) or parts.query or parts.fragment:
        raise ConfigError(
            f"Netgíró base URL {base_url!r} must be https://…/v1/ without a query; plain "
            "http:// is allowed only to this machine (127.0.0.1, localhost, ::1). "
            "Fix netgiro.base_url in the register config."
        )
    return base_url if base_url.endswith("/") else base_url + "/"


def _translated(exc: Exception, action: str) -> NetgiroError:
    kind = classify_transport_error(exc)
    template = _NOT_SENT if kind is NotSent else _UNKNOWN
    detail = _DETAILS.get(type(exc), type(exc).__name__)
    return kind(template.format(detail=detail), action=action)


_DETAILS: dict[type[Exception], str] = {
    httpx.ConnectError: "connection refused or unreachable",
    httpx.ConnectTimeout: "connection timed out",
    httpx.PoolTimeout: "no free connection",
    httpx.ReadTimeout: "no answer in time",
    httpx.WriteTimeout: "sending timed out",
    httpx.ReadError: "connection broken while reading",
    httpx.WriteError: "connection broken while sending",
    httpx.RemoteProtocolError: "connection closed mid-answer",
}


class NetgiroClient:
    """One register's connection to Netgíró's checkout API v1."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        secret_key: str,
        *,
        timeouts: Timeouts = Timeouts(),
        nonce: Callable[[], str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        client_info: str = "pos-till",
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._http = httpx.AsyncClient(
            auth=NetgiroAuth(app_key, secret_key, nonce or MonotonicNonce().next),
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.read,
                write=timeouts.write,
                pool=timeouts.pool,
            ),
            transport=transport,
            verify=True,
            follow_redirects=False,
        )
        self.client_info = client_info
        self.call_total_s = timeouts.call_total
        self.last_reference_id: str | None = None
        """``netgiro_referenceId`` of the last answer (quote it to Netgíró's support)."""

    def __repr__(self) -> str:
        return f"NetgiroClient({self.base_url!r})"

    async def __aenter__(self) -> NetgiroClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the four checkout calls and the test code generator ------------------------------

    async def insert_cart(self, request: InsertCartRequest) -> InsertAnswer:
        """Create the cart; ``AnswerSaysNo`` when Netgíró declines it (nothing was created)."""
        body = request.to_json()
        body.setdefault("ClientInfo", self.client_info)
        data, reference_id = await self._post("insert_cart", "Checkout/InsertCart", body)
        answer = _parsed(parse_insert_answer, data, reference_id, "insert_cart")
        contradiction = answer.contradiction
        if contradiction is not None:
            raise AnswerContradicts(
                contradiction, action="insert_cart", transaction_id=answer.transaction_id
            )
        if not answer.success:
            raise AnswerSaysNo(
                _declined(answer, request.customer_id),
                action="insert_cart",
                result_code=answer.result_code,
            )
        if answer.transaction_id is None:
            raise AnswerMalformed("it names no cart", action="insert_cart")
        return answer

    async def check_cart(self, transaction_id: str) -> CartAnswer:
        """The cart's state, read-only (always safe to repeat)."""
        return await self._cart_call("check_cart", "Checkout/CheckCart", transaction_id)

    async def confirm_cart(self, transaction_id: str, identifier: str | None = None) -> CartAnswer:
        """Confirm a reservation, or give the SMS code as ``identifier``."""
        extra = {"Identifier": identifier} if identifier is not None else {}
        return await self._cart_call("confirm_cart", "Checkout/ConfirmCart", transaction_id, extra)

    async def cancel_cart(self, transaction_id: str) -> CartAnswer:
        """Cancel; ``Success=false, 10200`` comes back as an answer: the cart is paid."""
        return await self._cart_call("cancel_cart", "Checkout/CancelCart", transaction_id)

    async def request_confirmation_token(self, customer: str) -> str:
        """Netgíró's test-only code generator: a token usable as an SMS or app code."""
        data, reference_id = await self._send(
            "request_confirmation",
            "GET",
            self.base_url + "Account/RequestConfirmation",
            params={"Customer": customer},
        )
        answer = _parsed(parse_insert_answer, data, reference_id, "request_confirmation")
        if not answer.success:
            raise AnswerSaysNo(
                _declined(answer, customer),
                action="request_confirmation",
                result_code=answer.result_code,
            )
        try:
            return parse_token(data)
        except AnswerMalformed as exc:
            exc.action = "request_confirmation"
            raise

    # --- the boundary ----------------------------------------------------------------------

    async def _cart_call(
        self, action: str, path: str, transaction_id: str, extra: dict[str, Any] | None = None
    ) -> CartAnswer:
        body = {"TransactionId": transaction_id, **(extra or {})}
        data, reference_id = await self._post(action, path, body)
        return _parsed(parse_cart_answer, data, reference_id, action)

    async def _post(self, action: str, path: str, body: dict[str, Any]) -> tuple[Any, str | None]:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return await self._send(action, "POST", self.base_url + path, content=raw)

    async def _send(
        self,
        action: str,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[Any, str | None]:
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            request = self._http.build_request(
                method, url, content=content, params=params, headers=headers
            )
            crash_point(f"netgiro.{action}.before_send")
            async with asyncio.timeout(self.call_total_s):
                response = await self._http.send(request)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.info("netgiro %s failed: %s", action, type(exc).__name__)
            raise _translated(exc, action) from exc
        except TimeoutError as exc:
            # Never "not sent": the request may have left before the limit.
            log.info("netgiro %s: no complete answer in %ss", action, self.call_total_s)
            detail = f"no complete answer within {self.call_total_s:g} s"
            raise OutcomeUnknown(_UNKNOWN.format(detail=detail), action=action) from exc
        crash_point(f"netgiro.{action}.after_receive")
        reference_id = _reference_id(response.headers.get("netgiro_referenceId"), action)
        self.last_reference_id = reference_id
        log.info("netgiro %s answered HTTP %s ref=%s", action, response.status_code, reference_id)
        return _read_answer(response, action), reference_id


_REFERENCE_ID = re.compile(r"[\x21-\x7e]{1,64}")


def _reference_id(value: str | None, action: str) -> str | None:
    """``netgiro_referenceId``: quoted to support, journaled; validated, never rewritten."""
    if value is None:
        return None
    if not _REFERENCE_ID.fullmatch(value):
        raise AnswerMalformed("its netgiro_referenceId header is not a valid id", action=action)
    return value


def _read_answer(response: httpx.Response, action: str) -> Any:
    """The answer's JSON, or the kind of failure its status and body make it."""
    status = response.status_code
    if status == 401:
        raise Refused(_REFUSED, action=action)
    if status >= 500:
        raise OutcomeUnknown(_UNKNOWN.format(detail=f"HTTP {status}"), action=action)
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise AnswerMalformed(f"HTTP {status}, not JSON", action=action) from exc


def _parsed(
    parse: Callable[[object, str | None], _Answer], data: object, ref: str | None, action: str
) -> _Answer:
    """``parse`` the answer; an unreadable one names the call it answered."""
    try:
        return parse(data, ref)
    except AnswerMalformed as exc:
        exc.action = action
        raise


def _declined(answer: InsertAnswer, customer_id: str) -> str:
    """Netgíró's own words (customer id masked), the code, and what the cashier may do."""
    said = answer.message.strip() or "Netgíró declined the cart."
    if customer_id.strip():
        said = said.replace(customer_id.strip(), mask_customer_id(customer_id))
    return (
        f"{said} (code {answer.result_code}). Nothing was charged; the customer may give "
        "another phone number, kennitala or app code, or pay another way."
    )
