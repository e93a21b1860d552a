"""SVG snapshots of the till at 80×24 (pytest-textual-snapshot), each also asserting its words.

The clocks are frozen and the cursor does not blink; the tool versions are pinned in the test
extra. CI never updates a snapshot: a missing or changed one fails. Update on purpose with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from pos.ui.demo import DemoInfo
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.payment import PaymentScreen, Stage
from pos.ui.screens.sale import SaleScreen

from .conftest import Counter, newest_cart, screen_text, type_line, until

SnapCompare = Callable[..., bool]
MILK = "5690010000012"
DEMO = DemoInfo("http://127.0.0.1:8765/customer/")


def frozen_app(counter: Counter) -> Any:
    return counter.app(monotonic=lambda: 1000.0, demo=DEMO)


def snapshot(
    snap_compare: SnapCompare, counter: Counter, steps: Callable[[Pilot[Any], Any], Awaitable[None]]
) -> str:
    """Runs ``steps``, takes the snapshot, and returns the screen's text for word checks."""
    app = frozen_app(counter)
    seen: list[str] = []

    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await steps(pilot, app)
        await pilot.pause(0.2)
        seen.append(screen_text(app))

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    return seen[0]


async def lines(pilot: Pilot[Any], app: Any) -> None:
    await type_line(pilot, MILK)
    await type_line(pilot, "2*")
    await type_line(pilot, MILK)
    await type_line(pilot, "990")


async def to_payment(pilot: Pilot[Any], app: Any, customer: str) -> None:
    await lines(pilot, app)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
    await type_line(pilot, customer)


def test_sale_with_lines(snap_compare: SnapCompare, counter: Counter) -> None:
    text = snapshot(snap_compare, counter, lines)
    for words in ("Mjólk 1 l", "2 × 229", "Opin vara (24 %)", "Samtals", "Til greiðslu"):
        assert words in text
    assert "F2 Netgíró" in text and "F3 Reiðufé" in text


def test_waiting_for_the_customer(snap_compare: SnapCompare, counter: Counter) -> None:
    async def steps(pilot: Pilot[Any], app: Any) -> None:
        await to_payment(pilot, app, "8223281")
        await newest_cart(pilot, counter)
        await until(pilot, lambda: "Bíð eftir" in screen_text(app))

    text = snapshot(snap_compare, counter, steps)
    assert "Bíð eftir samþykki viðskiptavinar" in text and "Tími eftir" in text
    assert "***-**81 · viðskiptavinurinn samþykkir í Netgíró-appinu" in text  # the engine's line
    assert "Waiting" not in text
    assert "Sími viðskiptavinar: http://127.0.0.1:8765/customer/" in text  # demo mode


def test_sms_code_entry(snap_compare: SnapCompare, counter: Counter) -> None:
    async def steps(pilot: Pilot[Any], app: Any) -> None:
        await to_payment(pilot, app, "1111111119")
        await until(pilot, lambda: app.screen.stage is Stage.CODE)

    text = snapshot(snap_compare, counter, steps)
    assert "Sláðu inn SMS-kóðann" in text and "Enter the SMS code" not in text
    assert "******-1119 · viðskiptavinurinn fær kóðann í SMS" in text  # the engine's line


def test_greitt(snap_compare: SnapCompare, counter: Counter) -> None:
    async def steps(pilot: Pilot[Any], app: Any) -> None:
        await to_payment(pilot, app, "8223281")
        cart = await newest_cart(pilot, counter)
        counter.act(cart["TransactionId"], "accept")
        await until(pilot, lambda: app.screen.stage is Stage.RESULT)

    text = snapshot(snap_compare, counter, steps)
    assert "━ GREITT ━" in text and "***-**81" in text and "Kvittun nr. 1" in text


def test_hafnad(snap_compare: SnapCompare, counter: Counter) -> None:
    async def steps(pilot: Pilot[Any], app: Any) -> None:
        await to_payment(pilot, app, "2222222229")
        await until(pilot, lambda: app.screen.stage is Stage.RESULT)

    text = snapshot(snap_compare, counter, steps)
    assert "━ HAFNAÐ ━" in text and "Ekkert var tekið" in text
    assert "Ástæða: Netgíró hafnaði greiðslunni" in text and "Declined" not in text


def test_cash_change(snap_compare: SnapCompare, counter: Counter) -> None:
    async def steps(pilot: Pilot[Any], app: Any) -> None:
        await lines(pilot, app)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await type_line(pilot, "5000")

    text = snapshot(snap_compare, counter, steps)
    assert "━ GREITT ━" in text and "Til baka" in text
