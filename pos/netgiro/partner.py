"""Netgíró's Partner API: ``POST refund`` and ``GET transaction/{id}``, authorised by ``token``.

The refund call has no idempotency promise in this API, so every failure is sorted by what
the till may safely do next, as the checkout client does:

    what happened                                              kind             the till
    ---------------------------------------------------------  ---------------  ---------------
    provably never left (refused, connect timeout, bad URL)    NotSent          may send it again
    left, no trustworthy answer (timeout, reset, 5xx, 3xx,     OutcomeUnknown   never resends: a
      a 4xx without a readable JSON answer, another 2xx)                          manager checks
    HTTP 401                                                   Refused          nothing refunded
    a 4xx with a JSON answer                                   AnswerSaysNo     nothing refunded
    HTTP 200                                                   success (the body is ignored)

The secret key travels in the ``token`` header and is never logged.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from pos.core.errors import InputError
from pos.core.free_text import safe_text
from pos.crashpoints import crash_point
from pos.netgiro.client import Timeouts, check_base_url, classify_transport_error
from pos.netgiro.errors import AnswerSaysNo, NetgiroError, NotSent, OutcomeUnknown, Refused

log = logging.getLogger(__name__)
MAX_REASON = 100
DEFAULT_TIMEOUTS = Timeouts()
_MAX_SHOWN = 200

_NOT_SENT = (
    "Netgíró's Partner API could not be reached ({detail}); the request never left, so "
    "nothing was refunded."
)
_UNKNOWN = (
    "The answer from Netgíró's Partner API was lost after the request was sent ({detail}); "
    "the refund may have gone through."
)
_REFUSED = (
    "Netgíró's Partner API refused the register's secret key (HTTP 401); nothing was refunded. "
    "Check the secret key in the register config."
)


@dataclass(frozen=True)
class RefundRequest:
    """One refund of (part of) a paid Netgíró transaction."""

    transaction_id: str
    amount: int
    idempotency_key: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "transactionId": self.transaction_id,
            "refundAmount": self.amount,
            "idempotencyKey": self.idempotency_key,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class TransactionInfo:
    """What ``GET transaction/{id}`` tells: not how much of it was refunded."""

    status: str
    is_refundable: bool
    settlement_date: str | None


def transaction_path(transaction_id: str) -> str:
    """The id as a path segment: a GUID only, so nothing can walk out of the path."""
    try:
        return str(uuid.UUID(transaction_id))
    except (ValueError, AttributeError, TypeError) as exc:
        raise InputError(f"{transaction_id!r} is not a Netgíró TransactionId.") from exc


class PartnerClient:
    """One register's connection to the Partner API."""

    def __init__(
        self,
        base_url: str,
        secret_key: str,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._http = httpx.AsyncClient(
            headers={"token": secret_key},
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

    def __repr__(self) -> str:
        return f"PartnerClient({self.base_url!r})"

    async def __aenter__(self) -> PartnerClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def refund(self, request: RefundRequest) -> None:
        """Send the refund once; returns only on HTTP 200."""
        if not (0 < len(request.reason) <= MAX_REASON):
            raise InputError(f"A refund's reason has 1 to {MAX_REASON} characters.")
        body = json.dumps(request.to_json(), separators=(",", ":"), ensure_ascii=False)
        response = await self._send("refund", "POST", "refund", body.encode("utf-8"))
        if response.status_code == 200:
            return
        raise _failure(response, "refund")

    async def transaction(self, transaction_id: str) -> TransactionInfo:
        """``status``, ``isRefundable``, ``settlementDate`` of one transaction (read-only)."""
        path = f"transaction/{transaction_path(transaction_id)}"
        response = await self._send("transaction", "GET", path, None)
        if response.status_code != 200:
            raise _failure(response, "transaction")
        return _transaction_info(_json(response, "transaction"))

    async def _send(
        self, action: str, method: str, path: str, content: bytes | None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            request = self._http.build_request(
                method, self.base_url + path, content=content, headers=headers
            )
            crash_point(f"netgiro.{action}.before_send")
            response = await self._http.send(request)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.info("partner %s failed: %s", action, type(exc).__name__)
            kind = classify_transport_error(exc)
            template = _NOT_SENT if kind is NotSent else _UNKNOWN
            raise kind(template.format(detail=type(exc).__name__), action=action) from exc
        crash_point(f"netgiro.{action}.after_receive")
        log.info("partner %s answered HTTP %s", action, response.status_code)
        return response


def _failure(response: httpx.Response, action: str) -> NetgiroError:
    status = response.status_code
    if status == 401:
        return Refused(_REFUSED, action=action)
    if 400 <= status < 500:
        try:
            answer = response.json()
        except (ValueError, RecursionError):
            answer = None
        if isinstance(answer, dict):
            said = _said(answer) or f"HTTP {status}"
            return AnswerSaysNo(
                f"Netgíró said no (HTTP {status}: {said}); nothing was refunded.",
                action=action,
                result_code=status,
            )
    return OutcomeUnknown(_UNKNOWN.format(detail=f"HTTP {status}"), action=action)


def _said(answer: dict[str, Any]) -> str:
    """Netgíró's own words, escaped, masked and capped (``safe_text``): a manager reads them."""
    for key, value in answer.items():
        if str(key).lower() == "message" and isinstance(value, str):
            return safe_text(value, _MAX_SHOWN)
    return ""


def _json(response: httpx.Response, action: str) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        raise OutcomeUnknown(
            f"Netgíró's Partner API answered HTTP 200 without readable JSON ({action}).",
            action=action,
        ) from exc


def _transaction_info(answer: Any) -> TransactionInfo:
    if not isinstance(answer, dict):
        raise OutcomeUnknown("The transaction answer is not a JSON object.", action="transaction")
    lowered = {str(key).lower(): value for key, value in answer.items()}
    status, refundable = lowered.get("status"), lowered.get("isrefundable")
    settled = lowered.get("settlementdate")
    if not isinstance(status, str) or not isinstance(refundable, bool):
        raise OutcomeUnknown(
            "The transaction answer lacks its status or isRefundable.", action="transaction"
        )
    if settled is not None and not isinstance(settled, str):
        raise OutcomeUnknown("The transaction's settlementDate is not text.", action="transaction")
    shown_date = None if settled is None else safe_text(settled, 40)
    return TransactionInfo(safe_text(status, _MAX_SHOWN), refundable, shown_date)
