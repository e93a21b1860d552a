"""The till session against a real sandbox over loopback and a real journal file.

Each flow of the sale screen, below the screen: ring up, scan, cash with change, park across a
restart, Netgíró paid, split tender, Pay twice, recovery during a GSM wait, a killed till.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.core.catalog import BadBarcode, UnknownCode
from pos.core.checkout import Phase
from pos.core.customer_ids import parse_gsm
from pos.core.errors import InputError, PosError
from pos.core.sale import Discount, DiscountKind, NeedsManager, Sale, SaleError
from pos.core.till_settings import TillSettings
from pos.journal import Journal, sales
from pos.services.till_reports import today
from pos.services.till_session import PaymentInProgress
from pos.services.till_views import DrawerKicked, RecoveryRan, SaleChanged, SaleFinished
from tests.services.till_fixtures import Counter, counter_at, sandbox_at

MILK = "5690010000012"
BREAD = "5690010000043"
GSM = parse_gsm("8223281")
PENDING, RESERVED, PAID, CANCELLED = 10425, 10426, 10200, 10201


@pytest.fixture
async def counter(tmp_path: Path) -> Counter:  # type: ignore[misc]
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        yield counter


def ring_up(counter: Counter) -> None:
    """TILL-SCREEN.md's sale: 2 × milk (scanned), rye bread by PLU line code, 990 at 24 %."""
    session = counter.session
    session.enter("2*")
    session.enter(MILK, [1.0] * len(MILK))
    session.enter(BREAD)
    session.enter("990")


async def test_keyed_and_scanned_lines_with_vat_at_two_rates(counter: Counter) -> None:
    ring_up(counter)
    view = counter.session.view
    assert [(ln.name, ln.quantity_milli, ln.amount) for ln in view.sale.lines] == [
        ("Mjólk 1 l", 2000, 458),
        ("Rúgbrauð", 1000, 689),
        ("Opin vara", 1000, 990),
    ]
    assert view.sale.total == 2137
    assert [(v.rate, v.vat) for v in view.sale.vat_lines] == [(24, 192), (11, 114)]
    assert sum(isinstance(u, SaleChanged) for u in counter.updates) == 4
    counter.session.enter("500", vat_rate=11)
    assert counter.session.view.sale.lines[-1].vat_rate == 11


async def test_unknown_and_misread_codes_add_nothing(counter: Counter) -> None:
    with pytest.raises(UnknownCode, match="not in the catalog"):
        counter.session.enter("5690010000166")  # a valid EAN-13 nobody sells here
    with pytest.raises(BadBarcode, match="check digit"):
        counter.session.enter("5690010000013")  # a misread: never taken as 5.690 million
    with pytest.raises(InputError):
        counter.session.enter("19,90")
    assert counter.session.view.sale.is_empty


async def test_find_by_name_void_and_discounts(counter: Counter) -> None:
    session = counter.session
    [bread] = session.find_items("rugbrau")
    session.add_item(bread)
    session.enter(MILK)
    session.move_selection(-1)
    session.void_line()
    assert [ln.name for ln in session.view.sale.lines] == ["Mjólk 1 l"]
    session.discount_line(Discount(DiscountKind.PERCENT, 10, "Best before today"))
    assert session.view.sale.total == 206
    with pytest.raises(NeedsManager, match="manager mode"):
        session.discount_sale(Discount(DiscountKind.PERCENT, 50, "Friend"))


async def test_cash_with_change_opens_the_drawer_and_finishes_the_sale(counter: Counter) -> None:
    ring_up(counter)
    assert counter.session.cash_suggestions() == [2137, 2500, 3000, 5000]
    result = counter.session.pay_cash(5000)
    assert (result.paid, result.change, result.receipt_no) == (True, 2863, 1)
    assert result.drawer_problem == ""  # the kick runs off the loop; its end comes as an update
    await counter.until(lambda: counter.drawer.kicks == 1, "the drawer kick")
    assert counter.session.view.sale.is_empty  # the next customer
    [finished] = [u for u in counter.updates if isinstance(u, SaleFinished)]
    assert finished.summary.status == "paid" and finished.summary.receipt_no == 1
    assert counter.journal.sale(result.summary.sale_id).status == "paid"
    assert len(counter.journal.print_jobs()) == 1


async def test_clear_asks_nothing_of_an_unpaid_sale_and_refuses_a_paying_one(
    counter: Counter,
) -> None:
    ring_up(counter)
    counter.session.pay_cash(1000)
    with pytest.raises(PosError, match="cannot be cleared"):
        counter.session.clear_sale()
    with pytest.raises(PosError, match="cannot be parked"):
        counter.session.park_sale()
    with pytest.raises(SaleError, match="cannot change"):
        counter.session.enter(MILK)


async def test_park_restart_recall(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        async with counter_at(tmp_path, sandbox) as first:
            ring_up(first)
            sale_id = first.session.park_sale()
            assert first.session.view.sale.is_empty
        async with counter_at(tmp_path, sandbox) as second:
            [parked] = second.session.parked_sales()
            assert (parked.sale_id, parked.total, parked.line_count) == (sale_id, 2137, 3)
            view = second.session.recall_sale(sale_id)
            assert view.sale.total == 2137 and view.sale_id == sale_id
            second.session.enter(MILK)  # a recalled sale takes more lines
            result = second.session.pay_cash(2366)
            assert result.paid and result.summary.sale_id == sale_id
            assert second.session.parked_sales() == []


async def test_netgiro_paid_on_the_customers_accept(counter: Counter) -> None:
    ring_up(counter)
    paying = asyncio.create_task(counter.session.pay_netgiro(GSM))
    cart = await counter.newest_cart()
    assert cart["Amount"] == 2137
    await counter.until_checkout(lambda view: view.phase is Phase.PENDING)
    assert counter.session.payment_live
    await counter.act(cart["TransactionId"], "accept")
    result = await paying
    assert result.paid and result.summary.receipt_no == 1
    assert result.checkout.phase is Phase.PAID and result.checkout.invoice_number
    assert not counter.session.payment_live
    assert counter.session.view.sale.is_empty
    [cart] = await counter.carts()
    assert cart["ResultCode"] == PAID


async def test_split_cash_then_netgiro_asks_only_the_balance(counter: Counter) -> None:
    ring_up(counter)
    partial = counter.session.pay_cash(1000)
    assert not partial.paid and partial.view.sale.balance_due == 1137
    paying = asyncio.create_task(counter.session.pay_netgiro(GSM))
    cart = await counter.newest_cart()
    assert cart["Amount"] == 1137
    await counter.act(cart["TransactionId"], "accept")
    result = await paying
    assert result.paid
    stored = sales.load_sale(counter.journal, result.summary.sale_id)
    assert [t.kind.value for t in stored.sale.tenders] == ["cash", "netgiro"]
    assert stored.sale.paid == 2137 and stored.receipt_no == 1


async def test_pay_twice_opens_one_cart(counter: Counter) -> None:
    ring_up(counter)
    paying = asyncio.create_task(counter.session.pay_netgiro(GSM))
    await counter.until_checkout(lambda view: view.phase is Phase.PENDING)
    with pytest.raises(PaymentInProgress):
        await counter.session.pay_netgiro(GSM)
    with pytest.raises(PaymentInProgress):
        counter.session.pay_cash(5000)
    assert counter.session.cancel_payment()
    result = await paying
    assert result.checkout.phase is Phase.CANCELLED and not result.paid
    assert len(await counter.carts()) == 1
    # Not charged: the sale is back on the counter, lines open again, payable again.
    assert not counter.session.view.sale.frozen and counter.session.view.sale.total == 2137


async def test_recovery_timer_during_a_gsm_wait_leaves_the_cart_pending_and_cancel_works(
    tmp_path: Path,
) -> None:
    often = TillSettings(recovery_period_s=0.01)
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox, often) as counter:
        ring_up(counter)
        paying = asyncio.create_task(counter.session.pay_netgiro(GSM))
        await counter.until_checkout(lambda view: view.phase is Phase.PENDING)
        timer = asyncio.create_task(counter.session.periodic_recovery())
        try:
            await counter.until(
                lambda: any(
                    isinstance(u, RecoveryRan) and not u.report.ran for u in counter.updates
                ),
                "the recovery timer to fire",
            )
        finally:
            timer.cancel()
        assert not any(isinstance(u, RecoveryRan) and u.report.ran for u in counter.updates)
        [cart] = await counter.carts()
        assert cart["ResultCode"] == PENDING
        [live] = counter.journal.open_attempts()
        assert live.state.phase is Phase.PENDING
        assert counter.session.cancel_payment()
        result = await paying
        assert result.checkout.phase is Phase.CANCELLED
        [cart] = await counter.carts()
        assert cart["ResultCode"] == CANCELLED


async def test_recovery_runs_when_nothing_is_in_flight(counter: Counter) -> None:
    report = await counter.session.recover_now()
    assert report.ran and report.recovered == () and report.needs_manager == ()


async def test_a_till_killed_mid_payment_shows_the_outcome_at_the_next_start(
    tmp_path: Path,
) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        async with counter_at(tmp_path, sandbox, close_cleanly=False) as first:
            assert (await first.session.start()).killed is False
            ring_up(first)
            paying = asyncio.create_task(first.session.pay_netgiro(GSM))
            await first.until_checkout(lambda view: view.phase is Phase.PENDING)
            # The process dies here: in-process, its task is torn down mid-wait (no further
            # journal write, as after SIGKILL); the tmux test in tests/ui kills a real `pos`.
            paying.cancel()
            with pytest.raises(asyncio.CancelledError):
                await paying
            [live] = first.journal.open_attempts()
        async with counter_at(tmp_path, sandbox) as second:
            started = await second.session.start()
            assert started.killed is True
            [interrupted] = started.interrupted
            assert interrupted.sale_id == live.sale_id
            assert interrupted.status == "unpaid" and interrupted.phase == "CANCELLED"
            assert [r.reference for r in started.recovery.recovered] == [live.reference]
            assert second.journal.open_attempts() == []
            [cart] = await second.carts()
            assert cart["ResultCode"] == CANCELLED


async def test_a_till_killed_after_paid_shows_the_sale_paid_with_its_receipt_queued(
    tmp_path: Path,
) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        async with counter_at(tmp_path, sandbox, close_cleanly=False) as first:
            await first.session.start()
            ring_up(first)
            paying = asyncio.create_task(first.session.pay_netgiro(GSM))
            cart = await first.newest_cart()
            await first.act(cart["TransactionId"], "accept")
            assert (await paying).paid
        async with counter_at(tmp_path, sandbox) as second:
            started = await second.session.start()
            [interrupted] = started.interrupted
            assert (interrupted.status, interrupted.receipt_no) == ("paid", 1)
            [job] = second.journal.print_jobs()
            assert (job.sale_id, job.status) == (interrupted.sale_id, "queued")


async def test_a_sale_killed_between_two_tenders_comes_back_to_the_counter(
    tmp_path: Path,
) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        async with counter_at(tmp_path, sandbox, close_cleanly=False) as first:
            await first.session.start()
            ring_up(first)
            first.session.pay_cash(1000)
        async with counter_at(tmp_path, sandbox) as second:
            started = await second.session.start()
            assert started.resumed is not None
            assert started.resumed.sale.balance_due == 1137 and started.resumed.sale.frozen
            assert second.session.pay_cash(1137).paid


async def test_today_lists_the_days_sales_with_their_state(counter: Counter) -> None:
    ring_up(counter)
    counter.session.pay_cash(2137)
    ring_up(counter)
    counter.session.park_sale()
    today = counter.session.today_sales()
    assert [(s.status, s.total) for s in today] == [("parked", 2137), ("paid", 2137)]


def test_today_is_a_reykjavik_day(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        sales.park_sale(journal, "R1", Sale().add_open_price(100, 24))
        assert len(today(journal)) == 1
        tomorrow = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)
        assert today(journal, tomorrow) == []


async def test_a_drawer_that_does_not_open_is_said_and_the_cash_stays_taken(
    counter: Counter,
) -> None:
    counter.drawer.opens = False
    ring_up(counter)
    result = counter.session.pay_cash(2137)
    assert result.paid and result.drawer_problem == ""  # said when the kick (off the loop) ends
    await counter.session.wait_for_kicks()
    [kicked] = [u for u in counter.updates if isinstance(u, DrawerKicked)]
    assert kicked.problem == "The drawer did not open (offline)."


async def test_netgiro_never_asks_an_amount_the_screen_does_not_show(counter: Counter) -> None:
    ring_up(counter)
    counter.session.pay_cash(1000)
    sale_id = counter.session.view.sale_id
    assert sale_id is not None
    sales.take_cash(counter.journal, sale_id, 500, 500)  # behind the session's back
    with pytest.raises(PosError, match="nothing was sent"):
        await counter.session.pay_netgiro(GSM)
    assert await counter.carts() == [] and counter.journal.open_attempts() == []
    assert not counter.session.view.sale.netgiro_live
