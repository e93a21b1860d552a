"""Pilot tests of Netgíró payments on the real sandbox over loopback and a real journal:
GSM accept and reject, SSN codes, app codes, cancel, deadline, network down, Pay twice,
recovery during a wait, and split tender."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from pos.journal import Journal
from pos.services.till_views import RecoveryRan, TillUpdate
from pos.ui.app import TillApp
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.payment import PaymentScreen, Stage
from pos.ui.screens.sale import SaleScreen
from pos.ui.workers import periodic_recovery

from .conftest import SIZE, Counter, newest_cart, screen_text, type_line, until

GSM = "8223281"
SSN_WITH_CODE = "1111111119"


def payment(app: TillApp) -> PaymentScreen:
    screen = app.screen
    assert isinstance(screen, PaymentScreen)
    return screen


async def ring_up(pilot: Pilot[Any], app: TillApp, amount: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    await type_line(pilot, amount)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, PaymentScreen))


async def result_shown(pilot: Pilot[Any], app: TillApp) -> str:
    await until(pilot, lambda: payment(app).stage is Stage.RESULT)
    await pilot.pause(0.1)  # let the screen lay out the result before reading it
    return screen_text(app)


def sale_status(counter: Counter) -> str:
    with Journal(counter.settings.journal_file) as journal:
        return journal.recent_sales(1)[0].status


async def test_gsm_sale_accepted_by_the_customer_is_greitt(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "2137")
        await pilot.press(*GSM)
        assert "Símanúmer ***-**81" in screen_text(app)
        await pilot.press("enter")
        cart = await newest_cart(pilot, counter)
        await until(pilot, lambda: "Bíð eftir samþykki" in screen_text(app))
        assert "Tími eftir" in screen_text(app)
        counter.act(cart["TransactionId"], "accept")
        text = await result_shown(pilot, app)
        assert "━ GREITT ━" in text and "2.137 kr." in text and "***-**81" in text
        assert "Kvittun nr. 1 fer í prentröð" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert app.context is not None and app.context.session.view.sale.is_empty
    assert sale_status(counter) == "paid"
    assert [c["Status"] for c in counter.carts()] == ["paid"]


async def test_gsm_sale_rejected_by_the_customer_is_hafnad(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, GSM)
        cart = await newest_cart(pilot, counter)
        counter.act(cart["TransactionId"], "reject")
        text = await result_shown(pilot, app)
        # Netgíró answers a customer's "no" as a cancelled cart: the words say so either way.
        assert "━ HAFNAÐ ━" in text or "━ HÆTT VIÐ ━" in text
        assert "Ekkert var tekið" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert app.context is not None and app.context.session.view.sale.total == 990


async def test_invalid_customer_input_is_explained_and_nothing_sent(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, "4123456")
        assert "ekki farsímanúmer" in screen_text(app)
        assert payment(app).stage is Stage.ENTRY
        await pilot.press("ctrl+u", "f2", "f2")  # empty the field; force the kind: kennitala
        assert "Kennitala" in screen_text(app)
        await type_line(pilot, "12345")
        assert "10 tölustafi, ekki 5" in screen_text(app)
    assert counter.carts() == []


async def test_ssn_wrong_code_then_the_right_one(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "1500")
        await type_line(pilot, SSN_WITH_CODE)
        await until(pilot, lambda: payment(app).stage is Stage.CODE)
        assert "SMS-kóðann" in screen_text(app)
        cart = await newest_cart(pilot, counter)
        right = str(cart["SmsCode"])
        await type_line(pilot, "5690010000012")  # a scan into the code field: ignored, no try used
        assert "Skönnun hunsuð" in screen_text(app) and "3 tilraunir eftir" in screen_text(app)
        wrong = "0000" if right != "0000" else "1111"
        await type_line(pilot, wrong)
        await until(pilot, lambda: "2 tilraunir eftir" in screen_text(app))
        text = screen_text(app)
        assert "Kóðinn var ekki samþykktur" in text
        assert "Kóði sendur" not in text  # the code was answered: no stale "confirming…"
        await type_line(pilot, right)
        text = await result_shown(pilot, app)
        assert "━ GREITT ━" in text and "******-1119" in text
    assert sale_status(counter) == "paid"


async def test_app_code_scanned_off_the_phone(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "777")
        code = counter.app_code().replace("-", "")
        await pilot.press(*code)
        assert "Appkóði" in screen_text(app)
        await pilot.press("enter")
        cart = await newest_cart(pilot, counter)
        assert cart["Kind"] == "app_code"
        text = await result_shown(pilot, app)
        assert "━ GREITT ━" in text


async def test_cashier_cancels_with_esc_asked_once(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, GSM)
        await newest_cart(pilot, counter)
        await until(pilot, lambda: "Bíð eftir" in screen_text(app))
        await pilot.press("escape")
        assert "Ýttu aftur á Esc" in screen_text(app)
        assert payment(app).stage is Stage.WAITING
        await pilot.press("escape")
        text = await result_shown(pilot, app)
        assert "━ HÆTT VIÐ ━" in text
    assert [c["Status"] for c in counter.carts()] == ["cancelled"]


async def test_deadline_cancels_the_cart(counter: Counter) -> None:
    counter.with_timing(deadline_s=1.0)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, GSM)
        text = await result_shown(pilot, app)
        assert "━ HÆTT VIÐ ━" in text or "━ EKKI GREITT ━" in text
    assert [c["Status"] for c in counter.carts()] == ["cancelled"]


async def test_scan_on_the_waiting_view_is_ignored_with_a_message(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, GSM)
        await newest_cart(pilot, counter)
        await type_line(pilot, "5690010000012")
        assert "Skönnun hunsuð" in screen_text(app)
        assert len(counter.carts()) == 1


async def test_pay_twice_opens_one_cart(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await pilot.press(*GSM, "enter", "enter", "f2", "enter")
        cart = await newest_cart(pilot, counter)
        await pilot.pause(0.3)
        assert len(counter.carts()) == 1
        await pilot.press("ctrl+q")  # refused while the payment is live
        assert app.is_running and isinstance(app.screen, PaymentScreen)
        counter.act(cart["TransactionId"], "accept")
        await result_shown(pilot, app)
    assert len(counter.carts()) == 1


async def test_periodic_recovery_firing_during_a_gsm_wait_leaves_the_cart_alone(
    counter: Counter,
) -> None:
    app = counter.app(recovery=False)  # the test starts the same worker, on a short period
    rounds: list[RecoveryRan] = []
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        assert app.context is not None
        session = app.context.session
        session.settings = replace(session.settings, recovery_period_s=0.2)
        app.run_worker(periodic_recovery(session), exit_on_error=False)

        def listen(update: TillUpdate) -> None:
            if isinstance(update, RecoveryRan):
                rounds.append(update)
            app._relay(update)

        session.set_listener(listen)
        await type_line(pilot, GSM)
        await newest_cart(pilot, counter)
        await until(pilot, lambda: sum(not r.report.ran for r in rounds) >= 2)
        assert [c["Status"] for c in counter.carts()] == ["pending"]
        assert payment(app).stage is Stage.WAITING
        await pilot.press("escape", "escape")
        text = await result_shown(pilot, app)
        assert "━ HÆTT VIÐ ━" in text
    assert [c["Status"] for c in counter.carts()] == ["cancelled"]


async def test_network_down_mid_payment_says_so_and_cancel_still_works(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        await type_line(pilot, GSM)
        await newest_cart(pilot, counter)
        counter.sandbox.stop()
        await until(pilot, lambda: "Sambandsvandi" in screen_text(app))
        await until(pilot, lambda: "Ekkert nothæft svar frá Netgíró" in screen_text(app))
        assert "Unknown" not in screen_text(app)  # the engine's line, in the screen's language
        # Pay again during "unknown — checking": nothing opens a second cart (asserted below).
        await pilot.press("enter", "f2", *GSM, "enter")
        assert payment(app).stage is Stage.WAITING
        await pilot.press("escape", "escape")
        counter.restart_sandbox()
        text = await result_shown(pilot, app)
        assert "━ HÆTT VIÐ ━" in text
    assert [c["Status"] for c in counter.carts()] == ["cancelled"]


async def test_split_tender_cash_then_netgiro_for_the_rest(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "3000")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await type_line(pilot, "1000")
        assert "Eftir: 2.000" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press("f4")  # lines are frozen once a tender is taken
        assert app.context is not None and len(app.context.session.view.sale.lines) == 1
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
        assert "2.000 kr." in screen_text(app)
        await type_line(pilot, GSM)
        cart = await newest_cart(pilot, counter)
        assert cart["Amount"] == 2000
        counter.act(cart["TransactionId"], "accept")
        await result_shown(pilot, app)
    assert sale_status(counter) == "paid"


async def test_the_palette_offers_no_quit_while_a_payment_is_live(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "990")
        assert "Loka kassanum" in [c.title for c in app.get_system_commands(app.screen)]
        await type_line(pilot, GSM)
        await newest_cart(pilot, counter)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Loka kassanum" not in titles and "Sölur dagsins" in titles
        await app.action_quit()  # the palette's Quit would land here: refused
        assert app.is_running
        await pilot.press("escape", "escape")
        await result_shown(pilot, app)


async def test_a_netgiro_payment_in_english(counter: Counter) -> None:
    from pos.core.ui_settings import UiSettings

    app = counter.app(ui=UiSettings(language="en"))
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot, app, "2137")
        assert "Pay with Netgíró" in screen_text(app)
        await pilot.press(*GSM)
        assert "Phone ***-**81" in screen_text(app)
        await pilot.press("enter")
        cart = await newest_cart(pilot, counter)
        await until(
            pilot, lambda: "***-**81 · the customer accepts in the Netgíró app" in screen_text(app)
        )
        assert "Waiting for the customer to accept" in screen_text(
            app
        ) and "Time left" in screen_text(app)
        counter.act(cart["TransactionId"], "accept")
        text = await result_shown(pilot, app)
        assert "━ PAID ━" in text and "2.137 ISK" in text and "Receipt no. 1" in text
    assert sale_status(counter) == "paid"
