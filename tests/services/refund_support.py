"""Helpers for refund tests: a cart the sandbox calls paid, and the journal's paid sale for it."""

from __future__ import annotations

from dataclasses import replace

import httpx

from pos.core.catalog import CatalogItem
from pos.core.checkout import CustomerKind, Phase, start
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.core.sale import Sale
from pos.journal import Journal, SaleLine, sales
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


# --- sales by line, paid in cash, Netgíró or both (the till's own journal code paths) -----------

SHIRT = CatalogItem("201", None, "Bolur", 1000, 24)
MILK = CatalogItem("101", None, "Mjólk", 229, 11)
LINE_SALE_TOTAL = 2687
"""Two shirts (2 000 kr., 24 %) and three milks (687 kr., 11 %)."""


def line_sale(journal: Journal) -> int:
    """The counter's sale journaled as the till does when its first tender starts."""
    sale = Sale().with_quantity(2000).add_item(SHIRT).with_quantity(3000).add_item(MILK)
    assert sale.total == LINE_SALE_TOTAL
    return sales.save_sale(journal, "R1", sale)


def netgiro_pays(journal: Journal, sale_id: int, transaction_id: str) -> int:
    """A Netgíró attempt for the balance due, ended PAID with the sandbox cart's id."""
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    final = replace(attempt.state, phase=Phase.PAID, transaction_id=transaction_id, live=False)
    journal.record(attempt.id, final, event="CheckAnswered", point="test.paid")
    return attempt.amount
