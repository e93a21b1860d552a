"""The till's sales in a real journal file: lines with VAT and discounts, park and recall across a
restart, cash and Netgíró tenders that settle a sale, gapless receipt numbers, the killed flag."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.catalog import CatalogItem
from pos.core.checkout import Checkout, CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.core.sale import Discount, DiscountKind, DiscountLimit, Sale
from pos.journal import Journal, JournalError, SaleNotPayable, sales

MILK = CatalogItem("101", "5690010000012", "Mjólk 1 l", 229, 11)
BREAD = CatalogItem("104", "5690010000043", "Rúgbrauð", 689, 11)
TX = "0f6f2d0e-9c2b-4b7e-9d0a-5b7c3f1e2a11"
ROOMY = DiscountLimit(100, 100_000)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[Journal]:
    with Journal(path) as opened:
        yield opened


def screen_sale() -> Sale:
    return Sale().with_quantity(2000).add_item(MILK).add_item(BREAD).add_open_price(990, 24)


def netgiro_ends(journal: Journal, sale_id: int, phase: Phase) -> int:
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    final: Checkout = replace(attempt.state, phase=phase, transaction_id=TX, live=False)
    journal.record(attempt.id, final, event="CheckAnswered", point="test.final")
    return attempt.amount


def test_a_sale_is_journaled_with_vat_rates_barcodes_and_discounts(journal: Journal) -> None:
    sale = (
        screen_sale()
        .discount_line(1, Discount(DiscountKind.PERCENT, 10, "Yesterday's bread"), ROOMY)
        .discount_sale(Discount(DiscountKind.AMOUNT, 50, "Regular customer"), ROOMY)
    )
    sale_id = sales.save_sale(journal, "R1", sale)
    stored = sales.load_sale(journal, sale_id)
    assert stored.status == "open"
    assert stored.sale.lines == sale.lines
    assert stored.sale.discount == sale.discount
    assert stored.sale.total == sale.total == journal.sale(sale_id).total
    assert stored.sale.vat_lines == sale.vat_lines


def test_a_parked_sale_survives_a_restart_and_is_recalled_once(path: Path) -> None:
    with Journal(path) as journal:
        sale_id = sales.park_sale(journal, "R1", screen_sale())
    with Journal(path) as journal:
        [parked] = sales.parked_sales(journal)
        assert (parked.sale_id, parked.status, parked.sale.total) == (sale_id, "parked", 2137)
        assert parked.parked_at is not None
        with pytest.raises(SaleNotPayable, match="parked"):
            netgiro_ends(journal, sale_id, Phase.PAID)
        recalled = sales.recall_sale(journal, sale_id)
        assert recalled.status == "open" and recalled.sale.lines == screen_sale().lines
        assert sales.parked_sales(journal) == []
        with pytest.raises(JournalError, match="not parked"):
            sales.recall_sale(journal, sale_id)


def test_a_recalled_sale_is_rewritten_until_money_is_taken(journal: Journal) -> None:
    sale_id = sales.park_sale(journal, "R1", screen_sale())
    sales.recall_sale(journal, sale_id)
    changed = screen_sale().void_line(0)
    assert sales.save_sale(journal, "R1", changed, sale_id) == sale_id
    assert sales.load_sale(journal, sale_id).sale.lines == changed.lines
    sales.take_cash(journal, sale_id, 500, 500)
    with pytest.raises(JournalError, match="payment taken"):
        sales.save_sale(journal, "R1", screen_sale(), sale_id)
    with pytest.raises(JournalError, match="payment taken"):
        sales.void_sale(journal, sale_id)


def test_a_sale_with_money_taken_is_not_parked(journal: Journal) -> None:
    with pytest.raises(JournalError, match="cannot be parked"):
        sales.park_sale(journal, "R1", screen_sale().take_cash(100))


def test_cash_with_change_pays_numbers_and_queues_the_receipt_in_one_commit(
    journal: Journal,
) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    taken = sales.take_cash(journal, sale_id, 2137, 5000)
    assert (taken.paid, taken.change, taken.receipt_no) == (True, 2863, 1)
    record = journal.sale(sale_id)
    assert record.status == "paid" and record.paid_at is not None
    [job] = journal.print_jobs()
    snapshot = job.snapshot
    assert (job.kind, job.sale_id, snapshot["receipt_no"], snapshot["total"]) == (
        "receipt",
        sale_id,
        1,
        2137,
    )
    assert snapshot["vat"] == [
        {"rate": 24, "gross": 990, "vat": 192},
        {"rate": 11, "gross": 1147, "vat": 114},
    ]
    assert snapshot["tenders"] == [
        {"kind": "cash", "amount": 2137, "tendered": 5000, "change": 2863}
    ]
    assert [(ln["vat_rate"], ln["amount"], ln["discount"]) for ln in snapshot["lines"]] == [  # type: ignore[index, union-attr]
        (11, 458, 0),
        (11, 689, 0),
        (24, 990, 0),
    ]
    assert (snapshot["discount"], snapshot["register"]) == (0, "R1")
    assert snapshot["receipt_code"] == "S1-R1-R1"  # {store}-{register}-R{receipt}
    assert snapshot["reference"] is None and snapshot["change"] == 2863


def test_split_cash_then_netgiro_for_the_balance(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    partial = sales.take_cash(journal, sale_id, 1000, 1000)
    assert not partial.paid and journal.sale(sale_id).status == "open"
    asked = netgiro_ends(journal, sale_id, Phase.PAID)
    assert asked == 1137  # the attempt asks the balance due, not the total
    stored = sales.load_sale(journal, sale_id)
    assert (stored.status, stored.receipt_no, stored.sale.paid) == ("paid", 1, 2137)
    [job] = journal.print_jobs()
    assert job.snapshot["total"] == 2137 and job.snapshot["netgiro_amount"] == 1137
    assert [t["kind"] for t in job.snapshot["tenders"]] == ["cash", "netgiro"]  # type: ignore[index, union-attr]


def test_a_declined_netgiro_leaves_the_cash_taken_and_the_rest_due(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    sales.take_cash(journal, sale_id, 1000, 1000)
    netgiro_ends(journal, sale_id, Phase.DECLINED)
    assert journal.sale(sale_id).status == "unpaid"
    assert [s.sale_id for s in sales.unfinished_sales(journal)] == [sale_id]
    assert sales.take_cash(journal, sale_id, 1137, 2000).receipt_no == 1
    assert sales.unfinished_sales(journal) == []


def test_cash_is_refused_while_a_netgiro_attempt_is_live(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    journal.begin_attempt(sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0])
    with pytest.raises(JournalError, match="Netgíró payment running"):
        sales.take_cash(journal, sale_id, 2137, 2137)


def test_cash_beyond_the_balance_due_is_refused(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    with pytest.raises(JournalError, match="balance due"):
        sales.take_cash(journal, sale_id, 3000, 3000)


def test_receipt_numbers_are_gapless_across_tenders_and_kept_apart_from_sale_ids(
    journal: Journal,
) -> None:
    parked = sales.park_sale(journal, "R1", screen_sale())  # takes a sale id, no number
    first = sales.save_sale(journal, "R1", screen_sale())
    netgiro_ends(journal, first, Phase.PAID)
    unpaid = sales.save_sale(journal, "R1", screen_sale())
    netgiro_ends(journal, unpaid, Phase.CANCELLED)
    second = sales.save_sale(journal, "R1", screen_sale())
    sales.take_cash(journal, second, 2137, 2137)
    numbers = {s: sales.load_sale(journal, s).receipt_no for s in (parked, first, unpaid, second)}
    assert numbers == {parked: None, first: 1, unpaid: None, second: 2}
    found = sales.find_by_receipt(journal, 2)
    assert found is not None and found.sale_id == second
    assert sales.find_by_receipt(journal, 3) is None
    with pytest.raises(sqlite3.IntegrityError):  # the schema itself refuses a number twice
        journal._db.execute("UPDATE sales SET receipt_no = 1 WHERE id = ?", (second,))


def test_a_replayed_paid_takes_no_second_tender_or_number(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id=TX, live=False)
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    stored = sales.load_sale(journal, sale_id)
    assert len(stored.sale.tenders) == 1 and stored.receipt_no == 1
    assert len(journal.print_jobs()) == 1


def test_clearing_a_journaled_sale_voids_it(journal: Journal) -> None:
    sale_id = sales.park_sale(journal, "R1", screen_sale())
    sales.void_sale(journal, sale_id)
    assert journal.sale(sale_id).status == "voided"
    assert sales.parked_sales(journal) == []


def test_an_empty_or_free_sale_is_not_journaled(journal: Journal) -> None:
    with pytest.raises(JournalError, match="empty"):
        sales.save_sale(journal, "R1", Sale())
    free = (
        Sale()
        .add_open_price(100, 24)
        .discount_line(0, Discount(DiscountKind.PERCENT, 100, "Gift"), ROOMY)
    )
    with pytest.raises(JournalError, match="zero"):
        sales.park_sale(journal, "R1", free)


def test_the_killed_flag_says_whether_the_last_till_closed(path: Path) -> None:
    with Journal(path) as journal:
        assert sales.mark_till_running(journal, 100) is False
    with Journal(path) as journal:  # never closed: killed
        assert sales.mark_till_running(journal, 101) is True
        sales.mark_till_closed(journal)
    with Journal(path) as journal:
        assert sales.mark_till_running(journal, 102) is False


def test_receipt_snapshot_is_json_the_printer_can_read(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    sales.take_cash(journal, sale_id, 2137, 2137)
    raw = journal._db.execute("SELECT snapshot FROM print_jobs").fetchone()[0]
    assert json.loads(raw)["lines"][0]["name"] == "Mjólk 1 l"


def test_a_sale_with_a_live_attempt_is_not_unfinished_but_in_flight(journal: Journal) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    sales.take_cash(journal, sale_id, 1000, 1000)
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    assert attempt.amount == 1137
    assert sales.unfinished_sales(journal) == []  # recovery owns it until the attempt ends


def test_the_store_header_is_frozen_into_every_paid_snapshot(path: Path) -> None:
    header = {"name": "Búðin ehf.", "address": "Laugavegi 1", "kennitala": "5101012340"}
    with Journal(path, store_id="B12", receipt_header=header) as journal:
        cash = sales.save_sale(journal, "R1", screen_sale())
        sales.take_cash(journal, cash, 2137, 2137)
        netgiro = sales.save_sale(journal, "R1", screen_sale())
        netgiro_ends(journal, netgiro, Phase.PAID)
        snapshots = {job.sale_id: job.snapshot for job in journal.print_jobs()}
    for sale_id, number in ((cash, 1), (netgiro, 2)):
        assert snapshots[sale_id]["store"] == {**header, "store_id": "B12"}
        assert snapshots[sale_id]["receipt_code"] == f"B12-R1-R{number}"


def test_a_sale_its_tenders_cover_gets_no_attempt_even_if_its_status_reads_open(
    journal: Journal,
) -> None:
    sale_id = sales.save_sale(journal, "R1", screen_sale())
    netgiro_ends(journal, sale_id, Phase.PAID)
    journal._db.execute("UPDATE sales SET status = 'open' WHERE id = ?", (sale_id,))
    with pytest.raises(SaleNotPayable, match="nothing left to pay"):
        netgiro_ends(journal, sale_id, Phase.PAID)
    assert len(journal.sale(sale_id).attempts) == 1
