"""Races at the counter, in one process with the real runner, journal, receiver and sandbox.

The customer confirms while the cashier cancels: paid once. Two ConfirmCarts at once: paid
once. Duplicate and forged callbacks: one state change, none for the forgery.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pos.core.checkout import CustomerKind, Phase
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.journal import AttemptRecord, Journal, SaleLine
from pos.netgiro.client import NetgiroClient
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.signing import signature
from pos.services.callbacks import CallbackReceiver
from pos.services.checkout_runner import CheckoutRunner, CustomerForNetgiro, RunnerTiming

APP = FIRST_TEST_APPLICATION
GSM = CustomerForNetgiro(CustomerKind.GSM, "8223281", "***-**81")


@dataclass
class Counter:
    sandbox: RunningSandbox
    journal: Journal
    client: NetgiroClient
    runner: CheckoutRunner

    async def carts(self) -> list[dict[str, object]]:
        async with httpx.AsyncClient(timeout=10) as http:
            carts: list[dict[str, object]] = (
                await http.get(self.sandbox.root_url + "sandbox/carts")
            ).json()
        return carts

    async def act(self, transaction_id: str, action: str) -> int:
        """The customer's answer on their phone: 200 done, 409 too late (the cart ended)."""
        async with httpx.AsyncClient(timeout=10) as http:
            url = f"{self.sandbox.root_url}sandbox/carts/{transaction_id}/{action}"
            status = (await http.post(url)).status_code
        assert status in (200, 409)
        return status

    async def cart_after(self, before: int) -> dict[str, object]:
        """The first cart beyond the ``before`` already listed."""
        for _ in range(200):
            carts = await self.carts()
            if len(carts) > before:
                return carts[before]
            await asyncio.sleep(0.02)
        raise AssertionError("no cart appeared")

    async def newest_cart(self) -> dict[str, object]:
        for _ in range(200):
            carts = await self.carts()
            if carts:
                return carts[-1]
            await asyncio.sleep(0.02)
        raise AssertionError("no cart appeared")


@pytest.fixture
async def counter(tmp_path: Path) -> AsyncIterator[Counter]:
    settings = SandboxSettings(
        state_file=tmp_path / "sandbox.sqlite3", port=0, poll_interval_ms=2000
    )
    sandbox = RunningSandbox(settings).start()
    journal = Journal(tmp_path / "journal.sqlite3")
    client = NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key)
    runner = CheckoutRunner(
        client, journal, RunnerTiming(deadline_s=15, give_up_after_s=5, backoff_cap_s=0.5)
    )
    try:
        yield Counter(sandbox, journal, client, runner)
    finally:
        await client.aclose()
        journal.close()
        await asyncio.to_thread(sandbox.stop)


def new_sale(journal: Journal) -> int:
    return journal.create_sale("R1", [SaleLine("k", "Keyed", 1990, 1000, 1990)])


RACE_SEEDS = range(9)
ORDERS = ("customer first", "cashier first", "together")


async def test_the_customer_confirming_while_the_cashier_cancels_is_paid_once_or_not_at_all(
    counter: Counter,
) -> None:
    """Either outcome is right; the invariants must hold for each, and both must be seen.

    Each seed picks an order: the customer's accept strictly first, the cashier's cancel
    strictly first, or both at once with a seeded jitter (a true race, either outcome).
    """
    outcomes: dict[str, set[Phase]] = {order: set() for order in ORDERS}
    for seed in RACE_SEEDS:
        rng = random.Random(seed)
        order = ORDERS[seed % len(ORDERS)]
        before = len(await counter.carts())
        sale_id = new_sale(counter.journal)
        paying = asyncio.create_task(counter.runner.pay(sale_id, GSM, ConfirmationType.AUTOMATIC))
        transaction_id = str((await counter.cart_after(before))["TransactionId"])
        if order == "customer first":
            await counter.act(transaction_id, "accept")
            counter.runner.press_cancel()
        elif order == "cashier first":
            counter.runner.press_cancel()
            await asyncio.shield(paying)
            await counter.act(transaction_id, "accept")
        else:
            jitter = rng.uniform(0, 0.02)
            loop = asyncio.get_running_loop()
            loop.call_later(rng.uniform(0, 0.02), counter.runner.press_cancel)
            await asyncio.sleep(jitter)
            await counter.act(transaction_id, "accept")
        attempt = await paying
        outcomes[order].add(attempt.state.phase)
        await assert_paid_once_or_not_at_all(counter, attempt, transaction_id)
    assert outcomes["customer first"] == {Phase.PAID}
    assert outcomes["cashier first"] == {Phase.CANCELLED}
    assert set().union(*outcomes.values()) == {Phase.PAID, Phase.CANCELLED}


async def assert_paid_once_or_not_at_all(
    counter: Counter, attempt: AttemptRecord, transaction_id: str
) -> None:
    phase = attempt.state.phase
    assert phase in (Phase.PAID, Phase.CANCELLED)
    carts = [c for c in await counter.carts() if c["Reference"] == attempt.reference]
    assert [c["TransactionId"] for c in carts] == [transaction_id]  # one cart per attempt
    assert (carts[0]["ResultCode"] == 10200) == (phase is Phase.PAID)
    status = counter.journal.sale(attempt.sale_id).status
    assert status == ("paid" if phase is Phase.PAID else "unpaid")
    phases = [e["phase"] for e in counter.journal.attempt_events(attempt.id)]
    assert phases.count("PAID") == (1 if phase is Phase.PAID else 0)


async def test_two_confirm_carts_at_once_pay_once(counter: Counter) -> None:
    token = await counter.client.request_confirmation_token("1111111119")
    request = InsertCartRequest(1990, "R1-dup", f"500004{token}", ConfirmationType.MANUAL)
    transaction_id = (await counter.client.insert_cart(request)).transaction_id
    assert transaction_id is not None
    first, second = await asyncio.gather(
        counter.client.confirm_cart(transaction_id), counter.client.confirm_cart(transaction_id)
    )
    assert first.result_code == second.result_code == 10200
    assert first.payment_info is not None and second.payment_info is not None
    assert first.payment_info.invoice_number == second.payment_info.invoice_number
    paid = [c for c in await counter.carts() if c["ResultCode"] == 10200]
    assert len(paid) == 1


async def test_duplicate_and_forged_callbacks_change_the_state_once(counter: Counter) -> None:
    receiver = CallbackReceiver(counter.journal, APP.secret_key, counter.runner.callback_arrived)
    callback_url = await receiver.start()
    try:
        sale_id = new_sale(counter.journal)
        paying = asyncio.create_task(
            counter.runner.pay(
                sale_id, GSM, ConfirmationType.SERVER_CALLBACK, callback_url=callback_url
            )
        )
        cart = await counter.newest_cart()
        body = callback_body(str(cart["TransactionId"]), str(cart["Reference"]))
        async with httpx.AsyncClient(timeout=10) as http:
            forged = await post_callback(http, callback_url, body, secret="not the secret")
            duplicates = [await post_callback(http, callback_url, body) for _ in range(2)]
            assert forged.status_code == 403
            assert [d.status_code for d in duplicates] == [200, 200]
            await asyncio.sleep(0.3)
            attempt = counter.journal.open_attempts()[0]
            assert attempt.state.phase is Phase.PENDING  # a callback is no proof of payment
            await counter.act(str(cart["TransactionId"]), "accept")  # the real callback follows
            ended = await paying
            late = await post_callback(http, callback_url, body)
        assert ended.state.phase is Phase.PAID
        phases = [e["phase"] for e in counter.journal.attempt_events(ended.id)]
        assert phases.count("PAID") == 1
        assert late.status_code == 200  # a duplicate for a paid attempt: a 409 would cancel it
        verdicts = [c["verdict"] for c in counter.journal.callbacks()]
        assert verdicts.count("refused: 1 bad signature") == 1
        assert verdicts[-1] == "duplicate"
    finally:
        await receiver.stop()


def callback_body(transaction_id: str, reference: str) -> bytes:
    answer = {
        "Success": True,
        "PaymentSuccessful": True,
        "ResultCode": 10200,
        "Message": "confirmed",
        "PaymentInfo": {
            "TransactionId": transaction_id,
            "ReferenceNumber": reference,
            "StatusId": 2,
        },
    }
    return json.dumps(answer).encode()


async def post_callback(
    http: httpx.AsyncClient, url: str, body: bytes, secret: str = APP.secret_key
) -> httpx.Response:
    nonce = str(time.time_ns())
    headers = {
        "netgiro_appkey": APP.app_key,
        "netgiro_nonce": nonce,
        "netgiro_signature": signature(secret, nonce, url, body),
    }
    return await http.post(url, content=body, headers=headers)
