"""The till's steps on the committed v1 journal: VAT per line, tenders, receipt numbers."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.checkout import Phase
from pos.journal import Journal, sales

FIXTURE = Path(__file__).parents[1] / "fixtures" / "journal_v1.sqlite3"
TX = "0f6f2d0e-9c2b-4b7e-9d0a-5b7c3f1e2a11"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    copy = tmp_path / "journal.sqlite3"
    shutil.copyfile(FIXTURE, copy)
    return copy


def test_v1_lines_get_the_default_rate_24_and_no_discount(v1: Path) -> None:
    with Journal(v1) as journal:
        rows = journal._db.execute(
            "SELECT vat_rate, discount_amount, barcode FROM sale_lines"
        ).fetchall()
        assert rows and all(tuple(row) == (24, 0, None) for row in rows)
        for sale_id in range(1, 8):
            stored = sales.load_sale(journal, sale_id)
            assert stored.sale.total == journal.sale(sale_id).total


def test_v1_paid_sales_get_their_netgiro_tender_and_numbers_in_paid_order(v1: Path) -> None:
    with Journal(v1) as journal:
        paid = [s for s in range(1, 8) if journal.sale(s).status == "paid"]
        assert paid == [1]
        stored = sales.load_sale(journal, 1)
        assert stored.receipt_no == 1
        [tender] = stored.sale.tenders
        assert tender.kind.value == "netgiro" and tender.amount == journal.sale(1).total
        assert tender.attempt_id == journal.sale(1).attempts[0].id
        unpaid = [sales.load_sale(journal, s) for s in range(2, 8)]
        assert all(s.receipt_no is None and not s.sale.tenders for s in unpaid)


def test_the_next_paid_sale_continues_the_numbers(v1: Path) -> None:
    with Journal(v1) as journal:
        [pending, _confirming] = journal.open_attempts()
        paid = replace(pending.state, phase=Phase.PAID, transaction_id=TX, live=False)
        journal.record(pending.id, paid, event="CheckAnswered", point="test.paid")
        assert sales.load_sale(journal, pending.sale_id).receipt_no == 2
        receipts = [j for j in journal.print_jobs() if j.sale_id == pending.sale_id]
        assert receipts[0].snapshot["receipt_no"] == 2
