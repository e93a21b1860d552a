"""The serial scanner in the till, over real pty pairs: each code reaches the screen on top as a
keyboard-wedge scan would (sale: the item; payment: the customer field; waiting: ignored with a
message); the status bar shows the scanner's state through an unplug and a replug."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from pos.config.scanner import ScannerSettings
from pos.core.barcodes import check_digit
from pos.core.till_settings import CatalogSettings
from pos.ui.app import TillApp
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.payment import PaymentScreen, Stage
from pos.ui.screens.sale import SaleScreen
from pos.ui.widgets.status_bar import StatusBar

from .conftest import SIZE, Counter, newest_cart, screen_text, type_line, until


class Pty:
    """A pty pair standing in for the scanner's USB-serial port: writing to it is scanning."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)

    def scan(self, code: str) -> None:
        os.write(self.master, code.encode() + b"\r")

    def unplug(self) -> None:
        for fd in (self.slave, self.master):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def ports() -> Iterator[list[Pty]]:
    made: list[Pty] = []
    yield made
    for port in made:
        port.unplug()


def catalog_of(folder: Path, count: int) -> list[str]:
    """A catalog file of ``count`` items with valid, distinct EAN-13 codes; returns the codes."""
    codes = []
    for n in range(count):
        body = f"569009{n:06d}"
        codes.append(body + str(check_digit(body)))
    rows = [f"{code},{900 + n},Vara {n},{100 + n},24" for n, code in enumerate(codes)]
    (folder / "catalog.csv").write_text(
        "barcode,plu,name,price,vat\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return codes


def with_serial_scanner(counter: Counter, port: str, catalog: Path | None = None) -> None:
    sections = {**counter.settings.sections, "scanner": ScannerSettings("serial", port, 9600, "CR")}
    if catalog is not None:
        sections["catalog"] = CatalogSettings(catalog)
    counter.settings = replace(counter.settings, sections=sections)


def scanner_state(app: TillApp) -> str:
    bars = list(app.screen_stack[1].query(StatusBar)) if len(app.screen_stack) > 1 else []
    return bars[0].facts.scanner if bars and bars[0].facts else ""


def sale_barcodes(app: TillApp) -> list[str | None]:
    assert app.context is not None
    return [line.barcode for line in app.context.session.view.sale.lines]


async def ready(pilot: Pilot[Any], app: TillApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, SaleScreen) and scanner_state(app) == "ok")


async def test_a_hundred_serial_scans_reach_the_sale_none_lost_none_merged(
    counter: Counter, tmp_path: Path, ports: list[Pty]
) -> None:
    port = Pty()
    ports.append(port)
    codes = catalog_of(tmp_path, 100)
    with_serial_scanner(counter, port.name, tmp_path / "catalog.csv")
    app = counter.app()
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert scanner_state(app) in ("unknown", "ok")
        await ready(pilot, app)
        assert "skanni ✓" in screen_text(app)
        for code in codes:
            port.scan(code)
        await until(pilot, lambda: len(sale_barcodes(app)) >= len(codes))
        assert sale_barcodes(app) == codes
        await type_line(pilot, "3*")  # a quantity typed first applies to the scan, as on a wedge
        port.scan(codes[0])
        await until(pilot, lambda: len(sale_barcodes(app)) > len(codes))
        assert app.context is not None
        assert app.context.session.view.sale.lines[-1].quantity_milli == 3000


async def test_unplug_and_replug_show_in_the_status_bar_and_scanning_goes_on(
    counter: Counter, tmp_path: Path, ports: list[Pty]
) -> None:
    by_id = tmp_path / "usb-Scanner_1234-if00"
    first = Pty()
    ports.append(first)
    by_id.symlink_to(first.name)
    with_serial_scanner(counter, str(by_id))
    app = counter.app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot, app)
        first.scan("5690010000012")
        await until(pilot, lambda: sale_barcodes(app) == ["5690010000012"])
        first.unplug()
        by_id.unlink()
        await until(pilot, lambda: "skanni ✗ tengist" in screen_text(app))
        assert scanner_state(app) == "reconnecting"
        second = Pty()  # the same scanner back, on another tty
        ports.append(second)
        by_id.symlink_to(second.name)
        await until(pilot, lambda: "skanni ✓" in screen_text(app))
        second.scan("5690010000029")
        await until(pilot, lambda: len(sale_barcodes(app)) == 2)
    assert sale_barcodes(app) == ["5690010000012", "5690010000029"]


async def test_a_scan_on_the_payment_screen_fills_the_customer_field_and_pays(
    counter: Counter, ports: list[Pty]
) -> None:
    port = Pty()
    ports.append(port)
    with_serial_scanner(counter, port.name)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await type_line(pilot, "2137")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
        port.scan(counter.app_code())  # off the customer's phone: the app code is its consent
        await until(pilot, lambda: getattr(app.screen, "stage", None) is Stage.RESULT)
        assert "GREITT" in screen_text(app)
    [cart] = counter.carts()
    assert cart["Amount"] == 2137


async def test_a_scan_while_waiting_for_the_customer_is_ignored_with_a_message(
    counter: Counter, ports: list[Pty]
) -> None:
    port = Pty()
    ports.append(port)
    with_serial_scanner(counter, port.name)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await type_line(pilot, "2137")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
        await type_line(pilot, "8223281")  # a phone number: the customer accepts on the phone
        cart = await newest_cart(pilot, counter)
        assert getattr(app.screen, "stage", None) in (Stage.WAITING, Stage.CODE)
        port.scan("5690010000012")
        await until(pilot, lambda: "Skönnun hunsuð" in screen_text(app))
        assert len(counter.carts()) == 1
        counter.act(cart["TransactionId"], "accept")
        await until(pilot, lambda: getattr(app.screen, "stage", None) is Stage.RESULT)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert sale_barcodes(app) == []  # the scan while waiting added nothing to any sale


async def test_a_scan_where_none_is_taken_is_said_and_changes_nothing(
    counter: Counter, ports: list[Pty]
) -> None:
    port = Pty()
    ports.append(port)
    with_serial_scanner(counter, port.name)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await type_line(pilot, "2137")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        port.scan("5690010000012")
        said = lambda: [n.message for n in app._notifications]  # noqa: E731 (the toasts)
        await until(pilot, lambda: "Skönnun ekki notuð hér: ekkert gert." in said())
        assert app.context is not None
        assert app.context.session.view.sale.balance_due == 2137


async def test_a_scan_that_comes_before_the_new_screen_is_ready_waits_for_it(
    counter: Counter, ports: list[Pty]
) -> None:
    """A scanner fires whenever it likes: right after F2 pushed the payment screen, before that
    screen has its customer field, the code is kept until the screen can take it."""
    from pos.ui.serial_scan import ScannerCode

    port = Pty()
    ports.append(port)
    with_serial_scanner(counter, port.name)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await type_line(pilot, "2137")
        assert app.context is not None
        app.push_screen(PaymentScreen(app.context, 2137))  # pushed, not yet composed
        app._scanned(ScannerCode(counter.app_code()))  # the app's handler, in that moment
        await until(pilot, lambda: getattr(app.screen, "stage", None) is Stage.RESULT)
        assert "GREITT" in screen_text(app)
    assert len(counter.carts()) == 1
