"""The rows one X or Z period counts, read inside the caller's transaction (``z_reports``).

- paid sales: receipt numbers above the last Z's ``last_receipt_no`` (the order of ``paid_at``:
  a clock stepping back cannot move a sale into a closed Z);
- cash movements: those no Z has stamped yet;
- refunds DONE, voided sales and payment attempts ended without money: those no Z has counted
  yet (``z_counted``: each Z stamps what it counted, so a clock stepped back loses none; a
  refund counts in the Z of the day it is done, also when a manager records it as done later);
  on a journal from before step 0012, by time after the last Z;
- what still waits for a manager (RESERVED_UNCHARGED, NEEDS_REVIEW, UNKNOWN_ABANDONED,
  REFUND_UNKNOWN): every one not settled yet, whenever it began.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pos.core.sale import Sale
from pos.core.z_report import (
    ENDING_PHASES,
    CashMove,
    PaidSale,
    Pending,
    PeriodRows,
    RefundDone,
    split_by_rates,
)
from pos.journal import tenders

PENDING_PHASES = ("RESERVED_UNCHARGED", "NEEDS_REVIEW", "UNKNOWN_ABANDONED")
_ENDINGS_LISTED = ", ".join(f"'{phase}'" for phase in ENDING_PHASES)
"""Written into the SQL, not bound: only then can SQLite use the partial index (step 0014)."""


@dataclass(frozen=True)
class Window:
    """Which voids, ended payments and refunds a period holds: those no Z has counted yet
    (``z_counted``, step 0012); on a journal from before it, those after the last Z's close."""

    after: str
    until: str
    stamped: bool

    def where(self, kind: str, id_column: str, time_column: str) -> tuple[str, tuple[str, ...]]:
        if self.stamped:
            return f"{id_column} NOT IN (SELECT row_id FROM z_counted WHERE kind = ?)", (kind,)
        return f"{time_column} > ? AND {time_column} <= ?", (self.after, self.until)


def window(db: sqlite3.Connection, after: str, until: str) -> Window:
    return Window(after, until, "z_counted" in _tables(db))


def stamp_counted(db: sqlite3.Connection, number: int) -> None:
    """Mark every void, ended payment and refund the period counted as Z ``number``'s (call in
    the Z's transaction, after ``period_rows``: the same rows)."""
    period = Window("", "", stamped=True)
    void, void_args = period.where("void", "id", "status_at")
    db.execute(
        "INSERT INTO z_counted (kind, row_id, z_number) SELECT 'void', id, ? FROM sales "
        f"WHERE status = 'voided' AND {void}",
        (number, *void_args),
    )
    ending, ending_args = period.where("ending", "id", "updated_at")
    db.execute(
        "INSERT INTO z_counted (kind, row_id, z_number) SELECT 'ending', id, ? FROM attempts "
        f"WHERE phase IN ({_ENDINGS_LISTED}) AND {ending}",
        (number, *ending_args),
    )
    if "refunds" in _tables(db):
        refund, refund_args = period.where("refund", "id", "done_at")
        db.execute(
            "INSERT INTO z_counted (kind, row_id, z_number) SELECT 'refund', id, ? FROM refunds "
            f"WHERE status = 'DONE' AND {refund}",
            (number, *refund_args),
        )


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
    sales = tenders.sales_from_rows(db, [row["id"] for row in rows])
    return [_paid_sale(row, sales[row["id"]]) for row in rows]


def _paid_sale(row: sqlite3.Row, sale: Sale) -> PaidSale:
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


def _refunds_done(db: sqlite3.Connection, period: Window) -> list[RefundDone]:
    """Refunds DONE in the period, one row per refund and VAT rate where its lines say the rate
    (refunds by line). A refund by amount of a sale's own payment is shared over the sale's
    rates; one of a double charge (a second payment, never a sale) has no VAT: unsplit."""
    tables = _tables(db)
    if "refunds" not in tables:
        return []
    columns = _columns(db, "refunds")
    if "done_at" not in columns or "refund_lines" not in tables:
        where, args = period.where("refund", "r.id", "r.updated_at")
        rows = db.execute(
            "SELECT r.sale_id, 'netgiro', NULL, r.amount, a.phase FROM refunds r "
            f"LEFT JOIN attempts a ON a.id = r.attempt_id WHERE r.status = 'DONE' AND {where} "
            "ORDER BY r.id",
            args,
        ).fetchall()
    else:
        where, args = period.where("refund", "r.id", "r.done_at")
        rows = db.execute(
            "SELECT r.sale_id, r.tender, l.vat_rate, SUM(COALESCE(l.gross, r.amount)), "
            "MAX(a.phase) FROM refunds r LEFT JOIN refund_lines l ON l.refund_id = r.id "
            "LEFT JOIN attempts a ON a.id = r.attempt_id "
            f"WHERE r.status = 'DONE' AND {where} "
            "GROUP BY r.id, l.vat_rate ORDER BY r.id, l.vat_rate DESC",
            args,
        ).fetchall()
    return [_refund_done(db, *row) for row in rows]


def _refund_done(
    db: sqlite3.Connection,
    sale_id: int,
    tender: str,
    rate: int | None,
    gross: int,
    phase: str | None,
) -> RefundDone:
    if rate is not None:
        return RefundDone(str(tender), int(gross), int(sale_id), {rate: gross})
    if phase != "PAID":  # a double charge's second payment: not a sale, no VAT
        return RefundDone(str(tender), int(gross), int(sale_id))
    sold = {v.rate: v.gross for v in tenders.sale_from_rows(db, sale_id).vat_lines}
    return RefundDone(str(tender), int(gross), int(sale_id), split_by_rates(int(gross), sold))


def _refund_count(db: sqlite3.Connection, period: Window) -> int | None:
    """Refund actions done in the period: one manager's refund paid back through two tenders
    (one slip) is one; None where every refund row is an action of its own (older journals)."""
    if "slip_id" not in _columns(db, "refunds"):
        return None
    where, args = period.where("refund", "id", "done_at")
    row = db.execute(
        "SELECT COUNT(DISTINCT COALESCE('slip' || slip_id, 'refund' || id)) FROM refunds "
        f"WHERE status = 'DONE' AND {where}",
        args,
    ).fetchone()
    return int(row[0])


def _tables(db: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def pending_query() -> str:
    """The attempts waiting for a manager, not yet settled. The phases are written into the
    SQL, not bound: only then can SQLite use the partial index of exactly these phases
    (migration 0013), instead of reading every attempt of the journal's years."""
    listed = ", ".join(f"'{phase}'" for phase in PENDING_PHASES)
    return (
        "SELECT a.phase, a.sale_id, a.reference, a.amount, a.transaction_id FROM attempts a "
        f"WHERE a.phase IN ({listed}) AND NOT EXISTS (SELECT 1 FROM attempt_events e "
        "WHERE e.attempt_id = a.id AND e.event LIKE 'settled!_%' ESCAPE '!') ORDER BY a.id"
    )


def _pending(db: sqlite3.Connection) -> list[Pending]:
    rows = db.execute(pending_query()).fetchall()
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
    period = window(db, after, until)
    void, void_args = period.where("void", "id", "status_at")
    voided = db.execute(
        f"SELECT COUNT(*) FROM sales WHERE status = 'voided' AND {void}", void_args
    ).fetchone()[0]
    ending, ending_args = period.where("ending", "id", "updated_at")
    endings = db.execute(
        f"SELECT phase, COUNT(*) FROM attempts WHERE phase IN ({_ENDINGS_LISTED}) AND {ending} "
        "GROUP BY phase",
        ending_args,
    ).fetchall()
    moves = db.execute(
        "SELECT kind, amount, reason, who, at FROM cash_movements WHERE z_number IS NULL "
        "ORDER BY id"
    ).fetchall()
    return PeriodRows(
        sales=_paid_sales(db, after_receipt),
        movements=[CashMove(r[0], r[1], r[2], r[3], r[4]) for r in moves],
        refunds=_refunds_done(db, period),
        refund_count=_refund_count(db, period),
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
