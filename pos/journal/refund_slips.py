"""Refunds by line in the journal: one slip per manager action, one refund row per tender.

Two commits, as for every money call: ``record_slip`` journals the slip, its refund rows
(REQUESTED, each with its idempotency key) and their lines before anything is sent or paid
out; ``finish_slip`` writes what happened to every row, their audit rows and the slip's print
job in one transaction. Cash leaves the drawer only after that commit, so a crash between the
two leaves a cash row REQUESTED, which start-up recovery makes FAILED (nothing was paid out),
and a Netgíró row REFUND_UNKNOWN (the call may have gone): ``refunds.requested_to_unknown``.

All or nothing where the till can know: if a Netgíró part is FAILED (provably nothing went
back), the cash part is not paid out either (FAILED), and no slip is printed; the manager may
refund again. A REFUND_UNKNOWN Netgíró part does not hold back the cash part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pos.core.free_text import safe_text
from pos.core.refund_plan import (
    Piece,
    ReceiptRef,
    RefundPlan,
    SoldLine,
    TenderLeft,
    line_shares,
    vat_of,
)
from pos.core.sale import TenderKind
from pos.journal import tenders
from pos.journal.audit import append_in, utc_text
from pos.journal.health import translate
from pos.journal.print_jobs import insert_job
from pos.journal.refunds import (
    REFUNDABLE,
    FinishedStatus,
    RefundRecord,
    RefundRefused,
    record_of_row,
)

if TYPE_CHECKING:
    from pos.journal.store import Journal

CASH_HELD_BACK = "A Netgíró part of this refund failed, so no cash was paid out. Refund again."
CASH_PAID = "Paid out from the drawer."


@dataclass(frozen=True)
class RefundBasis:
    """A paid sale as a refund sees it: lines net of earlier refunds, tenders net of theirs."""

    sale_id: int
    receipt_no: int
    receipt_code: str
    lines: tuple[SoldLine, ...]
    tenders: tuple[TenderLeft, ...]
    transaction_ids: Mapping[int, str]


@dataclass(frozen=True)
class SlipRecord:
    id: int
    sale_id: int
    manager: str
    reason: str
    created_at: str
    refunds: tuple[RefundRecord, ...]

    @property
    def paid_back(self) -> bool:
        """Money went back (or may have): the slip is printed."""
        return any(r.status in ("DONE", "REFUND_UNKNOWN") for r in self.refunds)


@contextmanager
def _writing(journal: Journal, point: str) -> Iterator[sqlite3.Connection]:
    try:
        with journal._commit(point) as db:
            yield db
    except sqlite3.IntegrityError as exc:
        raise RefundRefused(
            f"The journal refused the refund ({exc}); nothing was sent or paid out."
        ) from exc
    except (sqlite3.Error, OSError) as exc:
        raise translate(journal.path, exc) from exc


# --- finding the sale ---------------------------------------------------------------------------


def find_paid_sale(journal: Journal, ref: ReceiptRef) -> int:
    """The sale of receipt ``ref``: paid, and (for a scanned code) this store's and register's."""
    row = journal._db.execute(
        "SELECT id, register_id, status FROM sales WHERE receipt_no = ?", (ref.receipt_no,)
    ).fetchone()
    if row is None:
        raise RefundRefused(f"Receipt {ref.receipt_no} is not in this register's journal.")
    own = f"{journal.store_id}-{row['register_id']}"
    if ref.prefix is not None and ref.prefix != own:
        raise RefundRefused(
            f"That receipt ({safe_text(ref.prefix, 24)}-R{ref.receipt_no}) is from another store "
            "or register; "
            f"this journal's receipts read {own}-R…. Refund it where it was sold."
        )
    if row["status"] != "paid":
        raise RefundRefused(f"Receipt {ref.receipt_no}'s sale is {row['status']}, not paid.")
    return int(row["id"])


def refund_basis(journal: Journal, sale_id: int) -> RefundBasis:
    db = journal._db
    sale = tenders.sale_from_rows(db, sale_id)
    refunded = dict(
        db.execute(
            "SELECT l.line_no, SUM(l.quantity_milli) FROM refund_lines l "
            "JOIN refunds r ON r.id = l.refund_id WHERE l.sale_id = ? AND r.status <> 'FAILED' "
            "GROUP BY l.line_no",
            (sale_id,),
        ).fetchall()
    )
    lines = tuple(
        SoldLine(n, line.name, line.quantity_milli, share, line.vat_rate, refunded.get(n, 0))
        for n, (line, share) in enumerate(zip(sale.lines, line_shares(sale), strict=True), 1)
    )
    cash_back = _one(
        db,
        "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE sale_id = ? AND tender = 'cash' "
        "AND status <> 'FAILED'",
        sale_id,
    )
    cash = sum(t.amount for t in sale.tenders if t.kind is TenderKind.CASH)
    left = [TenderLeft(TenderKind.CASH, cash - cash_back, given_back=cash_back)] if cash else []
    ids: dict[int, str] = {}
    for row in db.execute(
        f"SELECT t.attempt_id, t.amount, a.transaction_id, {REFUNDABLE} AS refundable, "
        "COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.attempt_id = t.attempt_id "
        "AND r.status <> 'FAILED'), 0) AS given_back "
        "FROM tenders t JOIN attempts a ON a.id = t.attempt_id WHERE t.sale_id = ? "
        "AND t.kind = 'netgiro' AND t.status = 'taken' ORDER BY t.id",
        (sale_id,),
    ).fetchall():
        amount, given_back, attempt_id = int(row[1]), int(row[4]), int(row[0])
        if not row[3]:  # settled paid by hand, no TransactionId: only the portal can refund it
            left.append(TenderLeft(TenderKind.NETGIRO, amount, attempt_id, by_hand=True))
            continue
        left.append(TenderLeft(TenderKind.NETGIRO, amount - given_back, attempt_id, given_back))
        ids[attempt_id] = str(row[2])
    sale_row = db.execute(
        "SELECT receipt_no, register_id FROM sales WHERE id = ?", (sale_id,)
    ).fetchone()
    receipt_no = int(sale_row["receipt_no"])
    code = f"{journal.store_id}-{sale_row['register_id']}-R{receipt_no}"
    return RefundBasis(sale_id, receipt_no, code, lines, tuple(left), ids)


def _one(db: sqlite3.Connection, query: str, *args: object) -> int:
    return int(db.execute(query, args).fetchone()[0])


# --- the two commits ----------------------------------------------------------------------------


def record_slip(
    journal: Journal,
    basis: RefundBasis,
    plan: RefundPlan,
    *,
    manager: str,
    reason: str,
    keys: Sequence[str],
    at: datetime,
) -> SlipRecord:
    """The slip, one REQUESTED refund row per part (key by key) and their lines, audited."""
    if len(keys) != len(plan.parts):
        raise ValueError("one idempotency key per part of the plan")
    stamp = utc_text(at)
    with _writing(journal, "journal.refund_requested") as db:
        slip_id = _insert(
            db,
            "INSERT INTO refund_slips (sale_id, manager, reason, created_at) VALUES (?, ?, ?, ?)",
            (basis.sale_id, manager, reason, stamp),
        )
        for part, key in zip(plan.parts, keys, strict=True):
            transaction_id = (
                None if part.attempt_id is None else basis.transaction_ids[part.attempt_id]
            )
            refund_id = _insert(
                db,
                "INSERT INTO refunds (sale_id, tender, attempt_id, transaction_id, amount, "
                "idempotency_key, reason, manager, created_at, updated_at, slip_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    basis.sale_id,
                    part.kind.value,
                    part.attempt_id,
                    transaction_id,
                    part.amount,
                    key,
                    reason,
                    manager,
                    stamp,
                    stamp,
                    slip_id,
                ),
            )
            db.executemany(
                "INSERT INTO refund_lines (refund_id, sale_id, line_no, quantity_milli, gross, "
                "vat_rate) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (refund_id, basis.sale_id, p.line_no, p.quantity_milli, p.gross, p.vat_rate)
                    for p in part.pieces
                ],
            )
            details = {
                "refund_id": refund_id,
                "slip_id": slip_id,
                "sale_id": basis.sale_id,
                "receipt_no": basis.receipt_no,
                "tender": part.kind.value,
                "transaction_id": transaction_id,
                "amount": part.amount,
                "idempotency_key": key,
                "reason": reason,
                "lines": [_piece_json(p) for p in part.pieces],
            }
            append_in(db, manager, "refund.requested", details, at=stamp)
    return slip(journal, slip_id)


def _insert(db: sqlite3.Connection, query: str, args: tuple[object, ...]) -> int:
    return int(db.execute(query, args).lastrowid or 0)


def _piece_json(piece: Piece) -> dict[str, int]:
    return {
        "line_no": piece.line_no,
        "quantity_milli": piece.quantity_milli,
        "gross": piece.gross,
        "vat_rate": piece.vat_rate,
    }


_ACTION = {"DONE": "refund.done", "FAILED": "refund.failed", "REFUND_UNKNOWN": "refund.unknown"}


def finish_slip(
    journal: Journal,
    slip_id: int,
    netgiro: Mapping[int, tuple[FinishedStatus, str]],
    *,
    at: datetime,
) -> SlipRecord:
    """Every REQUESTED row's end, in one commit with the audit rows and the slip's print job.

    ``netgiro`` maps each Netgíró refund id to what its call gave; cash rows are DONE unless a
    Netgíró part FAILED.
    """
    before = slip(journal, slip_id)
    held_back = any(status == "FAILED" for status, _ in netgiro.values())
    stamp = utc_text(at)
    with _writing(journal, "journal.refund_finished") as db:
        for row in before.refunds:
            if row.status != "REQUESTED":
                continue
            if row.tender == "cash":
                status, note = ("FAILED", CASH_HELD_BACK) if held_back else ("DONE", CASH_PAID)
            else:
                status, note = netgiro[row.id]
            db.execute(
                "UPDATE refunds SET status = ?, note = ?, updated_at = ?, done_at = ? "
                "WHERE id = ? AND status = 'REQUESTED'",
                (status, note, stamp, stamp if status == "DONE" else None, row.id),
            )
            details = {
                "refund_id": row.id,
                "slip_id": slip_id,
                "sale_id": row.sale_id,
                "tender": row.tender,
                "transaction_id": row.transaction_id,
                "amount": row.amount,
                "note": note,
            }
            append_in(db, row.manager, _ACTION[status], details, at=stamp)
        after = _slip_in(db, slip_id)
        if after.paid_back:
            snapshot = slip_snapshot(journal, db, after, stamp)
            insert_job(db, "refund_slip", snapshot, sale_id=after.sale_id)
    return slip(journal, slip_id)


# --- reading ------------------------------------------------------------------------------------


def slip(journal: Journal, slip_id: int) -> SlipRecord:
    return _slip_in(journal._db, slip_id)


def _slip_in(db: sqlite3.Connection, slip_id: int) -> SlipRecord:
    row = db.execute("SELECT * FROM refund_slips WHERE id = ?", (slip_id,)).fetchone()
    if row is None:
        raise RefundRefused(f"Refund slip {slip_id} is not in the journal.")
    rows = refunds_of(db, slip_id)
    return SlipRecord(
        row["id"], row["sale_id"], row["manager"], row["reason"], row["created_at"], rows
    )


def refunds_of(db: sqlite3.Connection, slip_id: int) -> tuple[RefundRecord, ...]:
    found = db.execute("SELECT * FROM refunds WHERE slip_id = ? ORDER BY id", (slip_id,))
    return tuple(record_of_row(r) for r in found.fetchall())


def slip_lines(db: sqlite3.Connection, slip_id: int) -> list[dict[str, Any]]:
    """The slip's lines, pieces of one line (split between tenders) added together."""
    rows = db.execute(
        "SELECT l.line_no, s.name, s.unit_price, SUM(l.quantity_milli) AS quantity_milli, "
        "SUM(l.gross) AS gross, l.vat_rate FROM refund_lines l "
        "JOIN refunds r ON r.id = l.refund_id "
        "JOIN sale_lines s ON s.sale_id = l.sale_id AND s.line_no = l.line_no "
        "WHERE r.slip_id = ? GROUP BY l.line_no ORDER BY l.line_no",
        (slip_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def slip_snapshot(
    journal: Journal, db: sqlite3.Connection, record: SlipRecord, stamp: str
) -> dict[str, Any]:
    """What the refund slip prints, frozen at its final commit (reprints are the same)."""
    sale = db.execute(
        "SELECT receipt_no, register_id, paid_at FROM sales WHERE id = ?", (record.sale_id,)
    ).fetchone()
    lines = slip_lines(db, record.id)
    pieces = [
        Piece(ln["line_no"], ln["quantity_milli"], ln["gross"], ln["vat_rate"]) for ln in lines
    ]
    return {
        "number": record.id,
        "sale_id": record.sale_id,
        "receipt_no": sale["receipt_no"],
        "receipt_code": f"{journal.store_id}-{sale['register_id']}-R{sale['receipt_no']}",
        "store": {**journal.receipt_header, "store_id": journal.store_id},
        "register": sale["register_id"],
        "sold_at": sale["paid_at"],
        "refunded_at": stamp,
        "manager": record.manager,
        "reason": record.reason,
        "lines": lines,
        "vat": [{"rate": v.rate, "gross": v.gross, "vat": v.vat} for v in vat_of(pieces)],
        "total": sum(p.gross for p in pieces),
        "tenders": [
            {"kind": r.tender, "amount": r.amount, "status": r.status}
            for r in record.refunds
            if r.status != "FAILED"
        ],
    }


def slips(journal: Journal) -> list[SlipRecord]:
    ids = journal._db.execute("SELECT id FROM refund_slips ORDER BY id").fetchall()
    return [slip(journal, int(row[0])) for row in ids]
