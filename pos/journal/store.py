"""The journal: a SQLite file that holds every sale, payment attempt, state change and print job.

Rules it keeps: WAL with ``synchronous=FULL``, so a commit survives a power cut; every commit
names its crash point (tests kill the till right after it); an attempt is written before its
InsertCart is sent; PAID, the sale's status and its receipt job commit in one transaction.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pos.core.checkout import Checkout, Phase
from pos.core.errors import PosError
from pos.crashpoints import crash_point
from pos.journal.schema import SCHEMA, SCHEMA_VERSION
from pos.journal.state_codec import state_from_json, state_to_json


class JournalError(PosError):
    """The journal cannot be opened or refuses a change."""

    title = "Journal"


class AttemptAlreadyLive(JournalError):
    """The sale already has a payment attempt in progress."""


@dataclass(frozen=True)
class SaleLine:
    """One line of a sale: amounts in krónur, quantity in thousandths."""

    product_no: str
    name: str
    unit_price: int
    quantity_milli: int
    amount: int


@dataclass(frozen=True)
class AttemptRecord:
    """A payment attempt as journaled."""

    id: int
    sale_id: int
    attempt_no: int
    reference: str
    amount: int
    customer_masked: str
    state: Checkout
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class SaleRecord:
    """A sale with its attempts, newest attempt last."""

    id: int
    register_id: str
    total: int
    status: str
    created_at: str
    paid_at: str | None
    attempts: tuple[AttemptRecord, ...]


@dataclass(frozen=True)
class PrintJob:
    """A receipt waiting for (or done with) the printer, rendered from its snapshot."""

    id: int
    sale_id: int
    kind: str
    status: str
    snapshot: dict[str, object]
    reason: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """One journal file; use one instance per thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"The journal {path} cannot be opened ({exc}). Move it aside and keep it for "
                "support: it may hold paid sales."
            ) from exc
        self.path = path
        self.journal_id = self._journal_id()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _commit(self, point: str) -> Iterator[sqlite3.Connection]:
        """One transaction; the named crash point fires right after it is durable."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        crash_point(point)

    def _journal_id(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
        if row is not None:
            return str(row["value"])
        journal_id = secrets.token_hex(2)
        with self._commit("journal.created") as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('journal_id', ?), "
                "('schema_version', ?)",
                (journal_id, str(SCHEMA_VERSION)),
            )
        return self._journal_id()

    # --- sales ---------------------------------------------------------------------------

    def create_sale(self, register_id: str, lines: Sequence[SaleLine]) -> int:
        """Journal a new open sale and its lines; returns its id."""
        total = sum(line.amount for line in lines)
        with self._commit("journal.sale_created") as db:
            cursor = db.execute(
                "INSERT INTO sales (register_id, total, created_at) VALUES (?, ?, ?)",
                (register_id, total, now_iso()),
            )
            sale_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO sale_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        sale_id,
                        n,
                        ln.product_no,
                        ln.name,
                        ln.unit_price,
                        ln.quantity_milli,
                        ln.amount,
                    )
                    for n, ln in enumerate(lines, start=1)
                ],
            )
        return sale_id

    def sale_lines(self, sale_id: int) -> list[SaleLine]:
        rows = self._db.execute(
            "SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,)
        ).fetchall()
        return [
            SaleLine(r["product_no"], r["name"], r["unit_price"], r["quantity_milli"], r["amount"])
            for r in rows
        ]

    def sale(self, sale_id: int) -> SaleRecord:
        row = self._db.execute("SELECT * FROM sales WHERE id = ?", (sale_id,)).fetchone()
        if row is None:
            raise JournalError(f"Sale {sale_id} is not in the journal.")
        return self._sale_record(row)

    def recent_sales(self, limit: int = 20) -> list[SaleRecord]:
        rows = self._db.execute("SELECT * FROM sales ORDER BY id DESC LIMIT ?", (limit,))
        return [self._sale_record(row) for row in rows.fetchall()]

    def _sale_record(self, row: sqlite3.Row) -> SaleRecord:
        attempts = self._attempts("WHERE sale_id = ? ORDER BY attempt_no", (row["id"],))
        return SaleRecord(
            row["id"],
            row["register_id"],
            row["total"],
            row["status"],
            row["created_at"],
            row["paid_at"],
            tuple(attempts),
        )

    # --- attempts ------------------------------------------------------------------------

    def begin_attempt(
        self, sale_id: int, customer_masked: str, state: Checkout, *, event: str = "start"
    ) -> AttemptRecord:
        """Journal a new INSERTING attempt before its InsertCart is sent."""
        sale = self.sale(sale_id)
        if sale.status == "paid":
            raise JournalError(f"Sale {sale_id} is already paid.")
        stamp = now_iso()
        try:
            with self._commit("journal.attempt_started") as db:
                attempt_no = 1 + int(
                    db.execute(
                        "SELECT COALESCE(MAX(attempt_no), 0) FROM attempts WHERE sale_id = ?",
                        (sale_id,),
                    ).fetchone()[0]
                )
                reference = f"{sale.register_id}-{self.journal_id}-{sale_id}-{attempt_no}"
                cursor = db.execute(
                    "INSERT INTO attempts (sale_id, attempt_no, reference, amount, "
                    "customer_masked, phase, live, transaction_id, state_json, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sale_id,
                        attempt_no,
                        reference,
                        sale.total,
                        customer_masked,
                        state.phase.value,
                        int(not state.is_final),
                        state.transaction_id,
                        state_to_json(state),
                        stamp,
                        stamp,
                    ),
                )
                attempt_id = int(cursor.lastrowid or 0)
                self._event(db, attempt_id, "journal.attempt_started", event, state, None)
        except sqlite3.IntegrityError as exc:
            raise AttemptAlreadyLive(
                f"Sale {sale_id} already has a payment in progress; finish or cancel it first."
            ) from exc
        return self.attempt(attempt_id)

    def record(
        self,
        attempt_id: int,
        state: Checkout,
        *,
        event: str,
        point: str,
        netgiro_reference_id: str | None = None,
    ) -> None:
        """Commit an attempt's new state; PAID also marks the sale paid and queues its receipt."""
        with self._commit(point) as db:
            db.execute(
                "UPDATE attempts SET phase = ?, live = ?, transaction_id = ?, state_json = ?, "
                "updated_at = ? WHERE id = ?",
                (
                    state.phase.value,
                    int(not state.is_final),
                    state.transaction_id,
                    state_to_json(state),
                    now_iso(),
                    attempt_id,
                ),
            )
            self._event(db, attempt_id, point, event, state, netgiro_reference_id)
            if state.phase is Phase.PAID:
                self._mark_paid(db, attempt_id, state)

    def _event(
        self,
        db: sqlite3.Connection,
        attempt_id: int,
        point: str,
        event: str,
        state: Checkout,
        netgiro_reference_id: str | None,
    ) -> None:
        db.execute(
            "INSERT INTO attempt_events (attempt_id, at, crash_point, event, phase, result_code, "
            "netgiro_reference_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt_id,
                now_iso(),
                point,
                event,
                state.phase.value,
                state.result_code,
                netgiro_reference_id,
                state.note,
            ),
        )

    def _mark_paid(self, db: sqlite3.Connection, attempt_id: int, state: Checkout) -> None:
        attempt = self._attempts("WHERE id = ?", (attempt_id,), db)[0]
        stamp = now_iso()
        db.execute(
            "UPDATE sales SET status = 'paid', paid_at = ? WHERE id = ? AND status = 'open'",
            (stamp, attempt.sale_id),
        )
        snapshot = self._receipt_snapshot(db, attempt, state, stamp)
        db.execute(
            "INSERT INTO print_jobs (sale_id, kind, snapshot, created_at) "
            "VALUES (?, 'receipt', ?, ?)",
            (attempt.sale_id, json.dumps(snapshot, ensure_ascii=False), stamp),
        )

    def _receipt_snapshot(
        self, db: sqlite3.Connection, attempt: AttemptRecord, state: Checkout, paid_at: str
    ) -> dict[str, object]:
        lines = db.execute(
            "SELECT product_no, name, unit_price, quantity_milli, amount FROM sale_lines "
            "WHERE sale_id = ? ORDER BY line_no",
            (attempt.sale_id,),
        ).fetchall()
        return {
            "sale_id": attempt.sale_id,
            "reference": attempt.reference,
            "total": attempt.amount,
            "lines": [dict(line) for line in lines],
            "customer": attempt.customer_masked,
            "transaction_id": state.transaction_id,
            "invoice_number": state.invoice_number,
            "paid_at": paid_at,
        }

    def attempt(self, attempt_id: int) -> AttemptRecord:
        found = self._attempts("WHERE id = ?", (attempt_id,))
        if not found:
            raise JournalError(f"Payment attempt {attempt_id} is not in the journal.")
        return found[0]

    def open_attempts(self) -> list[AttemptRecord]:
        """Attempts that are still live: recovery must finish each."""
        return self._attempts("WHERE live = 1 ORDER BY id", ())

    def attempt_by_reference(self, reference: str) -> AttemptRecord | None:
        found = self._attempts("WHERE reference = ?", (reference,))
        return found[0] if found else None

    def attempt_by_transaction(self, transaction_id: str) -> AttemptRecord | None:
        found = self._attempts("WHERE transaction_id = ? ORDER BY id DESC", (transaction_id,))
        return found[0] if found else None

    def _attempts(
        self, where: str, args: tuple[object, ...], db: sqlite3.Connection | None = None
    ) -> list[AttemptRecord]:
        rows = (db or self._db).execute(f"SELECT * FROM attempts {where}", args).fetchall()
        return [
            AttemptRecord(
                r["id"],
                r["sale_id"],
                r["attempt_no"],
                r["reference"],
                r["amount"],
                r["customer_masked"],
                state_from_json(r["state_json"]),
                r["created_at"],
                r["updated_at"],
            )
            for r in rows
        ]

    def attempt_events(self, attempt_id: int) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id", (attempt_id,)
        )
        return [dict(row) for row in rows.fetchall()]

    # --- print jobs, callbacks, nonces -----------------------------------------------------

    def print_jobs(self, status: str | None = None) -> list[PrintJob]:
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._db.execute(f"SELECT * FROM print_jobs {where} ORDER BY id", args)
        return [
            PrintJob(
                r["id"],
                r["sale_id"],
                r["kind"],
                r["status"],
                json.loads(r["snapshot"]),
                r["reason"],
            )
            for r in rows.fetchall()
        ]

    def record_callback(
        self, transaction_id: str | None, reference: str | None, body_sha256: str, verdict: str
    ) -> None:
        with self._commit("journal.callback_received") as db:
            db.execute(
                "INSERT INTO callbacks (received_at, transaction_id, reference, body_sha256, "
                "verdict) VALUES (?, ?, ?, ?, ?)",
                (now_iso(), transaction_id, reference, body_sha256, verdict),
            )

    def callbacks(self) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT * FROM callbacks ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def nonce_floor(self) -> int:
        """The highest nonce block ever reserved: every nonce after a restart is above it."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'nonce_floor'").fetchone()
        return int(row["value"]) if row is not None else 0

    def reserve_nonces(self, up_to: int) -> None:
        with self._commit("journal.nonce_reserved") as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('nonce_floor', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(up_to),),
            )
