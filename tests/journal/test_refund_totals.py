"""Refund totals for X/Z reports, from a real journal: DONE refunds by tender and VAT rate, in
the period their money went back; REFUND_UNKNOWN apart. Rows are written with plain SQL, so the
schema's triggers are what keeps them honest."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos.core.catalog import CatalogItem
from pos.core.sale import Sale
from pos.journal import Journal, sales
from pos.journal.refund_totals import (
    RefundPiece,
    RefundTotal,
    refund_pieces_done,
    refund_totals,
    refunds_done,
    unknown_refunds,
)

SHIRT = CatalogItem("201", None, "Bolur", 1000, 24)
MILK = CatalogItem("101", None, "Mjólk 1 l", 500, 11)
DAY = datetime(2026, 12, 1, tzinfo=UTC)
NOON = "2026-12-01T12:00:00.000+00:00"
NEXT_DAY = "2026-12-02T09:00:00.000+00:00"


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def cash_sale(journal: Journal) -> int:
    """Two shirts (24 %) and a milk (11 %): 2 500 kr., paid with 3 000 (500 change)."""
    sale = Sale().with_quantity(2000).add_item(SHIRT).add_item(MILK)
    sale_id = sales.save_sale(journal, "R1", sale)
    assert sales.take_cash(journal, sale_id, 2500, 3000).paid
    return sale_id


def cash_refund(
    db: sqlite3.Connection,
    sale_id: int,
    key: str,
    lines: list[tuple[int, int, int, int]],
    *,
    status: str = "DONE",
    at: str = NOON,
) -> int:
    """A cash refund row with its lines (line_no from 1, quantity, gross, rate), as raw SQL in one
    transaction (rolled back when the schema refuses any part)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        refund_id = _cash_refund_rows(db, sale_id, key, lines, status, at)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return refund_id


def _cash_refund_rows(
    db: sqlite3.Connection,
    sale_id: int,
    key: str,
    lines: list[tuple[int, int, int, int]],
    status: str,
    at: str,
) -> int:
    amount = sum(gross for _, _, gross, _ in lines)
    cursor = db.execute(
        "INSERT INTO refunds (sale_id, tender, amount, idempotency_key, reason, manager, "
        "created_at, updated_at) VALUES (?, 'cash', ?, ?, 'Returned', 'manager:Anna', ?, ?)",
        (sale_id, amount, key, at, at),
    )
    refund_id = int(cursor.lastrowid or 0)
    for line_no, quantity, gross, rate in lines:
        db.execute(
            "INSERT INTO refund_lines (refund_id, sale_id, line_no, quantity_milli, gross, "
            "vat_rate) VALUES (?, ?, ?, ?, ?, ?)",
            (refund_id, sale_id, line_no, quantity, gross, rate),
        )
    done_at = at if status == "DONE" else None
    db.execute(
        "UPDATE refunds SET status = ?, done_at = ?, updated_at = ? WHERE id = ?",
        (status, done_at, at, refund_id),
    )
    return refund_id


def raw(journal: Journal) -> sqlite3.Connection:
    return sqlite3.connect(journal.path, isolation_level=None)


def test_done_refunds_count_by_tender_and_rate_in_the_period_they_were_done(
    journal: Journal,
) -> None:
    sale_id = cash_sale(journal)
    db = raw(journal)
    try:
        cash_refund(db, sale_id, "a", [(1, 1000, 1000, 24), (2, 1000, 500, 11)])
        cash_refund(db, sale_id, "b", [(1, 1000, 1000, 24)], status="FAILED")
        cash_refund(db, sale_id, "c", [(1, 1000, 1000, 24)], at=NEXT_DAY)
        day = refund_totals(db, DAY, DAY + timedelta(days=1))
        assert day == [RefundTotal("cash", 24, 1000, 1), RefundTotal("cash", 11, 500, 1)]
        assert refunds_done(db, DAY, DAY + timedelta(days=1)) == 1
        assert refund_totals(db, DAY + timedelta(days=1), DAY + timedelta(days=2)) == [
            RefundTotal("cash", 24, 1000, 1)
        ]
        assert unknown_refunds(db) == []
        assert refund_pieces_done(db, "", NOON) == [
            RefundPiece(1, sale_id, "cash", 24, 1000),
            RefundPiece(1, sale_id, "cash", 11, 500),
        ]
        assert refund_pieces_done(db, NOON, NEXT_DAY) == [RefundPiece(3, sale_id, "cash", 24, 1000)]
    finally:
        db.close()


def test_the_schema_refuses_more_cash_than_the_sale_took_net_of_change(journal: Journal) -> None:
    sale_id = cash_sale(journal)
    db = raw(journal)
    try:
        cash_refund(db, sale_id, "a", [(1, 2000, 2000, 24)])
        with pytest.raises(sqlite3.IntegrityError, match="exceed the cash"):
            db.execute(
                "INSERT INTO refunds (sale_id, tender, amount, idempotency_key, reason, manager, "
                "created_at, updated_at) VALUES (?, 'cash', 501, 'x', 'r', 'm', ?, ?)",
                (sale_id, NOON, NOON),
            )
        with pytest.raises(sqlite3.IntegrityError, match="exceed what was sold"):
            cash_refund(db, sale_id, "y", [(1, 1, 1, 24)])
        with pytest.raises(sqlite3.IntegrityError, match="at its VAT rate"):
            cash_refund(db, sale_id, "z", [(2, 1000, 500, 24)])
        cash_refund(db, sale_id, "last", [(2, 1000, 500, 11)])
    finally:
        db.close()


def test_a_journal_before_refund_lines_reads_as_netgiro_refunds_by_amount(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    try:
        assert refund_totals(db, DAY, DAY + timedelta(days=1)) == []
        db.execute(
            "CREATE TABLE refunds (id INTEGER PRIMARY KEY, amount INTEGER, status TEXT, "
            "updated_at TEXT)"
        )
        db.execute(
            "INSERT INTO refunds (amount, status, updated_at) VALUES (990, 'DONE', ?)", (NOON,)
        )
        assert refund_totals(db, DAY, DAY + timedelta(days=1)) == [
            RefundTotal("netgiro", None, 990, 1)
        ]
        assert refunds_done(db, DAY, DAY + timedelta(days=1)) == 1
    finally:
        db.close()
