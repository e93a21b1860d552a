"""The till's sales in the journal: save, park, recall, void, take cash, list; a killed-till flag.

Functions over one ``Journal`` (its connection and its named commits), kept apart from
``store.py`` so the payment engine's module stays about attempts. Rules kept:

- A sale is journaled when it is parked or when its first tender starts; until then it lives
  on the counter only. Its lines are rewritten while no tender is taken, never after.
- Cash and the sale's paid status, its receipt number and its receipt job commit together.
- A parked sale gets no payment attempt until it is recalled (status ``parked``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from pos.core.sale import Sale
from pos.journal import tenders
from pos.journal.errors import JournalError
from pos.journal.store import Journal, now_iso

EDITABLE = ("open", "parked", "unpaid")
"""Statuses whose lines may still be rewritten (when no tender is taken)."""
PAYABLE = ("open", "unpaid")
KILLED_FLAG = "till_running"


@dataclass(frozen=True)
class StoredSale:
    """A journaled sale as the till reads it back."""

    sale_id: int
    status: str
    sale: Sale
    receipt_no: int | None
    created_at: str
    paid_at: str | None
    parked_at: str | None


@dataclass(frozen=True)
class CashTaken:
    """What one cash tender did: the sale is paid when ``receipt_no`` is set."""

    sale_id: int
    amount: int
    change: int
    receipt_no: int | None

    @property
    def paid(self) -> bool:
        return self.receipt_no is not None


def save_sale(
    journal: Journal,
    register_id: str,
    sale: Sale,
    sale_id: int | None = None,
    *,
    cashier: str | None = None,
) -> int:
    """Journal the counter's sale as ``open`` (new, or rewriting a recalled one); returns its id.
    ``cashier``: who is signed in (None keeps whoever rang the sale up, or nobody)."""
    return _write(journal, register_id, sale, sale_id, "open", "journal.sale_saved", cashier)


def park_sale(
    journal: Journal,
    register_id: str,
    sale: Sale,
    sale_id: int | None = None,
    *,
    cashier: str | None = None,
) -> int:
    """Journal the sale as ``parked``; refused with a tender taken or an attempt live."""
    if sale.frozen:
        raise JournalError("A sale with a payment taken or running cannot be parked.")
    return _write(journal, register_id, sale, sale_id, "parked", "journal.sale_parked", cashier)


def recall_sale(journal: Journal, sale_id: int) -> StoredSale:
    """A parked sale back on the counter (status ``open``)."""
    with _commit(journal, "journal.sale_recalled") as db:
        changed = db.execute(
            "UPDATE sales SET status = 'open', status_at = ? WHERE id = ? AND status = 'parked'",
            (now_iso(), sale_id),
        ).rowcount
        if not changed:
            raise JournalError(f"Sale {sale_id} is not parked (recalled already?).")
    return load_sale(journal, sale_id)


def void_sale(journal: Journal, sale_id: int) -> None:
    """The cashier clears a journaled sale that has taken no money: status ``voided``."""
    with _commit(journal, "journal.sale_voided") as db:
        _refuse_money_on(db, sale_id, "cleared")
        db.execute(
            f"UPDATE sales SET status = 'voided', status_at = ? WHERE id = ? AND status IN {EDITABLE}",
            (now_iso(), sale_id),
        )


def take_cash(journal: Journal, sale_id: int, amount: int, tendered: int) -> CashTaken:
    """Cash towards the sale; when it covers the total the sale is paid in the same commit."""
    with _commit(journal, "journal.cash_taken") as db:  # paid too, when it covers the total
        status = _status(db, sale_id)
        if status not in PAYABLE:
            raise JournalError(f"Sale {sale_id} is {status}: it takes no payment now.")
        if _live_attempt(db, sale_id):
            raise JournalError(f"Sale {sale_id} has a Netgíró payment running; wait for its end.")
        due = tenders.balance_due(db, sale_id)
        if not 0 < amount <= due or tendered < amount:
            raise JournalError(f"Sale {sale_id}: {amount} kr. is not within the balance due {due}.")
        stamp = now_iso()
        db.execute(
            "INSERT INTO tenders (sale_id, kind, amount, tendered, created_at) "
            "VALUES (?, 'cash', ?, ?, ?)",
            (sale_id, amount, tendered, stamp),
        )
        receipt_no = _mark_paid(db, sale_id, stamp, journal) if amount == due else None
    return CashTaken(sale_id, amount, tendered - amount, receipt_no)


def load_sale(journal: Journal, sale_id: int) -> StoredSale:
    row = _db(journal).execute("SELECT * FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise JournalError(f"Sale {sale_id} is not in the journal.")
    return _stored(_db(journal), row)


def find_by_receipt(journal: Journal, receipt_no: int) -> StoredSale | None:
    """The paid sale with this receipt number (``pos receipt show N``, "find by number")."""
    row = _db(journal).execute("SELECT * FROM sales WHERE receipt_no = ?", (receipt_no,)).fetchone()
    return None if row is None else _stored(_db(journal), row)


def parked_sales(journal: Journal) -> list[StoredSale]:
    rows = (
        _db(journal)
        .execute("SELECT * FROM sales WHERE status = 'parked' ORDER BY status_at, id")
        .fetchall()
    )
    return [_stored(_db(journal), row) for row in rows]


def sales_since(journal: Journal, since_iso: str) -> list[StoredSale]:
    """Sales created at or after ``since_iso`` (UTC), newest first."""
    rows = (
        _db(journal)
        .execute("SELECT * FROM sales WHERE created_at >= ? ORDER BY id DESC", (since_iso,))
        .fetchall()
    )
    return [_stored(_db(journal), row) for row in rows]


def sales_with_status(journal: Journal, statuses: tuple[str, ...]) -> list[StoredSale]:
    marks = ", ".join("?" * len(statuses))
    rows = (
        _db(journal)
        .execute(f"SELECT * FROM sales WHERE status IN ({marks}) ORDER BY id", statuses)
        .fetchall()
    )
    return [_stored(_db(journal), row) for row in rows]


def unfinished_sales(journal: Journal) -> list[StoredSale]:
    """Sales with money taken but not covered and no attempt live: stopped between two tenders."""
    rows = (
        _db(journal)
        .execute(
            f"SELECT * FROM sales WHERE status IN {PAYABLE} AND EXISTS "
            "(SELECT 1 FROM tenders t WHERE t.sale_id = sales.id AND t.status = 'taken') "
            "AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.sale_id = sales.id AND a.live = 1) "
            "ORDER BY id"
        )
        .fetchall()
    )
    return [_stored(_db(journal), row) for row in rows]


def last_sale_id(journal: Journal) -> int | None:
    row = _db(journal).execute("SELECT MAX(id) FROM sales").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def mark_till_running(journal: Journal, pid: int) -> bool:
    """Note that the till is open; True if the last till never closed (it was killed)."""
    with _commit(journal, "journal.till_opened") as db:
        killed = db.execute("SELECT value FROM meta WHERE key = ?", (KILLED_FLAG,)).fetchone()
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (KILLED_FLAG, str(pid)),
        )
    return killed is not None


def mark_till_closed(journal: Journal) -> None:
    with _commit(journal, "journal.till_closed") as db:
        db.execute("DELETE FROM meta WHERE key = ?", (KILLED_FLAG,))


# --- inside one transaction ---------------------------------------------------------------


def _write(
    journal: Journal,
    register_id: str,
    sale: Sale,
    sale_id: int | None,
    status: str,
    point: str,
    cashier: str | None,
) -> int:
    if sale.is_empty:
        raise JournalError("An empty sale is not journaled.")
    if sale.total <= 0:
        raise JournalError("A sale whose total is zero cannot be kept; clear it instead.")
    discount = sale.discount
    values = (
        sale.total,
        status,
        discount.kind.value if discount else None,
        discount.value if discount else None,
        sale.sale_discount_amount,
        discount.reason if discount else "",
        now_iso(),
    )
    with _commit(journal, point) as db:
        if sale_id is None:
            cursor = db.execute(
                "INSERT INTO sales (register_id, total, status, discount_kind, discount_value, "
                "discount_amount, discount_reason, status_at, created_at, cashier) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (register_id, *values, now_iso(), cashier),
            )
            sale_id = int(cursor.lastrowid or 0)
        else:
            current = _status(db, sale_id)
            if current not in EDITABLE:
                raise JournalError(f"Sale {sale_id} is {current}: its lines cannot change.")
            _refuse_money_on(db, sale_id, "changed")
            db.execute(
                "UPDATE sales SET total = ?, status = ?, discount_kind = ?, discount_value = ?, "
                "discount_amount = ?, discount_reason = ?, status_at = ?, "
                "cashier = COALESCE(?, cashier) WHERE id = ?",
                (*values, cashier, sale_id),
            )
            db.execute("DELETE FROM sale_lines WHERE sale_id = ?", (sale_id,))
        db.executemany(
            "INSERT INTO sale_lines (sale_id, line_no, product_no, name, unit_price, "
            "quantity_milli, amount, vat_rate, barcode, discount_kind, discount_value, "
            "discount_amount, discount_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sale_id,
                    n,
                    ln.product_no,
                    ln.name,
                    ln.unit_price,
                    ln.quantity_milli,
                    ln.amount,
                    ln.vat_rate,
                    ln.barcode,
                    ln.discount.kind.value if ln.discount else None,
                    ln.discount.value if ln.discount else None,
                    ln.discount_amount,
                    ln.discount.reason if ln.discount else "",
                )
                for n, ln in enumerate(sale.lines, start=1)
            ],
        )
    return sale_id


def _mark_paid(db: sqlite3.Connection, sale_id: int, stamp: str, journal: Journal) -> int:
    """Paid, numbered and queued for printing, in the caller's commit."""
    db.execute(
        "UPDATE sales SET status = 'paid', paid_at = ?, status_at = ? WHERE id = ?",
        (stamp, stamp, sale_id),
    )
    receipt_no = tenders.take_receipt_number(db, sale_id)
    snapshot = cash_receipt_snapshot(
        db, sale_id, receipt_no, stamp, journal.store_id, journal.receipt_header
    )
    db.execute(
        "INSERT INTO print_jobs (sale_id, kind, snapshot, created_at, updated_at) "
        "VALUES (?, 'receipt', ?, ?, ?)",
        (sale_id, json.dumps(snapshot, ensure_ascii=False), stamp, stamp),
    )
    return receipt_no


def cash_receipt_snapshot(
    db: sqlite3.Connection,
    sale_id: int,
    receipt_no: int,
    paid_at: str,
    store_id: str,
    header: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """v1's receipt keys (no Netgíró block: ``reference`` and ``customer`` None) and the rest."""
    sale = tenders.sale_from_rows(db, sale_id)
    return {
        "sale_id": sale_id,
        "reference": None,
        "total": sale.total,
        "customer": None,
        "transaction_id": None,
        "invoice_number": None,
        "paid_at": paid_at,
        **tenders.receipt_extras(db, sale_id, receipt_no, store_id, header),
    }


def _stored(db: sqlite3.Connection, row: sqlite3.Row) -> StoredSale:
    return StoredSale(
        sale_id=row["id"],
        status=row["status"],
        sale=tenders.sale_from_rows(db, row["id"]),
        receipt_no=row["receipt_no"],
        created_at=row["created_at"],
        paid_at=row["paid_at"],
        parked_at=row["status_at"] if row["status"] == "parked" else None,
    )


def _status(db: sqlite3.Connection, sale_id: int) -> str:
    row = db.execute("SELECT status FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise JournalError(f"Sale {sale_id} is not in the journal.")
    return str(row[0])


def _live_attempt(db: sqlite3.Connection, sale_id: int) -> bool:
    row = db.execute("SELECT 1 FROM attempts WHERE sale_id = ? AND live = 1", (sale_id,))
    return row.fetchone() is not None


def _refuse_money_on(db: sqlite3.Connection, sale_id: int, what: str) -> None:
    if tenders.taken(db, sale_id) or _live_attempt(db, sale_id):
        raise JournalError(f"Sale {sale_id} has a payment taken or running: it cannot be {what}.")


def _db(journal: Journal) -> sqlite3.Connection:
    # The journal's own connection: one per thread, as the Journal's docstring says.
    return journal._db


@contextmanager
def _commit(journal: Journal, point: str) -> Iterator[sqlite3.Connection]:
    with journal._commit(point) as db:
        yield db
