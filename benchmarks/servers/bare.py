"""The bare app: starlette under uvicorn as ``uvicorn.run`` binds it, doing only what must be done.

Per InsertCart: read the body, check Netgíró's signature (SHA-256 over secret, nonce, URL and
body, compared in constant time), write one row with the sandbox's pragmas (WAL,
``synchronous=NORMAL``), answer JSON. ``python -m benchmarks.servers.bare DB PORT``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
import uuid

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pos.core.public_test_data import TEST_APPLICATIONS

SECRETS = {app.app_key.lower(): app.secret_key for app in TEST_APPLICATIONS}


def make_app(path: str) -> Starlette:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS carts (transaction_id TEXT PRIMARY KEY, reference TEXT, "
        "amount INTEGER, customer TEXT, created_at REAL)"
    )

    async def insert_cart(request: Request) -> JSONResponse:
        body = await request.body()
        secret = SECRETS.get(request.headers.get("netgiro_appkey", "").lower(), "")
        nonce = request.headers.get("netgiro_nonce", "")
        url = f"http://{request.headers['host']}{request.url.path}"
        expected = hashlib.sha256((secret + nonce + url).encode() + body).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("netgiro_signature", "")):
            return JSONResponse({"Success": False, "ResultCode": 401}, status_code=401)
        cart = json.loads(body)
        transaction_id = str(uuid.uuid4())
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO carts VALUES (?, ?, ?, ?, julianday('now'))",
            (transaction_id, cart["Reference"], cart["Amount"], cart["CustomerId"]),
        )
        db.execute("COMMIT")
        return JSONResponse(
            {
                "Success": True,
                "ResultCode": 200,
                "TransactionId": transaction_id,
                "ProcessCartCheckIntervalMiliseconds": 3000,
            }
        )

    return Starlette(routes=[Route("/v1/Checkout/InsertCart", insert_cart, methods=["POST"])])


if __name__ == "__main__":
    app = make_app(sys.argv[1])
    print(f"READY {sys.argv[2]}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
