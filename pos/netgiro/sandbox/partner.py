"""The sandbox's Partner API: ``POST /partner/refund`` and ``GET /partner/transaction/{id}``.

Only the documented fields: a refund is ``{transactionId, refundAmount, idempotencyKey,
reason}`` (reason at most 100 characters) with the secret key in the ``token`` header, and
success is HTTP 200 with nothing in the body; a transaction is ``{status, isRefundable,
settlementDate}``. Refunds are kept beside the carts, in the same state file.

Where the docs are silent the sandbox picks the reading a till must survive:

- the same ``idempotencyKey`` twice refunds twice (v1 promises nothing), so only the till's own
  journal can make a refund happen once;
- a refund over what is left of the transaction is refused (400), as are refunds of carts that
  are not paid, or that belong to another application (404, as if unknown);
- ``isRefundable`` stays true after a partial refund and ``status`` does not change, so
  ``GET transaction`` cannot tell whether a partial refund went through.

``GET /sandbox/refunds`` lists every refund taken, for tests and demos (not a Netgíró route).
"""

from __future__ import annotations

import hmac
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pos.core.public_test_data import TEST_APPLICATIONS

MAX_BODY_BYTES = 64 * 1024
MAX_REASON = 100
MAX_KEY = 100
MAX_AMOUNT = 1_000_000_000
STATUS_OF_CART = {
    "paid": "Paid",
    "reserved": "Reserved",
    "pending": "Pending",
    "needs_code": "Pending",
    "awaiting_callback": "Pending",
    "cancelled": "Cancelled",
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS partner_refunds (
    id INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL, amount INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL
)
"""


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _answer(exc: _Refused) -> JSONResponse:
    return JSONResponse({"message": exc.message}, status_code=exc.status)


class PartnerRoutes:
    """The Partner API over the sandbox's carts (read straight from its state file)."""

    def __init__(self, state_file: Path, clock: Callable[[], float] = time.time) -> None:
        self.state_file = state_file
        self.clock = clock
        with self._db() as db:
            db.execute(SCHEMA)

    def routes(self) -> list[Route]:
        return [
            Route("/partner/refund", self.refund, methods=["POST"]),
            Route("/partner/transaction/{transaction_id}", self.transaction, methods=["GET"]),
            Route("/sandbox/refunds", self.listing, methods=["GET"]),
        ]

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.state_file, isolation_level=None, timeout=10.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # --- routes ---------------------------------------------------------------------------

    async def refund(self, request: Request) -> Response:
        try:
            app_key = _app_of_token(request)
            body = _object(await _capped(request))
            transaction_id = _guid(body.get("transactionid"))
            amount = body.get("refundamount")
            key, reason = body.get("idempotencykey"), body.get("reason")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise _Refused(400, "refundAmount must be a whole number of krónur above 0.")
            if amount > MAX_AMOUNT:
                raise _Refused(400, f"refundAmount must be at most {MAX_AMOUNT}.")
            if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
                raise _Refused(400, f"idempotencyKey is required (at most {MAX_KEY} characters).")
            if not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON:
                raise _Refused(400, f"reason is required, at most {MAX_REASON} characters.")
            _encodable(key, reason)
            with self._db() as db:
                total, status, _approved_at = self._cart(db, transaction_id, app_key)
                left = total - self._refunded(db, transaction_id)
                if status != "paid":
                    raise _Refused(400, "The transaction is not paid: nothing to refund.")
                if amount > left:
                    raise _Refused(400, f"refundAmount is more than is left to refund ({left}).")
                db.execute(
                    "INSERT INTO partner_refunds (transaction_id, amount, idempotency_key, "
                    "reason, at) VALUES (?, ?, ?, ?, ?)",
                    (transaction_id, amount, key, reason, self.clock()),
                )
        except _Refused as exc:
            return _answer(exc)
        return Response(status_code=200)

    async def transaction(self, request: Request) -> Response:
        try:
            app_key = _app_of_token(request)
            transaction_id = _guid(request.path_params["transaction_id"])
            with self._db() as db:
                total, status, approved_at = self._cart(db, transaction_id, app_key)
                left = total - self._refunded(db, transaction_id)
        except _Refused as exc:
            return _answer(exc)
        settled = (
            time.strftime("%Y-%m-%d", time.gmtime(approved_at + 86400))
            if status == "paid" and approved_at is not None
            else None
        )
        return JSONResponse(
            {
                "status": STATUS_OF_CART.get(status, "Pending"),
                "isRefundable": status == "paid" and left > 0,
                "settlementDate": settled,
            }
        )

    async def listing(self, request: Request) -> Response:
        with self._db() as db:
            rows = db.execute(
                "SELECT transaction_id, amount, idempotency_key, reason, at "
                "FROM partner_refunds ORDER BY id"
            ).fetchall()
        return JSONResponse(
            [
                {
                    "transactionId": row[0],
                    "refundAmount": row[1],
                    "idempotencyKey": row[2],
                    "reason": row[3],
                    "at": row[4],
                }
                for row in rows
            ]
        )

    # --- state ------------------------------------------------------------------------------

    @staticmethod
    def _cart(
        db: sqlite3.Connection, transaction_id: str, app_key: str
    ) -> tuple[int, str, float | None]:
        row = db.execute(
            "SELECT amount, status, app_key, approved_at FROM carts WHERE transaction_id = ?",
            (transaction_id,),
        ).fetchone()
        if row is None or str(row[2]).lower() != app_key.lower():
            raise _Refused(404, f"Transaction {transaction_id} was not found.")
        return int(row[0]), str(row[1]), row[3]

    @staticmethod
    def _refunded(db: sqlite3.Connection, transaction_id: str) -> int:
        row = db.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM partner_refunds WHERE transaction_id = ?",
            (transaction_id,),
        ).fetchone()
        return int(row[0])


def _app_of_token(request: Request) -> str:
    """The application whose secret key is the ``token`` header (compared in constant time)."""
    token = request.headers.get("token", "").encode("utf-8", "surrogateescape")
    found = ""
    for app in TEST_APPLICATIONS:
        if hmac.compare_digest(token, app.secret_key.encode("utf-8")):
            found = app.app_key
    if not found:
        raise _Refused(401, "Missing or unknown token.")
    return found


async def _capped(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, "The body is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Refused(400, "The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise _Refused(400, "The body must be a JSON object.")
    return {str(key).lower(): value for key, value in data.items()}


def _guid(value: object) -> str:
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad_guid()
    except ValueError:
        return _bad_guid()


def _bad_guid() -> str:
    raise _Refused(400, "transactionId must be a Netgíró TransactionId (a GUID).")


def _encodable(*texts: str) -> None:
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Refused(400, "The body holds text that cannot be encoded.") from exc
