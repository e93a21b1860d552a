"""Helpers for refund tests: a cart the sandbox calls paid, and the journal's paid sale for it."""

from __future__ import annotations

from dataclasses import replace

import httpx

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.netgiro.client import NetgiroClient
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox

APP = FIRST_TEST_APPLICATION
TOTAL = 1990


async def paid_cart(sandbox: RunningSandbox, amount: int = TOTAL) -> str:
    """A real cart the customer approved on the sandbox (automatic confirmation: paid)."""
    async with NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key) as client:
        request = InsertCartRequest(amount, "S1-R1-1", "8223281", ConfirmationType.AUTOMATIC)
        transaction_id = (await client.insert_cart(request)).transaction_id
        assert transaction_id
        async with httpx.AsyncClient() as phone:
            accepted = await phone.post(f"{sandbox.root_url}sandbox/carts/{transaction_id}/accept")
            assert accepted.status_code == 200
        assert (await client.check_cart(transaction_id)).result_code == 10200
    return transaction_id


def journal_paid_sale(journal: Journal, transaction_id: str, amount: int = TOTAL) -> int:
    """The sale the till journaled for that cart: PAID through its own code path."""
    sale_id = journal.create_sale("R1", [SaleLine("1", "Peysa", amount, 1000, amount)])
    state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
    attempt = journal.begin_attempt(sale_id, "***-**81", state)
    journal.record(
        attempt.id,
        replace(state, phase=Phase.PAID, live=False, transaction_id=transaction_id),
        event="paid",
        point="test.paid",
    )
    return sale_id


def sandbox_refunds(sandbox: RunningSandbox) -> list[dict[str, object]]:
    answer = httpx.get(f"{sandbox.root_url}sandbox/refunds")
    answer.raise_for_status()
    result: list[dict[str, object]] = answer.json()
    return result


async def found_reservation(sandbox: RunningSandbox, journal: Journal) -> str:
    """A manual cart the customer approved (10426), journaled as a reservation nobody drives."""
    sale = journal.create_sale("R1", [SaleLine("1", "Peysa", TOTAL, 1000, TOTAL)])
    state = start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    attempt = journal.begin_attempt(sale, "***-**81", state)
    async with NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key) as direct:
        request = InsertCartRequest(TOTAL, attempt.reference, "8223281", ConfirmationType.MANUAL)
        transaction_id = (await direct.insert_cart(request)).transaction_id
        async with httpx.AsyncClient() as phone:
            await phone.post(f"{sandbox.root_url}sandbox/carts/{transaction_id}/accept")
        assert (await direct.check_cart(str(transaction_id))).result_code == 10426
    reserved = replace(
        state,
        phase=Phase.RESERVED_UNCHARGED,
        live=False,
        transaction_id=transaction_id,
        amount=TOTAL,
        reference=attempt.reference,
    )
    journal.record(attempt.id, reserved, event="refused_cancel", point="test.reserved")
    return attempt.reference
