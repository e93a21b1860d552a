"""Receipts from the till screen: the print queue runs in a worker after each paid sale; a
failed print is a banner (the sale stays paid, the next one starts) and prints on a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from pos.services.reprint import ReprintNeedsManager, free_reprint
from pos.ui.app import TillApp
from pos.ui.screens.payment import PaymentScreen, Stage
from pos.ui.screens.sale import SaleScreen

from .conftest import SIZE, Counter, newest_cart, screen_text, type_line, until


def flat(app: TillApp) -> str:
    """The screen's words with line breaks undone (a notice wraps at 80 columns)."""
    return " ".join(screen_text(app).split())


async def gsm_sale(pilot: Pilot[Any], app: TillApp, counter: Counter, amount: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    await type_line(pilot, amount)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
    await type_line(pilot, "8223281")
    cart = await newest_cart(pilot, counter)
    counter.act(cart["TransactionId"], "accept")
    await until(pilot, lambda: getattr(app.screen, "stage", None) is Stage.RESULT)
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))


async def test_a_paid_sale_prints_its_receipt_and_the_status_bar_says_so(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await gsm_sale(pilot, app, counter, "2137")
        await until(pilot, lambda: "prentari ✓" in screen_text(app))
    receipt = (counter.data_dir / "receipts" / "receipt-000001.txt").read_text(encoding="utf-8")
    assert "2.137" in receipt


async def test_a_failed_print_shows_a_banner_and_prints_again_on_ctrl_r(counter: Counter) -> None:
    blocker = counter.data_dir / "receipts"
    counter.data_dir.mkdir(parents=True)
    blocker.write_text("not a folder", encoding="utf-8")  # the file printer cannot write there
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await gsm_sale(pilot, app, counter, "990")
        await until(pilot, lambda: "prentaðist ekki" in screen_text(app))
        text = " ".join(screen_text(app).split())  # the banner wraps at 80 columns
        assert "prentari ✗" in text and "1 í prentröð" in text and "Ctrl+R prentar aftur" in text
        assert app.context is not None and app.context.session.view.sale.is_empty
        blocker.unlink()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "prentari ✓" in screen_text(app))
        assert "1 í prentröð" not in screen_text(app)
    assert (counter.data_dir / "receipts" / "receipt-000001.txt").is_file()


async def test_a_paid_cash_sale_prints_its_receipt(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "2137")
        await pilot.press("f3", "f3", "escape")
        await until(pilot, lambda: "prentari ?" not in screen_text(app))
        assert "prentari ✓" in screen_text(app)
    receipt = (counter.data_dir / "receipts" / "receipt-000001.txt").read_text(encoding="utf-8")
    assert "2.137" in receipt


async def test_f8_reprints_the_last_receipt_once_as_afrit(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press("f8")
        await until(pilot, lambda: "Engin kvittun enn" in flat(app))
        await gsm_sale(pilot, app, counter, "1500")
        await until(pilot, lambda: "prentari ✓" in screen_text(app))
        assert app.context is not None and app.context.printing is not None
        later = datetime.now(UTC) + timedelta(minutes=11)
        with pytest.raises(ReprintNeedsManager):
            free_reprint(app.context.session.till.journal, later, actor="register:R1")
        await pilot.press("f8")
        copy = counter.data_dir / "receipts" / "receipt-000001-afrit-1.txt"
        await until(pilot, copy.is_file)
        assert "AFRIT" in copy.read_text(encoding="utf-8")
        await pilot.press("f8")
        await until(pilot, lambda: "stjórnandi prentar afrit" in flat(app))
    assert not (counter.data_dir / "receipts" / "receipt-000001-afrit-2.txt").exists()


class HeldPrinter:
    """The file printer behind a gate: a printer that hangs until its own timeout would."""

    def __init__(self, inner: Any) -> None:
        import threading

        self.inner, self.name, self.gate = inner, "held", threading.Event()

    def send(self, job: Any) -> None:
        self.gate.wait(30)
        self.inner.send(job)

    def status(self) -> Any:
        return self.inner.status()


async def test_a_printer_that_hangs_never_freezes_the_screen(counter: Counter) -> None:
    from pos.devices.printers import FilePrinter
    from pos.services.printing import PrintQueue, ReceiptFormat

    printer = HeldPrinter(FilePrinter(counter.data_dir / "receipts"))
    app = counter.app(print_queue=lambda journal: PrintQueue(journal, printer, ReceiptFormat()))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "2137")
        await pilot.press("f3", "f3", "escape")  # cash, exact amount: paid, the receipt queued
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "990")  # the printer still hangs; the next sale goes on
        await until(pilot, lambda: "990" in screen_text(app))
        assert not (counter.data_dir / "receipts" / "receipt-000001.txt").exists()
        printer.gate.set()
        await until(pilot, (counter.data_dir / "receipts" / "receipt-000001.txt").exists)
