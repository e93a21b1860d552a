"""The journal: a SQLite file that holds every sale, payment attempt, state change and print job.

Rules it keeps: WAL with ``synchronous=FULL``, so a commit survives a power cut; every commit
names its crash point (tests kill the till right after it); an attempt is written before its
InsertCart is sent; PAID, the sale's status and its receipt job commit in one transaction.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, Literal, ParamSpec, TypeVar

from pos.core.checkout import Checkout, Phase
from pos.crashpoints import crash_point
from pos.journal import migrator, tenders
from pos.journal.errors import (
    AttemptAlreadyLive,
    JournalError,
    SaleNotPayable,
)
from pos.journal.health import journal_files, translate
from pos.journal.migrations import latest_version
from pos.journal.state_codec import state_from_json, state_to_json
from pos.journal.summary import JournalSummary, summarize

P = ParamSpec("P")
R = TypeVar("R")
Outcome = Literal["paid", "unpaid"]
MAX_REFERENCE = 32
_REFERENCE_SHAPE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# The sale status an attempt's final phase leaves (TILL-CONTRACTS: Sale statuses).
SALE_STATUS_OF_FINAL_PHASE = {
    "PAID": "paid",
    "CANCELLED": "unpaid",
    "DECLINED": "unpaid",
    "FAILED": "unpaid",
    "ABANDONED": "unpaid",
    "UNKNOWN_ABANDONED": "unknown",
    "RESERVED_UNCHARGED": "manager",
    "NEEDS_REVIEW": "manager",
}
PAYABLE_STATUSES = frozenset({"open", "unpaid"})
SETTLEABLE_PHASES = frozenset({"UNKNOWN_ABANDONED", "NEEDS_REVIEW", "RESERVED_UNCHARGED"})


def _guarded(method: Callable[Concatenate[Journal, P], R]) -> Callable[Concatenate[Journal, P], R]:
    """SQLite's and the OS's failures become journal errors that say what to do."""

    def wrapper(self: Journal, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise translate(self.path, exc) from exc

    functools.update_wrapper(wrapper, method)
    return wrapper


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

    @property
    def payable(self) -> bool:
        """Whether a new payment attempt may start on this sale."""
        return self.status in PAYABLE_STATUSES


@dataclass(frozen=True)
class PrintJob:
    """A receipt waiting for (or done with) the printer, rendered from its snapshot."""

    id: int
    sale_id: int
    kind: str
    status: str
    snapshot: dict[str, object]
    reason: str


@dataclass(frozen=True)
class UnreadableAttempt:
    """A live attempt whose stored state cannot be decoded: reported, never silently skipped."""

    id: int
    reference: str
    transaction_id: str | None
    problem: str


def _attempt_record(r: sqlite3.Row) -> AttemptRecord:
    return AttemptRecord(
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


def _double_charge(state: Checkout) -> Checkout:
    return replace(
        state,
        phase=Phase.NEEDS_REVIEW,
        live=False,
        note="A second payment on a sale already paid: a double charge. A manager must refund it.",
    )


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Read-only beside a writer; a WAL file on a read-only medium is opened as immutable."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10.0)
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        db.close()
        uri = f"file:{path}?mode=ro&immutable=1"
        db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
    return db


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """One journal file; use one instance per thread.

    ``read_only`` opens it without writing anything (``pos journal`` beside the open till): an
    older journal is read as it is, never migrated. ``store_id`` goes into every new payment
    Reference.
    """

    def __init__(
        self,
        path: Path,
        *,
        store_id: str = "S1",
        read_only: bool = False,
        receipt_header: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.store_id = store_id
        self.receipt_header: dict[str, object] = dict(receipt_header or {})
        """The store's header (``[store]``), copied into each paid sale's receipt snapshot, so a
        reprint is the same receipt after the config changes."""
        self.read_only = read_only
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            raise translate(path, exc) from exc
        try:
            self._prepare()
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, sqlite3.Error | OSError):
                raise translate(path, exc) from exc
            raise
        self.journal_id = self._identity()

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            if not self.path.exists():
                raise JournalError(f"There is no journal at {self.path} yet.")
            db = _open_read_only(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        db.row_factory = sqlite3.Row
        return db

    def _prepare(self) -> None:
        version = migrator.stored_version(self._db)  # read before anything is written
        migrator.refuse_if_newer(self.path, version)
        self.schema_version = version or latest_version()
        if self.read_only:
            return
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        if version is None:
            migrator.create(self._db)
            self._create_identity()
        else:
            migrator.upgrade(self._db, self.path, version)
        self.schema_version = latest_version()
        self._keep_private()

    def _keep_private(self) -> None:
        """The journal holds masked customers and Netgíró ids: its owner's eyes only."""
        for file in journal_files(self.path):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _commit(self, point: str) -> Iterator[sqlite3.Connection]:
        """One transaction; the named crash point fires right after it is durable.

        A failed COMMIT (a full disk) is rolled back, so the connection stays usable and the
        last durable state is the one before this transaction.
        """
        if self.read_only:
            raise JournalError(f"The journal {self.path} was opened read-only.")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        crash_point(point)

    def _identity(self) -> str:
        try:
            return self._meta("journal_id") or ""
        except sqlite3.OperationalError as exc:  # read-only, while a till creates it
            self._db.close()
            raise JournalError(
                f"The journal {self.path} is still being created by the till; try again."
            ) from exc

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def _create_identity(self) -> None:
        with self._commit("journal.created") as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('journal_id', ?)",
                (secrets.token_hex(4),),
            )

    def _reference_key(self, db: sqlite3.Connection) -> str:
        """Eight hex digits that tell this journal's References from every other's."""
        key = self._meta("journal_id") or ""
        if re.fullmatch(r"[0-9a-f]{8}", key):
            return key
        stored = db.execute("SELECT value FROM meta WHERE key = 'reference_key'").fetchone()
        if stored is not None:
            return str(stored["value"])
        key = secrets.token_hex(4)
        db.execute("INSERT INTO meta (key, value) VALUES ('reference_key', ?)", (key,))
        return key

    # --- sales ---------------------------------------------------------------------------

    @_guarded
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
                "INSERT INTO sale_lines (sale_id, line_no, product_no, name, unit_price, "
                "quantity_milli, amount) VALUES (?, ?, ?, ?, ?, ?, ?)",
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

    @_guarded
    def sale_lines(self, sale_id: int) -> list[SaleLine]:
        rows = self._db.execute(
            "SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,)
        ).fetchall()
        return [
            SaleLine(r["product_no"], r["name"], r["unit_price"], r["quantity_milli"], r["amount"])
            for r in rows
        ]

    @_guarded
    def sale(self, sale_id: int) -> SaleRecord:
        row = self._db.execute("SELECT * FROM sales WHERE id = ?", (sale_id,)).fetchone()
        if row is None:
            raise JournalError(f"Sale {sale_id} is not in the journal.")
        return self._sale_record(row)

    @_guarded
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

    @_guarded
    def begin_attempt(
        self, sale_id: int, customer_masked: str, state: Checkout, *, event: str = "start"
    ) -> AttemptRecord:
        """Journal a new INSERTING attempt before its InsertCart is sent."""
        sale = self.sale(sale_id)
        self._refuse_unpayable(sale)
        stamp = now_iso()
        try:
            with self._commit("journal.attempt_started") as db:
                attempt_no = 1 + int(
                    db.execute(
                        "SELECT COALESCE(MAX(attempt_no), 0) FROM attempts WHERE sale_id = ?",
                        (sale_id,),
                    ).fetchone()[0]
                )
                reference = self._new_reference(db, sale, attempt_no)
                amount = tenders.balance_due(db, sale_id)  # what cash left: a split tender
                if amount <= 0:
                    raise SaleNotPayable(f"Sale {sale_id} has nothing left to pay.")
                cursor = db.execute(
                    "INSERT INTO attempts (sale_id, attempt_no, reference, amount, "
                    "customer_masked, phase, live, transaction_id, state_json, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sale_id,
                        attempt_no,
                        reference,
                        amount,
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
                self._set_sale_status(db, sale_id, "open")
        except sqlite3.IntegrityError as exc:
            if self._has_live_attempt(sale_id):
                raise AttemptAlreadyLive(
                    f"Sale {sale_id} already has a payment in progress; finish or cancel it first."
                ) from exc
            raise JournalError(f"Sale {sale_id}: the journal refused the attempt ({exc}).") from exc
        return self.attempt(attempt_id)

    def _refuse_unpayable(self, sale: SaleRecord) -> None:
        reasons = {
            "paid": "is already paid",
            "parked": "is parked: recall it first",
            "voided": "was voided",
            "unknown": "has a payment whose outcome is unknown: settle it first "
            "(ask what the customer's app shows, then `pos recover --settle`)",
            "manager": "needs a manager: settle its payment first (`pos recover --settle`)",
        }
        if sale.status in reasons:
            raise SaleNotPayable(f"Sale {sale.id} {reasons[sale.status]}; nothing was sent.")

    def _has_live_attempt(self, sale_id: int) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM attempts WHERE sale_id = ? AND live = 1", (sale_id,)
        ).fetchone()
        return row is not None

    def _new_reference(self, db: sqlite3.Connection, sale: SaleRecord, attempt_no: int) -> str:
        reference = (
            f"{self.store_id}-{sale.register_id}-{self._reference_key(db)}-{sale.id}-{attempt_no}"
        )
        if not _REFERENCE_SHAPE.fullmatch(reference):
            raise JournalError(
                f"The payment reference {reference!r} would be longer than {MAX_REFERENCE} "
                "characters or hold other than letters, digits and hyphens: shorten "
                "[register] store_id / register_id (letters and digits, at most 6 each)."
            )
        return reference

    @_guarded
    def record(
        self,
        attempt_id: int,
        state: Checkout,
        *,
        event: str,
        point: str,
        netgiro_reference_id: str | None = None,
    ) -> Checkout:
        """Commit an attempt's new state, and the sale's status with a final one; returns it.

        PAID also marks the sale paid and queues its receipt, once. A PAID on a sale another
        attempt (or cash) already paid is a double charge: it is committed as NEEDS_REVIEW instead, with
        a ``double_charge`` event, and the sale stays paid.
        """
        stamp = now_iso()  # the attempt's updated_at and its event's at: one moment
        with self._commit(point) as db:
            # Only a final state needs the stored attempt (its sale, a double charge): a poll's
            # write skips decoding it (benchmarks/journal.py).
            attempt = (
                self._attempts("WHERE id = ?", (attempt_id,), db)[0] if state.is_final else None
            )
            if (
                attempt is not None
                and state.phase is Phase.PAID
                and self._paid_by_another(db, attempt)
            ):
                state = _double_charge(state)
                event = f"{event}+double_charge"
            db.execute(
                "UPDATE attempts SET phase = ?, live = ?, transaction_id = ?, state_json = ?, "
                "updated_at = ? WHERE id = ?",
                (
                    state.phase.value,
                    int(not state.is_final),
                    state.transaction_id,
                    state_to_json(state),
                    stamp,
                    attempt_id,
                ),
            )
            self._event(db, attempt_id, point, event, state, netgiro_reference_id, stamp)
            if attempt is not None and state.phase is Phase.PAID:
                self._mark_paid(db, attempt, state)
            elif attempt is not None:
                status = SALE_STATUS_OF_FINAL_PHASE.get(state.phase.value, "unpaid")
                self._set_sale_status(db, attempt.sale_id, status)
        return state

    def _paid_by_another(self, db: sqlite3.Connection, attempt: AttemptRecord) -> bool:
        """Another attempt paid this sale, or its tenders (cash) already covered it."""
        if attempt.state.phase is Phase.PAID:
            return False  # this attempt's own PAID, replayed
        row = db.execute(
            "SELECT 1 FROM attempts WHERE sale_id = ? AND id <> ? AND phase = 'PAID' "
            "UNION ALL SELECT 1 FROM sales WHERE id = ? AND status = 'paid'",
            (attempt.sale_id, attempt.id, attempt.sale_id),
        ).fetchone()
        return row is not None

    def _set_sale_status(self, db: sqlite3.Connection, sale_id: int, status: str) -> None:
        """A paid sale is never shown as anything else."""
        db.execute(
            "UPDATE sales SET status = ?, status_at = ? WHERE id = ? AND status <> 'paid'",
            (status, now_iso(), sale_id),
        )

    def _event(
        self,
        db: sqlite3.Connection,
        attempt_id: int,
        point: str,
        event: str,
        state: Checkout,
        netgiro_reference_id: str | None,
        at: str | None = None,
    ) -> None:
        db.execute(
            "INSERT INTO attempt_events (attempt_id, at, crash_point, event, phase, result_code, "
            "netgiro_reference_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt_id,
                at or now_iso(),
                point,
                event,
                state.phase.value,
                state.result_code,
                netgiro_reference_id,
                state.note,
            ),
        )

    def _mark_paid(self, db: sqlite3.Connection, attempt: AttemptRecord, state: Checkout) -> None:
        """The attempt's tender taken; once the tenders cover the total, the sale is paid, numbered
        and its receipt queued, once: a replayed PAID changes nothing."""
        stamp = now_iso()
        if not tenders.record_netgiro_paid(db, attempt.id, attempt.sale_id, attempt.amount, stamp):
            return  # a partial tender: the sale waits for the rest
        changed = db.execute(
            "UPDATE sales SET status = 'paid', paid_at = ?, status_at = ? "
            "WHERE id = ? AND status <> 'paid'",
            (stamp, stamp, attempt.sale_id),
        ).rowcount
        if not changed:
            return
        snapshot = self._receipt_snapshot(db, attempt, state, stamp)
        receipt_no = tenders.take_receipt_number(db, attempt.sale_id)
        snapshot.update(
            tenders.receipt_extras(
                db, attempt.sale_id, receipt_no, self.store_id, self.receipt_header
            )
        )
        db.execute(
            "INSERT INTO print_jobs (sale_id, kind, snapshot, created_at, updated_at) "
            "VALUES (?, 'receipt', ?, ?, ?)",
            (attempt.sale_id, json.dumps(snapshot, ensure_ascii=False), stamp, stamp),
        )

    @_guarded
    def settle(self, reference: str, outcome: Outcome, reason: str, who: str) -> SaleRecord:
        """A person settles an unknown or manager sale: an event row and its status, together.

        ``paid`` queues the receipt as any paid sale does; ``unpaid`` frees the sale for a new
        attempt. Only UNKNOWN_ABANDONED, NEEDS_REVIEW and RESERVED_UNCHARGED attempts settle.
        """
        attempt = self.attempt_by_reference(reference)
        if attempt is None:
            raise JournalError(f"No payment with the reference {reference!r} is in the journal.")
        if attempt.state.phase.value not in SETTLEABLE_PHASES:
            raise JournalError(
                f"Payment {reference} is {attempt.state.phase.value}: only unknown, "
                "needs-review and reserved-uncharged payments are settled by hand."
            )
        if not reason.strip():
            raise JournalError("Say why: --reason is written into the journal with the change.")
        if outcome == "paid" and self.sale(attempt.sale_id).status == "paid":
            # A second tender on a paid sale would count the customer's overpayment as takings.
            raise JournalError(
                f"Payment {reference} is a double charge: sale {attempt.sale_id} is paid "
                "already, so this money is the customer's. Give it back (`pos refund send "
                f"{attempt.sale_id} {attempt.amount} --payment {reference}`, or F9 in the till); "
                "settle it unpaid only if Netgíró's portal shows it was never taken."
            )
        with self._commit("journal.settled") as db:
            note = f"settled {outcome} by {who}: {reason.strip()}"
            db.execute(
                "INSERT INTO attempt_events (attempt_id, at, crash_point, event, phase, "
                "result_code, netgiro_reference_id, note) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
                (
                    attempt.id,
                    now_iso(),
                    "journal.settled",
                    f"settled_{outcome}",
                    attempt.state.phase.value,
                    note,
                ),
            )
            if outcome == "paid":
                self._mark_paid(db, attempt, attempt.state)
            else:
                self._set_sale_status(db, attempt.sale_id, "unpaid")
        return self.sale(attempt.sale_id)

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
            "total": self._total(db, attempt.sale_id),
            "netgiro_amount": attempt.amount,
            "lines": [dict(line) for line in lines],
            "customer": attempt.customer_masked,
            "transaction_id": state.transaction_id,
            "invoice_number": state.invoice_number,
            "paid_at": paid_at,
        }

    def _total(self, db: sqlite3.Connection, sale_id: int) -> int:
        return int(db.execute("SELECT total FROM sales WHERE id = ?", (sale_id,)).fetchone()[0])

    @_guarded
    def attempt(self, attempt_id: int) -> AttemptRecord:
        found = self._attempts("WHERE id = ?", (attempt_id,))
        if not found:
            raise JournalError(f"Payment attempt {attempt_id} is not in the journal.")
        return found[0]

    @_guarded
    def open_attempts(self) -> list[AttemptRecord]:
        """Attempts that are still live: recovery must finish each."""
        return self._attempts("WHERE live = 1 ORDER BY id", ())

    @_guarded
    def open_attempts_row_by_row(self) -> tuple[list[AttemptRecord], list[UnreadableAttempt]]:
        """Live attempts, and apart those whose stored state cannot be decoded.

        One bad row must not hide the others from recovery; it is reported with what the row
        still tells (reference, TransactionId), so a person can check it in Netgíró's portal.
        """
        rows = self._db.execute("SELECT * FROM attempts WHERE live = 1 ORDER BY id").fetchall()
        readable, unreadable = [], []
        for row in rows:
            try:
                readable.append(_attempt_record(row))
            except (ValueError, KeyError, TypeError) as exc:
                unreadable.append(
                    UnreadableAttempt(
                        int(row["id"]),
                        str(row["reference"]),
                        None if row["transaction_id"] is None else str(row["transaction_id"]),
                        f"{type(exc).__name__}: {exc}",
                    )
                )
        return readable, unreadable

    @_guarded
    def sales_by_status(self, *statuses: str) -> list[SaleRecord]:
        """Every sale in one of these statuses, oldest first (e.g. 'unknown', 'manager')."""
        marks = ", ".join("?" for _ in statuses)
        rows = self._db.execute(
            f"SELECT * FROM sales WHERE status IN ({marks}) ORDER BY id", statuses
        ).fetchall()
        return [self._sale_record(row) for row in rows]

    @_guarded
    def attempt_by_reference(self, reference: str) -> AttemptRecord | None:
        found = self._attempts("WHERE reference = ?", (reference,))
        return found[0] if found else None

    @_guarded
    def attempt_by_transaction(self, transaction_id: str) -> AttemptRecord | None:
        """The newest attempt on this cart; a GUID may come back in any case."""
        found = self._attempts(
            "WHERE transaction_id = ? COLLATE NOCASE ORDER BY id DESC", (transaction_id,)
        )
        return found[0] if found else None

    def _attempts(
        self, where: str, args: tuple[object, ...], db: sqlite3.Connection | None = None
    ) -> list[AttemptRecord]:
        rows = (db or self._db).execute(f"SELECT * FROM attempts {where}", args).fetchall()
        return [_attempt_record(r) for r in rows]

    @_guarded
    def attempt_events(self, attempt_id: int) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id", (attempt_id,)
        )
        return [dict(row) for row in rows.fetchall()]

    # --- print jobs, callbacks, nonces -----------------------------------------------------

    @_guarded
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

    @_guarded
    def record_callback(
        self, transaction_id: str | None, reference: str | None, body_sha256: str, verdict: str
    ) -> None:
        with self._commit("journal.callback_received") as db:
            db.execute(
                "INSERT INTO callbacks (received_at, transaction_id, reference, body_sha256, "
                "verdict) VALUES (?, ?, ?, ?, ?)",
                (now_iso(), transaction_id, reference, body_sha256, verdict),
            )

    @_guarded
    def callbacks(self) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT * FROM callbacks ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    @_guarded
    def callbacks_about(self, reference: str) -> list[dict[str, object]]:
        """Callbacks journaled for one attempt's Reference (indexed: never the whole table)."""
        rows = self._db.execute(
            "SELECT * FROM callbacks WHERE reference = ? ORDER BY id", (reference,)
        ).fetchall()
        return [dict(row) for row in rows]

    @_guarded
    def summary(self) -> JournalSummary:
        """Integrity, open attempts, sales and print jobs by status: only reads (``pos smoke``)."""
        return summarize(self._db)

    @_guarded
    def nonce_floor(self) -> int:
        """The highest nonce block ever reserved: every nonce after a restart is above it."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'nonce_floor'").fetchone()
        return int(row["value"]) if row is not None else 0

    @_guarded
    def reserve_nonces(self, up_to: int) -> None:
        with self._commit("journal.nonce_reserved") as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('nonce_floor', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(up_to),),
            )
