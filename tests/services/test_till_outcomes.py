"""How a Netgíró tender ends, at the session: SMS code, app code, deadline, unknown outcome.

Real sandbox over loopback and a real journal; the unknown outcome comes from a loopback proxy
that lets InsertCart through and drops its answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from pos.core.checkout import Phase
from pos.core.customer_ids import parse_app_code, parse_gsm, parse_kennitala
from pos.core.public_test_data import TEST_SSN_UNLIMITED_CREDIT
from pos.journal import sales
from pos.services.till_session import TillSession
from tests.services.till_fixtures import TIMING, Counter, counter_at, sandbox_at
from tests.support.fault_proxy import Fault, FaultProxy

WRONG_CODE = "99"


def ring_up(session: TillSession) -> None:
    session.enter("2*5690010000012")
    session.enter("990")


async def test_ssn_wrong_code_then_the_right_one(tmp_path: Path) -> None:
    kennitala = parse_kennitala(TEST_SSN_UNLIMITED_CREDIT, sandbox=True).customer
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        ring_up(counter.session)
        paying = asyncio.create_task(counter.session.pay_netgiro(kennitala))
        asking = await counter.until_checkout(lambda view: view.needs_code)
        tries = asking.code_tries_left
        assert counter.session.enter_code(WRONG_CODE)
        await counter.until_checkout(lambda view: view.needs_code and view.code_tries_left < tries)
        cart = await counter.newest_cart()
        assert counter.session.enter_code(str(cart["SmsCode"]))
        result = await paying
        assert result.paid and result.checkout.phase is Phase.PAID
        assert not counter.session.enter_code("123456")  # nothing is running any more


async def test_an_app_code_pays(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        ring_up(counter.session)
        code = parse_app_code(await counter.issued_app_code())
        result = await counter.session.pay_netgiro(code)
        assert result.paid and result.summary.receipt_no == 1


async def test_the_deadline_cancels_and_the_sale_stays_on_the_counter(tmp_path: Path) -> None:
    short = replace(TIMING, deadline_s=0.5)
    async with (
        sandbox_at(tmp_path) as sandbox,
        counter_at(tmp_path, sandbox, timing=short) as counter,
    ):
        ring_up(counter.session)
        result = await counter.session.pay_netgiro(parse_gsm("8223281"))
        assert result.checkout.phase is Phase.CANCELLED and not result.left_counter
        assert counter.session.view.sale.total == 1448
        assert counter.journal.sale(result.summary.sale_id).status == "unpaid"
        [cart] = await counter.carts()
        assert cart["ResultCode"] == 10201


async def test_an_unknown_outcome_takes_the_sale_off_the_counter_for_a_manager(
    tmp_path: Path,
) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        port = int(sandbox.root_url.rstrip("/").rsplit(":", 1)[1])
        with FaultProxy("127.0.0.1", port) as proxy:
            proxy.arm("Checkout/InsertCart", Fault.ANSWER_DROPPED)
            async with counter_at(
                tmp_path, sandbox, base_url=proxy.base_url(), confirmation="automatic"
            ) as counter:
                await unknown_outcome(counter)


async def unknown_outcome(counter: Counter) -> None:
    ring_up(counter.session)
    result = await counter.session.pay_netgiro(parse_gsm("8223281"))
    assert result.checkout.phase is Phase.UNKNOWN_ABANDONED and not result.paid
    assert result.left_counter and counter.session.view.sale.is_empty
    [waiting] = counter.session.needs_manager()
    assert (waiting.sale_id, waiting.status) == (result.summary.sale_id, "unknown")
    report = await counter.session.recover_now()
    assert report.needs_manager == (waiting,)
    stored = sales.load_sale(counter.journal, waiting.sale_id)
    assert stored.status == "unknown" and stored.sale.tenders == ()
