"""The real client against the sandbox, over loopback, on the rows Netgíró's docs leave silent.

Each test is one row of "Where Netgíró's docs are silent" in netgiro-protocol.md.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.netgiro.client import NetgiroClient
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.signing import signature

APP = FIRST_TEST_APPLICATION


@contextmanager
def running(tmp_path: Path, **settings: Any) -> Iterator[RunningSandbox]:
    with RunningSandbox(
        SandboxSettings(state_file=tmp_path / "s.sqlite3", port=0, **settings)
    ) as sb:
        yield sb


@contextmanager
def receiver(status: int) -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A loopback callback receiver answering ``status``; yields its URL and what it got."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        answer: ClassVar[int] = status

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(self.answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/callback", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
async def client_factory() -> AsyncIterator[Any]:
    clients: list[NetgiroClient] = []

    def make(sandbox: RunningSandbox) -> NetgiroClient:
        clients.append(NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


async def accept(sandbox: RunningSandbox, transaction_id: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        (
            await http.post(f"{sandbox.root_url}sandbox/carts/{transaction_id}/accept")
        ).raise_for_status()


async def until_code(client: NetgiroClient, transaction_id: str, code: int) -> int:
    seen = 0
    for _ in range(200):
        seen = (await client.check_cart(transaction_id)).result_code
        if seen == code:
            return seen
        await asyncio.sleep(0.05)
    return seen


async def insert(
    client: NetgiroClient, confirmation: ConfirmationType, callback: str | None = None
) -> str:
    request = InsertCartRequest(1990, "R1-s", "8223281", confirmation, callback_url=callback)
    transaction_id = (await client.insert_cart(request)).transaction_id
    assert transaction_id is not None
    return transaction_id


async def test_cancelling_a_reservation_succeeds_by_default(
    tmp_path: Path, client_factory: Any
) -> None:
    with running(tmp_path) as sandbox:
        client = client_factory(sandbox)
        transaction_id = await insert(client, ConfirmationType.MANUAL)
        await accept(sandbox, transaction_id)
        answer = await client.cancel_cart(transaction_id)
        assert (answer.success, answer.result_code) == (True, 10201)
        assert answer.payment_info is not None and answer.payment_info.status_id == 5


async def test_the_strict_switch_refuses_to_cancel_a_reservation(
    tmp_path: Path, client_factory: Any
) -> None:
    with running(tmp_path, refuse_cancel_reserved=True) as sandbox:
        client = client_factory(sandbox)
        transaction_id = await insert(client, ConfirmationType.MANUAL)
        await accept(sandbox, transaction_id)
        answer = await client.cancel_cart(transaction_id)
        assert (answer.success, answer.result_code) == (False, 10426)
        assert (await client.check_cart(transaction_id)).result_code == 10426


async def test_check_cart_on_an_unknown_cart_says_cancelled(
    tmp_path: Path, client_factory: Any
) -> None:
    with running(tmp_path) as sandbox:
        answer = await client_factory(sandbox).check_cart("00000000-0000-4000-8000-000000000000")
        assert (answer.success, answer.payment_successful, answer.result_code) == (
            True,
            False,
            10201,
        )


async def test_a_missing_confirmation_type_means_automatic(tmp_path: Path) -> None:
    with running(tmp_path) as sandbox:
        url = sandbox.base_url + "Checkout/InsertCart"
        body = json.dumps({"Amount": 500, "Reference": "R1-m", "CustomerId": "8223281"}).encode()
        nonce = str(time.time_ns())
        headers = {
            "netgiro_appkey": APP.app_key,
            "netgiro_nonce": nonce,
            "netgiro_signature": signature(APP.secret_key, nonce, url, body),
        }
        async with httpx.AsyncClient(timeout=10) as http:
            transaction_id = (await http.post(url, content=body, headers=headers)).json()[
                "TransactionId"
            ]
        await accept(sandbox, transaction_id)
        async with NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key) as client:
            assert (await client.check_cart(transaction_id)).result_code == 10200


async def test_a_server_callback_pays_only_once_answered_200(
    tmp_path: Path, client_factory: Any
) -> None:
    with running(tmp_path) as sandbox, receiver(200) as (url, received):
        client = client_factory(sandbox)
        transaction_id = await insert(client, ConfirmationType.SERVER_CALLBACK, url)
        await accept(sandbox, transaction_id)
        assert await until_code(client, transaction_id, 10200) == 10200
        headers, body = received[0]
        nonce = headers["netgiro_nonce"]
        assert headers["netgiro_signature"] == signature(APP.secret_key, nonce, url, body)


async def test_an_unanswered_callback_is_retried_once_then_the_cart_is_cancelled(
    tmp_path: Path, client_factory: Any
) -> None:
    with running(tmp_path, callback_retry_delay_s=0.2) as sandbox, receiver(500) as (url, received):
        client = client_factory(sandbox)
        transaction_id = await insert(client, ConfirmationType.SERVER_CALLBACK, url)
        await accept(sandbox, transaction_id)
        assert await until_code(client, transaction_id, 10201) == 10201
        assert len(received) == 2


@pytest.mark.parametrize(
    ("confirmation", "code"),
    [(ConfirmationType.AUTOMATIC, 10200), (ConfirmationType.MANUAL, 10426)],
)
async def test_a_callback_url_in_types_0_and_2_is_only_a_notice(
    tmp_path: Path, client_factory: Any, confirmation: ConfirmationType, code: int
) -> None:
    with running(tmp_path) as sandbox, receiver(500) as (url, received):
        client = client_factory(sandbox)
        transaction_id = await insert(client, confirmation, url)
        await accept(sandbox, transaction_id)
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        assert received, "the notice was not sent"
        assert (await client.check_cart(transaction_id)).result_code == code
