"""The rows one X or Z period counts, read inside the caller's transaction (``z_reports``).

- paid sales: receipt numbers above the last Z's ``last_receipt_no`` (the order of ``paid_at``:
  a clock stepping back cannot move a sale into a closed Z);
- cash movements: those no Z has stamped yet;
- refunds: DONE after the last Z (a refund counts in the Z of the day it is done, also when a
  manager records it as done later);
- voided sales and payment attempts ended without money: by time after the last Z;
- what still waits for a manager (RESERVED_UNCHARGED, NEEDS_REVIEW, UNKNOWN_ABANDONED,
  REFUND_UNKNOWN): every one not settled yet, whenever it began.
"""

from __future__ import annotations

import sqlite3

from pos.core.z_report import ENDING_PHASES, CashMove, PaidSale, Pending, PeriodRows, RefundDone
from pos.journal import tenders

PENDING_PHASES = ("RESERVED_UNCHARGED", "NEEDS_REVIEW", "UNKNOWN_ABANDONED")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}


def _paid_sales(db: sqlite3.Connection, after_receipt: int) -> list[PaidSale]:
    has_cashier = "cashier" in _columns(db, "sales")
    cashier = "cashier" if has_cashier else "NULL AS cashier"
    rows = db.execute(
        f"SELECT id, receipt_no, paid_at, {cashier} FROM sales "
        "WHERE status = 'paid' AND receipt_no > ? ORDER BY receipt_no",
        (after_receipt,),
    ).fetchall()
    return [_paid_sale(db, row) for row in rows]


def _paid_sale(db: sqlite3.Connection, row: sqlite3.Row) -> PaidSale:
    sale = tenders.sale_from_rows(db, row["id"])
    by_kind: dict[str, int] = {}
    change = 0
    for tender in sale.tenders:
        by_kind[tender.kind.value] = by_kind.get(tender.kind.value, 0) + tender.amount
        change += tender.change
    return PaidSale(
        sale_id=row["id"],
        receipt_no=row["receipt_no"],
        paid_at=row["paid_at"] or "",
        total=sale.total,
        gross_by_rate={v.rate: v.gross for v in sale.vat_lines},
        cash=by_kind.get("cash", 0),
        netgiro=by_kind.get("netgiro", 0),
        change=change,
        discount=sale.sale_discount_amount + sum(line.discount_amount for line in sale.lines),
        cashier=row["cashier"],
    )


def _refunds_done(db: sqlite3.Connection, after: str, until: str) -> list[RefundDone]:
    """Refunds DONE in the period, one row per refund and VAT rate where its lines say the rate
    (refunds by line); a refund by amount only (no lines) has none: unsplit."""
    tables = _tables(db)
    if "refunds" not in tables:
        return []
    columns = _columns(db, "refunds")
    if "done_at" not in columns or "refund_lines" not in tables:
        rows = db.execute(
            "SELECT sale_id, 'netgiro', NULL, amount FROM refunds WHERE status = 'DONE' "
            "AND updated_at > ? AND updated_at <= ? ORDER BY id",
            (after, until),
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT r.sale_id, r.tender, l.vat_rate, SUM(COALESCE(l.gross, r.amount)) "
            "FROM refunds r LEFT JOIN refund_lines l ON l.refund_id = r.id "
            "WHERE r.status = 'DONE' AND r.done_at > ? AND r.done_at <= ? "
            "GROUP BY r.id, l.vat_rate ORDER BY r.id, l.vat_rate DESC",
            (after, until),
        ).fetchall()
    return [
        RefundDone(str(tender), int(gross), int(sale_id), {} if rate is None else {rate: gross})
        for sale_id, tender, rate, gross in rows
    ]


def _refund_count(db: sqlite3.Connection, after: str, until: str) -> int | None:
    """Refund actions done in the period: one manager's refund paid back through two tenders
    (one slip) is one; None where every refund row is an action of its own (older journals)."""
    if "slip_id" not in _columns(db, "refunds"):
        return None
    row = db.execute(
        "SELECT COUNT(DISTINCT COALESCE('slip' || slip_id, 'refund' || id)) FROM refunds "
        "WHERE status = 'DONE' AND done_at > ? AND done_at <= ?",
        (after, until),
    ).fetchone()
    return int(row[0])


def _tables(db: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _pending(db: sqlite3.Connection) -> list[Pending]:
    marks = ", ".join("?" * len(PENDING_PHASES))
    rows = db.execute(
        "SELECT a.phase, a.sale_id, a.reference, a.amount, a.transaction_id FROM attempts a "
        f"WHERE a.phase IN ({marks}) AND NOT EXISTS (SELECT 1 FROM attempt_events e "
        "WHERE e.attempt_id = a.id AND e.event LIKE 'settled!_%' ESCAPE '!') ORDER BY a.id",
        PENDING_PHASES,
    ).fetchall()
    found = [Pending(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    if "refunds" in _tables(db):
        unknown = db.execute(
            "SELECT r.sale_id, r.idempotency_key, r.amount, r.transaction_id FROM refunds r "
            "WHERE r.status = 'REFUND_UNKNOWN' ORDER BY r.id"
        ).fetchall()
        found += [Pending("REFUND_UNKNOWN", r[0], r[1], r[2], r[3]) for r in unknown]
    return found


def period_rows(db: sqlite3.Connection, after: str, until: str, after_receipt: int) -> PeriodRows:
    """The rows of the period after ``after`` (the last Z's close, "" for the first) up to
    ``until``, and the paid sales numbered above ``after_receipt``; call it in one transaction."""
    voided = db.execute(
        "SELECT COUNT(*) FROM sales WHERE status = 'voided' AND status_at > ? AND status_at <= ?",
        (after, until),
    ).fetchone()[0]
    marks = ", ".join("?" * len(ENDING_PHASES))
    endings = db.execute(
        f"SELECT phase, COUNT(*) FROM attempts WHERE phase IN ({marks}) "
        "AND updated_at > ? AND updated_at <= ? GROUP BY phase",
        (*ENDING_PHASES, after, until),
    ).fetchall()
    moves = db.execute(
        "SELECT kind, amount, reason, who, at FROM cash_movements WHERE z_number IS NULL "
        "ORDER BY id"
    ).fetchall()
    return PeriodRows(
        sales=_paid_sales(db, after_receipt),
        movements=[CashMove(r[0], r[1], r[2], r[3], r[4]) for r in moves],
        refunds=_refunds_done(db, after, until),
        refund_count=_refund_count(db, after, until),
        voided=int(voided),
        endings={str(r[0]): int(r[1]) for r in endings},
        pending=_pending(db),
    )


def first_moment(db: sqlite3.Connection, fallback: str) -> str:
    """Where the first period begins: the journal's first sale or cash movement."""
    row = db.execute(
        "SELECT MIN(at) FROM (SELECT MIN(created_at) AS at FROM sales "
        "UNION ALL SELECT MIN(at) FROM cash_movements)"
    ).fetchone()
    first = row[0] if row and row[0] else fallback
    return min(str(first), fallback)
