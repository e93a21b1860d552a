"""A till sale's receipt, end to end below the screen: the session's journal snapshot printed by
the print queue on the file printer (real ESC/POS bytes and their text)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pos.core.customer_ids import parse_gsm
from pos.core.sale import Discount, DiscountKind
from pos.devices.printers import FilePrinter
from pos.services.printing import JobPrinted, PrintQueue, ReceiptFormat
from tests.services.till_fixtures import Counter, counter_at, sandbox_at


def printed_text(counter: Counter, folder: Path) -> str:
    queue = PrintQueue(counter.journal, FilePrinter(folder), ReceiptFormat())
    events = queue.print_pending()
    assert [type(e) for e in events] == [JobPrinted]
    [text] = [f.read_text(encoding="utf-8") for f in folder.iterdir() if f.suffix == ".txt"]
    return text


async def test_a_split_sale_with_discounts_prints_its_vat_tenders_and_number(
    tmp_path: Path,
) -> None:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        session = counter.session
        session.enter("2*5690010000012")  # 2 × Mjólk 1 l at 11 %
        session.enter("990")  # an open amount at 24 %
        session.discount_line(Discount(DiscountKind.PERCENT, 10, "Dæld"))
        session.pay_cash(1000)
        paying = asyncio.create_task(session.pay_netgiro(parse_gsm("8223281")))
        cart = await counter.newest_cart()
        await counter.act(cart["TransactionId"], "accept")
        assert (await paying).paid
        text = printed_text(counter, tmp_path / "receipts")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Kvittun nr. 1" in lines
    assert "Afsláttur (Dæld) -99" in lines
    assert "SAMTALS 1.349 kr." in lines
    assert "þar af VSK 24 % 172" in lines  # 891 kr. at 24 %
    assert "þar af VSK 11 % 45" in lines  # 458 kr. at 11 %
    assert any(line.startswith("Greitt: Reiðufé") for line in lines)
    assert any("S1-R1-R1" in line for line in lines)  # the per-sale code under the QR


async def test_a_cash_sale_prints_with_its_change(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        counter.session.enter("2*5690010000012")
        counter.session.pay_cash(1000)
        text = printed_text(counter, tmp_path / "receipts")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "SAMTALS 458 kr." in lines and "Til baka 542" in lines


async def test_the_signed_in_cashier_is_named_on_the_sale_and_its_receipt(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        counter.session.cashier = "Guðrún"
        counter.session.enter("2*5690010000012")
        counter.session.pay_cash(1000)
        row = counter.journal._db.execute("SELECT cashier FROM sales").fetchone()
        text = printed_text(counter, tmp_path / "receipts")
    assert row[0] == "Guðrún"
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Afgreiðsla Guðrún" in lines


async def test_without_a_signed_in_cashier_the_receipt_names_nobody(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        counter.session.enter("2*5690010000012")
        counter.session.pay_cash(1000)
        text = printed_text(counter, tmp_path / "receipts")
    assert "Afgreiðsla" not in text
