"""Keys a cashier types (or a scanner sends) while `pos` opens are never silently lost: they
land in the sale's input line, or the start-up note says it took none of them."""

from __future__ import annotations

import os

from pos.journal import Journal, sales
from pos.ui.app import TillApp
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.sale import SaleScreen
from pos.ui.screens.startup import StartupScreen

from .conftest import SIZE, Counter, screen_text, type_line, until


def total(app: TillApp) -> int:
    assert app.context is not None
    return app.context.session.view.sale.total


async def test_keys_pressed_the_moment_the_till_opens_land_in_the_sale(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        # At once, before the start-up worker (recovery) has finished.
        await pilot.press(*"2137", "enter", *"990", "ctrl+j")
        await until(pilot, lambda: total(app) == 2137 + 990)
        assert "3.127" in screen_text(app)


async def test_a_newline_submits_the_input_line_like_enter(counter: Counter) -> None:
    """An Enter typed before the terminal leaves line mode arrives as a newline (ctrl+j), and
    so does a scanner's LF suffix: both submit, on the sale screen and on the cash screen."""
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press(*"5690010000012", "ctrl+j")
        await until(pilot, lambda: total(app) == 229)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await pilot.press(*"500", "ctrl+j")
        await until(pilot, lambda: "━ GREITT ━" in screen_text(app))


async def test_keys_typed_while_the_startup_note_is_up_are_refused_with_a_message(
    counter: Counter,
) -> None:
    first = counter.app()
    async with first.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(first.screen, SaleScreen))
        await type_line(pilot, "500")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(first.screen, CashScreen))
        await pilot.press("f3")  # the exact amount: paid
        await until(pilot, lambda: "━ GREITT ━" in screen_text(first))
    with Journal(counter.settings.journal_file) as journal:
        sales.mark_till_running(journal, os.getpid())  # as if that till had been killed
    again = counter.app()
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(again.screen, StartupScreen))
        await type_line(pilot, "5690010000012")  # a scan while the note is up
        text = screen_text(again)
        assert "Innsláttur fór ekki í söluna" in text and "Við ræsingu" in text
        assert isinstance(again.screen, StartupScreen) and total(again) == 0
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(again.screen, SaleScreen))
        await type_line(pilot, "5690010000012")
        await until(pilot, lambda: total(again) == 229)


async def test_the_startup_note_says_where_an_interrupted_unpaid_sale_is(counter: Counter) -> None:
    from pos.ui.screens.payment import PaymentScreen

    from .conftest import newest_cart

    first = counter.app()
    async with first.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(first.screen, SaleScreen))
        await type_line(pilot, "2137")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(first.screen, PaymentScreen))
        await type_line(pilot, "8223281")
        await newest_cart(pilot, counter)
        # The till goes away mid-wait: the attempt stays open in the journal.
    again = counter.app()
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(again.screen, StartupScreen))
        text = screen_text(again)
        assert "sala 1 (2.137 kr.) er" in text and "HÆTT VIÐ" in text
        assert "Ekkert var tekið og salan er ekki lengur á kassanum" in text
        assert "S1-R1-" not in text  # the attempt's own row would only repeat the sale's
    assert [cart["Status"] for cart in counter.carts()] == ["cancelled"]
