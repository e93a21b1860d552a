"""Pilot tests of the sale screen on a real journal: keyed lines, scans, quantities, voids,
discounts, find, park and recall, cash, and the keys around them."""

from __future__ import annotations

from pos.core.sale import DiscountKind
from pos.journal import Journal
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.confirm import ConfirmScreen
from pos.ui.screens.help import HelpScreen
from pos.ui.screens.payment import PaymentScreen
from pos.ui.screens.recall import RecallScreen
from pos.ui.screens.sale import SaleScreen

from .conftest import SIZE, Counter, screen_text, type_line, until

MILK = "5690010000012"  # Mjólk 1 l, 229 kr., VAT 11 % (config/catalog.example.csv)
RYE_BREAD_PLU = "104"  # Rúgbrauð, 689 kr., VAT 11 %


def session_of(app):  # type: ignore[no-untyped-def]
    assert app.context is not None
    return app.context.session


async def test_keyed_lines_at_two_vat_rates_show_vat_per_rate(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "990")
        await pilot.press("f11")  # the next open-price line at 24 % → 11 %
        await pilot.press("f11")
        await type_line(pilot, "1110")
        sale = session_of(app).view.sale
        assert [(line.amount, line.vat_rate) for line in sale.lines] == [(990, 24), (1110, 11)]
        assert sale.total == 2100
        text = screen_text(app)
        assert "þar af VSK 24 %" in text and "192" in text  # 990 * 24 / 124, half up
        assert "þar af VSK 11 %" in text and "110" in text
        assert "Til greiðslu" in text and "2.100" in text


async def test_scan_unknown_code_quantity_void_and_find(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, MILK)
        await type_line(pilot, "5690010099990")  # a wrong check digit: a misread
        assert "Strikamerki 5690010099990 er rangt (vartala): engu bætt við" in screen_text(app)
        await type_line(pilot, "5690010099993")  # a valid check digit, not in the catalog
        assert "Óþekkt vörunúmer 5690010099993: engu bætt við" in screen_text(app)
        assert len(session_of(app).view.sale.lines) == 1
        await type_line(pilot, "3*")
        assert "magn 3 ×" in screen_text(app)
        await type_line(pilot, MILK)
        sale = session_of(app).view.sale
        assert [line.quantity_milli for line in sale.lines] == [1000, 3000]
        assert "3 × 229" in screen_text(app)
        await pilot.press("up")  # select the first line
        await pilot.press("f4")
        assert [line.quantity_milli for line in session_of(app).view.sale.lines] == [3000]
        await pilot.press("f7")
        await pilot.press(*"rúgbr")
        await until(pilot, lambda: "Rúgbrauð" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        names = [line.name for line in session_of(app).view.sale.lines]
        assert names == ["Mjólk 1 l", "Rúgbrauð"]


async def test_a_discount_with_a_reason_on_the_selected_line(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "1000")
        await pilot.press("up")
        await pilot.press("f10")
        await type_line(pilot, "10%")
        await type_line(pilot, "skemmd umbúð")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        line = session_of(app).view.sale.lines[0]
        assert line.discount is not None and line.discount.kind is DiscountKind.PERCENT
        assert line.amount == 900


async def test_park_restart_recall(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "1234")
        await pilot.press("f5")
        assert "geymd" in screen_text(app)
        assert session_of(app).view.sale.is_empty
        await pilot.press("ctrl+q")
    again = counter.app()
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(again.screen, SaleScreen))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(again.screen, RecallScreen))
        assert "1.234" in screen_text(again)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(again.screen, SaleScreen))
        assert session_of(again).view.sale.total == 1234


async def test_cash_with_change_in_large_type(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "2137")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await type_line(pilot, "5000")
        text = screen_text(app)
        assert "━ GREITT ━" in text
        assert "Til baka" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert session_of(app).view.sale.is_empty
    with Journal(counter.settings.journal_file) as journal:
        sale = journal.recent_sales(1)[0]
    assert (sale.total, sale.status) == (2137, "paid")


async def test_a_confirm_dialog_never_takes_a_bare_enter(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "500")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert session_of(app).view.sale.total == 500
        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert session_of(app).view.sale.is_empty


async def test_help_lists_every_key(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=(100, 60)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        for words in ("F2", "Netgíró", "F3", "Reiðufé", "F4", "Eyða línu", "Esc", "Hætta við"):
            assert words in text


async def test_netgiro_key_remapped_to_f12(counter: Counter) -> None:
    from pos.core.keymap import Keymap
    from pos.core.ui_settings import UiSettings

    app = counter.app(ui=UiSettings(keymap=Keymap({"sale_netgiro": "f12"})))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "990")
        await pilot.press("f2")
        assert isinstance(app.screen, SaleScreen)
        assert "F12 Netgíró" in screen_text(app)
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, PaymentScreen))


async def test_one_run_in_english(counter: Counter) -> None:
    from pos.core.ui_settings import UiSettings

    app = counter.app(ui=UiSettings(language="en"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "2137")
        text = screen_text(app)
        assert "Balance due" in text and "F2 Netgíró" in text and "F3 Cash" in text
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await pilot.press("f3")  # exact amount
        assert "━ PAID ━" in screen_text(app)


async def test_a_discount_above_the_limit_needs_a_manager(counter: Counter) -> None:
    from pos.ui.screens.signin import PinScreen

    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "1000")
        await pilot.press("f10")
        await pilot.press("f10")  # on the whole sale
        await type_line(pilot, "50%")
        await type_line(pilot, "vinur")
        await until(pilot, lambda: isinstance(app.screen, PinScreen))  # a manager's PIN
        assert "Afsláttur umfram mörk" in screen_text(app)
        await pilot.press("escape")  # no manager: nothing given
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert session_of(app).view.sale.total == 1000
        await pilot.press("f9")  # manager mode asks for a PIN (no more "not yet")
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        assert "Stjórnandi: nafn og PIN-númer" in screen_text(app)


async def test_a_second_till_on_the_register_is_refused(counter: Counter) -> None:
    first = counter.app()
    async with first.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(first.screen, SaleScreen))
        second = counter.app()
        async with second.run_test(size=SIZE) as other:
            await until(other, lambda: not second.is_running or second.failure is not None)
        assert second.failure is not None and "busy" in second.failure.message
        assert second.return_code == 2


async def test_todays_sales_from_the_command_palette(counter: Counter) -> None:
    from pos.ui.screens.today import TodayScreen

    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "1234")
        await pilot.press("f3", "f3", "escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Sölur dagsins")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert "1.234 kr. · greidd" in screen_text(app)


async def test_a_worker_that_hits_a_bug_is_said_and_the_till_keeps_running(
    counter: Counter,
) -> None:
    app = counter.app()

    async def broken() -> None:
        raise RuntimeError("a bug")

    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        app.screen.run_worker(broken(), exit_on_error=False)
        said = lambda: [n.message for n in app._notifications]  # noqa: E731 (the toasts)
        await until(pilot, lambda: any("Villa í kassanum (RuntimeError)" in m for m in said()))
        await type_line(pilot, "500")
        assert app.is_running and session_of(app).view.sale.total == 500


async def test_input_that_is_no_amount_or_code_is_explained_in_the_screens_words(
    counter: Counter,
) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "12a")
        assert "„12a“ er hvorki upphæð, strikamerki né magn" in screen_text(app)
        assert session_of(app).view.sale.is_empty
