"""Refunds for X and Z reports: DONE refunds by tender and VAT rate, counted when they were done.

A refund counts in the period (the Z) in which its money went back: its ``done_at`` (the
answer's time for a Netgíró refund, the pay-out for cash, or the manager's settlement for one
that was REFUND_UNKNOWN first). REFUND_UNKNOWN refunds are not totals: they are listed apart
until a manager settles them. Works on a read-only connection to any journal version: without
the refunds table there are none; before step 0010 every refund was a Netgíró one by amount.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from pos.journal.audit import utc_text


@dataclass(frozen=True)
class RefundTotal:
    """Krónur refunded through one tender at one VAT rate, and how many refunds that took.

    ``vat_rate`` is None for a refund by amount only (no lines): a double charge's second
    payment (never a sale, so no VAT) or the older ``pos refund send SALE AMOUNT``.
    ``count`` is the number of refund rows (one per tender per refund) with money at this rate.
    """

    tender: str
    vat_rate: int | None
    gross: int
    count: int


@dataclass(frozen=True)
class UnknownRefund:
    """A Netgíró refund whose answer was lost: a manager must record what the portal shows."""

    id: int
    sale_id: int
    receipt_no: int | None
    amount: int
    manager: str
    created_at: str


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}


def refund_totals(db: sqlite3.Connection, since: datetime, until: datetime) -> list[RefundTotal]:
    """DONE refunds with ``since <= done_at < until`` (aware datetimes), by tender then rate.

    Sorted by tender ('cash' before 'netgiro'), then rate highest first, None last.
    """
    columns = _columns(db, "refunds")
    if not columns:
        return []
    window = (utc_text(since), utc_text(until))
    if "done_at" not in columns:
        rows = db.execute(
            "SELECT 'netgiro', NULL, SUM(amount), COUNT(*) FROM refunds "
            "WHERE status = 'DONE' AND updated_at >= ? AND updated_at < ? HAVING COUNT(*) > 0",
            window,
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT r.tender, l.vat_rate, SUM(COALESCE(l.gross, r.amount)), "
            "COUNT(DISTINCT r.id) FROM refunds r "
            "LEFT JOIN refund_lines l ON l.refund_id = r.id "
            "WHERE r.status = 'DONE' AND r.done_at >= ? AND r.done_at < ? "
            "GROUP BY r.tender, l.vat_rate",
            window,
        ).fetchall()
    totals = [
        RefundTotal(str(t), None if v is None else int(v), int(g), int(c)) for t, v, g, c in rows
    ]
    return sorted(totals, key=lambda t: (t.tender, t.vat_rate is None, -(t.vat_rate or 0)))


@dataclass(frozen=True)
class RefundPiece:
    """One DONE refund's money at one VAT rate (None: a refund by amount, not split)."""

    refund_id: int
    sale_id: int
    tender: str
    vat_rate: int | None
    gross: int


def refund_pieces_done(db: sqlite3.Connection, after: str, until: str) -> list[RefundPiece]:
    """DONE refunds with ``after < done_at <= until`` (journal UTC text; "" for no start), one
    piece per refund and VAT rate, by refund id: for a Z that stamps its own period bounds."""
    columns = _columns(db, "refunds")
    if not columns:
        return []
    if "done_at" not in columns:
        query = (
            "SELECT id, sale_id, 'netgiro', NULL, amount FROM refunds WHERE status = 'DONE' "
            "AND updated_at > ? AND updated_at <= ? ORDER BY id"
        )
    else:
        query = (
            "SELECT r.id, r.sale_id, r.tender, l.vat_rate, SUM(COALESCE(l.gross, r.amount)) "
            "FROM refunds r LEFT JOIN refund_lines l ON l.refund_id = r.id "
            "WHERE r.status = 'DONE' AND r.done_at > ? AND r.done_at <= ? "
            "GROUP BY r.id, l.vat_rate ORDER BY r.id, l.vat_rate DESC"
        )
    return [
        RefundPiece(int(i), int(s), str(t), None if v is None else int(v), int(g))
        for i, s, t, v, g in db.execute(query, (after, until)).fetchall()
    ]


def refunds_done(db: sqlite3.Connection, since: datetime, until: datetime) -> int:
    """How many refund actions had money go back in the period (a split one counts once)."""
    columns = _columns(db, "refunds")
    if not columns:
        return 0
    window = (utc_text(since), utc_text(until))
    if "done_at" not in columns:
        query = "SELECT COUNT(*) FROM refunds WHERE status = 'DONE' AND updated_at >= ? AND updated_at < ?"
    else:
        query = (
            "SELECT COUNT(DISTINCT COALESCE('slip' || slip_id, 'refund' || id)) FROM refunds "
            "WHERE status = 'DONE' AND done_at >= ? AND done_at < ?"
        )
    return int(db.execute(query, window).fetchone()[0])


def unknown_refunds(db: sqlite3.Connection) -> list[UnknownRefund]:
    """Every refund still REFUND_UNKNOWN, oldest first (whatever period it was asked in)."""
    if not _columns(db, "refunds"):
        return []
    receipt = "s.receipt_no" if "receipt_no" in _columns(db, "sales") else "NULL"
    rows = db.execute(
        f"SELECT r.id, r.sale_id, {receipt}, r.amount, r.manager, r.created_at FROM refunds r "
        "JOIN sales s ON s.id = r.sale_id WHERE r.status = 'REFUND_UNKNOWN' ORDER BY r.id"
    ).fetchall()
    return [
        UnknownRefund(int(i), int(s), None if n is None else int(n), int(a), str(m), str(c))
        for i, s, n, a, m, c in rows
    ]
