"""The smallest terminal we support (80×24) and a large one (160×50): nothing the cashier
needs is clipped or misread — the lines with their amounts, the total, the keys, the waiting
view's words, and the help's way out."""

from __future__ import annotations

import re

import pytest

from pos.ui.screens.help import HelpScreen
from pos.ui.screens.payment import PaymentScreen
from pos.ui.screens.sale import SaleScreen

from .conftest import Counter, newest_cart, screen_text, type_line, until

MILK = "5690010000012"
SIZES = [(80, 24), (160, 50)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x50"])
async def test_the_sale_and_the_waiting_view_fit(counter: Counter, size: tuple[int, int]) -> None:
    app = counter.app()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        for line in (MILK, "2*", MILK, "990"):
            await type_line(pilot, line)
        text = screen_text(app)
        # "2 × 229" and its amount stay apart: never "2 × 229 458", which reads as 229.458.
        assert re.search(r"2 × 229 {3,}458 ", text), text
        assert re.search(r"Til greiðslu +1\.677", text) and "1.677 kr." in text
        for key in ("F1 Hjálp", "F2 Netgíró", "F3 Reiðufé", "F9 Stjórnandi", "Ctrl+N"):
            assert key in text, key
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
        await type_line(pilot, "8223281")
        await newest_cart(pilot, counter)
        await until(pilot, lambda: "Tími eftir" in screen_text(app))
        text = screen_text(app)
        assert "Bíð eftir samþykki viðskiptavinar" in text
        assert "***-**81 · viðskiptavinurinn samþykkir í Netgíró-appinu" in text
        assert "Esc Hætta við" in text and "1.677 kr." in text
        await pilot.press("escape", "escape")
        await until(pilot, lambda: "━ HÆTT VIÐ ━" in screen_text(app))
        assert "Ástæða: Hætt við" not in screen_text(app)  # no reason that repeats the word


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x50"])
async def test_the_help_says_how_to_scroll_and_close(
    counter: Counter, size: tuple[int, int]
) -> None:
    app = counter.app()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "F1 eða Esc lokar" in screen_text(app)  # on the box's border: always in view
        await pilot.press("end")  # the list scrolls at 80×24: its end can be reached
        await pilot.pause(0.2)
        assert "8+ tölustafir eru alltaf kóði" in screen_text(app)  # the help's last lines
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))


async def test_the_key_bar_never_splits_a_key_from_its_word(counter: Counter) -> None:
    """English at 80×24: a plain word wrap left "F8" at a line's end and "Copy" on the next."""
    from pos.core.ui_settings import UiSettings

    app = counter.app(ui=UiSettings(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        bar = screen_text(app).splitlines()[-2:]
        assert "F8 Copy" in "\n".join(bar), bar
        for line in bar:
            assert not re.search(r"(F\d+|Ctrl\+\w|Esc)$", line.rstrip()), bar
