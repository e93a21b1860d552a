"""Z reports and cash movements in the journal: the period's rows read in one snapshot, a Z closed
in one transaction.

Which rows a period holds: ``pos.journal.z_period``.

Closing a Z is one transaction (``BEGIN IMMEDIATE``): the refusals (a payment live, a sale open,
parked or unfinished) or the voiding of those asked for, the report, its audit row (whose hash is
the chain head printed on it), the Z row, the cash movements stamped and the print job.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.core.z_report import (
    ReportHeader,
    compute,
    snapshot,
)
from pos.journal.audit import append_in, has_audit, utc_text
from pos.journal.errors import JournalError
from pos.journal.health import translate
from pos.journal.print_jobs import insert_job
from pos.journal.z_period import first_moment, period_rows, stamp_counted

if TYPE_CHECKING:
    from pos.journal.store import Journal

Z_POINT, CASH_POINT = "journal.z_closed", "journal.cash_moved"
OPEN_STATUSES = ("open", "parked", "unpaid")
"""A sale in one of these is not finished: a Z refuses it, or voids it when asked to."""
MOVEMENT_ACTIONS = {
    "float": "cash.float",
    "paid_in": "cash.paid_in",
    "paid_out": "cash.paid_out",
    "no_sale": "cash.no_sale",
}
Z_ACTION = "z.closed"


class ZRefused(JournalError):
    """The Z cannot close now; the message says what to finish first. Nothing was written."""

    title = "Z report"


class CashRefused(JournalError):
    """The journal refuses this cash movement (an amount or a reason missing)."""

    title = "Cash"


@dataclass(frozen=True)
class ZRecord:
    """A closed Z as stored: what was printed, by number."""

    number: int
    opened_at: str
    closed_at: str
    last_receipt_no: int
    counted: int
    expected: int
    over_short: int
    audit_head: str
    manager: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class MovementRecord:
    id: int
    kind: str
    amount: int
    reason: str
    who: str
    at: str
    z_number: int | None


@dataclass(frozen=True)
class Blockers:
    """What stops a Z: payments running, sales not finished (open, parked, unpaid)."""

    live_references: tuple[str, ...] = ()
    open_sales: tuple[int, ...] = ()
    parked_sales: tuple[int, ...] = ()
    money_taken: tuple[int, ...] = ()
    """Unfinished sales that took some money already (a split stopped half way)."""
    netgiro_taken: tuple[int, ...] = ()
    """Of those, the ones with a Netgíró part taken or running: only a refund gives it back."""

    @property
    def empty(self) -> bool:
        return not (self.live_references or self.open_sales or self.parked_sales)

    @property
    def voidable(self) -> tuple[int, ...]:
        """Unfinished sales a Z may void: no Netgíró part taken or running. Cash taken on one
        (a customer who paid part and walked away) is handed back, so it is never counted."""
        return tuple(
            s for s in (*self.open_sales, *self.parked_sales) if s not in self.netgiro_taken
        )

    def message(self) -> str:
        parts = []
        if self.live_references:
            parts.append(f"a payment is running ({', '.join(self.live_references)})")
        if self.open_sales:
            parts.append(f"sales {_ids(self.open_sales)} are open")
        if self.parked_sales:
            parts.append(f"sales {_ids(self.parked_sales)} are parked")
        return "; ".join(parts)


@dataclass(frozen=True)
class ClosedZ:
    """What closing a Z wrote: the Z row and its print job."""

    z: ZRecord
    job_id: int
    voided: tuple[int, ...]


def _ids(ids: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in ids)


# --- reading ---------------------------------------------------------------------------------


def has_z_reports(journal: Journal) -> bool:
    found = journal._db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'z_reports'"
    ).fetchone()
    return found is not None


def require_z_reports(journal: Journal) -> None:
    if not has_z_reports(journal) or not has_audit(journal._db):
        raise JournalError(
            f"The journal {journal.path} predates Z reports: open the till (or run "
            "`pos recover`) once to upgrade it."
        )


def _z_record(row: sqlite3.Row) -> ZRecord:
    return ZRecord(
        number=row["number"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        last_receipt_no=row["last_receipt_no"],
        counted=row["counted"],
        expected=row["expected"],
        over_short=row["over_short"],
        audit_head=row["audit_head"],
        manager=row["manager"],
        snapshot=json.loads(row["snapshot"]),
    )


def _last_z(db: sqlite3.Connection) -> ZRecord | None:
    row = db.execute("SELECT * FROM z_reports ORDER BY number DESC LIMIT 1").fetchone()
    return None if row is None else _z_record(row)


def last_z(journal: Journal) -> ZRecord | None:
    require_z_reports(journal)
    return _last_z(journal._db)


def z_report(journal: Journal, number: int) -> ZRecord:
    require_z_reports(journal)
    row = journal._db.execute("SELECT * FROM z_reports WHERE number = ?", (number,)).fetchone()
    if row is None:
        last = _last_z(journal._db)
        have = f"the last is Z {last.number}" if last else "no Z has been closed yet"
        raise JournalError(f"There is no Z report {number}: {have}.")
    return _z_record(row)


def z_reports(journal: Journal) -> list[ZRecord]:
    """Every Z, oldest first."""
    require_z_reports(journal)
    rows = journal._db.execute("SELECT * FROM z_reports ORDER BY number").fetchall()
    return [_z_record(row) for row in rows]


def movements(journal: Journal, *, z_number: int | None = None) -> list[MovementRecord]:
    """Cash movements of Z ``z_number``, or (None) those since the last Z."""
    require_z_reports(journal)
    where = "z_number IS NULL" if z_number is None else "z_number = ?"
    args = () if z_number is None else (z_number,)
    rows = journal._db.execute(
        f"SELECT * FROM cash_movements WHERE {where} ORDER BY id", args
    ).fetchall()
    return [_movement(row) for row in rows]


def _movement(row: sqlite3.Row) -> MovementRecord:
    return MovementRecord(
        row["id"], row["kind"], row["amount"], row["reason"], row["who"], row["at"], row["z_number"]
    )


def blockers(journal: Journal) -> Blockers:
    require_z_reports(journal)
    return _blockers(journal._db)


def _blockers(db: sqlite3.Connection) -> Blockers:
    live = tuple(
        str(r[0]) for r in db.execute("SELECT reference FROM attempts WHERE live = 1 ORDER BY id")
    )
    rows = db.execute(
        f"SELECT id, status FROM sales WHERE status IN {OPEN_STATUSES} ORDER BY id"
    ).fetchall()
    taken = {
        int(r[0])
        for r in db.execute(
            f"SELECT DISTINCT t.sale_id FROM tenders t JOIN sales s ON s.id = t.sale_id "
            f"WHERE t.status = 'taken' AND s.status IN {OPEN_STATUSES}"
        )
    }
    running = {int(r[0]) for r in db.execute("SELECT sale_id FROM attempts WHERE live = 1")}
    netgiro = {
        int(r[0])
        for r in db.execute(
            f"SELECT DISTINCT t.sale_id FROM tenders t JOIN sales s ON s.id = t.sale_id "
            f"WHERE t.status = 'taken' AND t.kind = 'netgiro' AND s.status IN {OPEN_STATUSES}"
        )
    }
    return Blockers(
        live_references=live,
        open_sales=tuple(int(r[0]) for r in rows if r[1] != "parked"),
        parked_sales=tuple(int(r[0]) for r in rows if r[1] == "parked"),
        money_taken=tuple(sorted(taken | running)),
        netgiro_taken=tuple(sorted(netgiro | running)),
    )


@contextmanager
def _read_snapshot(journal: Journal) -> Iterator[sqlite3.Connection]:
    """One read transaction: the X's numbers all come from one moment, even beside the till."""
    db = journal._db
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("COMMIT")


def x_snapshot(journal: Journal, *, at: datetime, register_id: str = "") -> dict[str, Any]:
    """Running totals since the last Z, as an X report's snapshot; writes nothing."""
    require_z_reports(journal)
    stamp = utc_text(at)
    try:
        with _read_snapshot(journal) as db:
            last = _last_z(db)
            until = max(stamp, last.closed_at) if last else stamp
            totals = compute(
                period_rows(
                    db, last.closed_at if last else "", until, last.last_receipt_no if last else 0
                )
            )
            opened = last.closed_at if last else first_moment(db, until)
    except sqlite3.Error as exc:
        raise translate(journal.path, exc) from exc
    header = ReportHeader(
        kind="X",
        opened_at=opened,
        closed_at=until,
        store_id=journal.store_id,
        register_id=register_id,
        next_z=(last.number if last else 0) + 1,
        store=journal.receipt_header,
    )
    return snapshot(header, totals)


# --- writing ---------------------------------------------------------------------------------


@contextmanager
def _writing(journal: Journal, point: str) -> Iterator[sqlite3.Connection]:
    require_z_reports(journal)
    try:
        with journal._commit(point) as db:
            yield db
    except ZRefused:
        raise
    except sqlite3.IntegrityError as exc:
        raise JournalError(f"The journal refused it ({exc}); nothing was written.") from exc
    except (sqlite3.Error, OSError) as exc:
        raise translate(journal.path, exc) from exc


def add_movement(
    journal: Journal,
    kind: str,
    amount: int,
    reason: str,
    who: str,
    *,
    at: datetime,
    details: Mapping[str, Any] | None = None,
) -> MovementRecord:
    """A float, paid-in, paid-out or no-sale, with its audit row, in one transaction."""
    if kind not in MOVEMENT_ACTIONS:
        raise CashRefused(f"{kind!r} is not a cash movement ({', '.join(MOVEMENT_ACTIONS)}).")
    stamp = utc_text(at)
    with _writing(journal, CASH_POINT) as db:
        if kind == "paid_out":
            _refuse_more_than_the_drawer(db, amount, stamp)
        cursor = db.execute(
            "INSERT INTO cash_movements (kind, amount, reason, who, at) VALUES (?, ?, ?, ?, ?)",
            (kind, amount, reason, who, stamp),
        )
        movement_id = int(cursor.lastrowid or 0)
        audit = {"movement_id": movement_id, "amount": amount, "reason": reason}
        append_in(db, who, MOVEMENT_ACTIONS[kind], {**audit, **(details or {})}, at=stamp)
        row = db.execute("SELECT * FROM cash_movements WHERE id = ?", (movement_id,)).fetchone()
    return _movement(row)


def _refuse_more_than_the_drawer(db: sqlite3.Connection, amount: int, stamp: str) -> None:
    """A paid-out never takes more than the drawer should hold (a typed 5000000 for 5000)."""
    last = _last_z(db)
    until = max(stamp, last.closed_at) if last else stamp
    rows = period_rows(
        db, last.closed_at if last else "", until, last.last_receipt_no if last else 0
    )
    expected = compute(rows).cash.expected
    if amount > expected:
        raise CashRefused(
            f"A paid-out of {amount} kr. is more than the drawer should hold ({expected} kr.); "
            "nothing was written. Check the amount."
        )


def close_z(
    journal: Journal,
    *,
    counted: int,
    manager: str,
    at: datetime,
    register_id: str = "",
    void_open: bool = False,
) -> ClosedZ:
    """Close the period: refuse (or void, when asked) what is unfinished, then write it all.

    Nothing is written when the Z is refused. The chain head printed on the Z is the hash of
    the Z's own audit row, so ``pos audit verify --head`` also covers the Z itself.
    """
    with _writing(journal, Z_POINT) as db:
        last = _last_z(db)
        stamp = utc_text(at)
        closed_at = max(stamp, last.closed_at) if last else stamp
        voided, given_back = _void_or_refuse(db, _blockers(db), void_open, closed_at)
        rows = replace(
            period_rows(
                db, last.closed_at if last else "", closed_at, last.last_receipt_no if last else 0
            ),
            voided_at_close=len(voided),
        )
        totals = compute(rows, counted)
        number = (last.number if last else 0) + 1
        opened_at = last.closed_at if last else first_moment(db, closed_at)
        last_receipt = int(
            db.execute("SELECT COALESCE(MAX(receipt_no), 0) FROM sales").fetchone()[0]
        )
        entry = append_in(
            db,
            manager,
            Z_ACTION,
            {
                "number": number,
                "opened_at": opened_at,
                "closed_at": closed_at,
                "sales": totals.sales,
                "total": totals.total,
                "expected": totals.cash.expected,
                "counted": counted,
                "over_short": totals.cash.over_short,
                "voided_at_close": list(voided),
                "cash_given_back_at_close": given_back,
            },
            at=closed_at,
        )
        header = ReportHeader(
            kind="Z",
            opened_at=opened_at,
            closed_at=closed_at,
            store_id=journal.store_id,
            register_id=register_id,
            number=number,
            manager=manager,
            audit_head=entry.hash,
            store=journal.receipt_header,
        )
        report = snapshot(header, totals)
        text = json.dumps(report, ensure_ascii=False)
        db.execute(
            "INSERT INTO z_reports (number, opened_at, closed_at, last_receipt_no, counted, "
            "expected, over_short, audit_head, manager, snapshot) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                opened_at,
                closed_at,
                last_receipt,
                counted,
                totals.cash.expected,
                totals.cash.over_short,
                entry.hash,
                manager,
                text,
            ),
        )
        db.execute("UPDATE cash_movements SET z_number = ? WHERE z_number IS NULL", (number,))
        stamp_counted(db, number)
        job_id = insert_job(db, "report", report)
    return ClosedZ(z_report(journal, number), job_id, voided)


def _void_or_refuse(
    db: sqlite3.Connection, found: Blockers, void_open: bool, stamp: str
) -> tuple[tuple[int, ...], int]:
    """The sales voided, and the cash handed back with them (part payments walked away from)."""
    if found.empty:
        return (), 0
    if not void_open:
        raise ZRefused(
            f"The Z cannot close: {found.message()}. Finish them, or let the Z void the open "
            "and parked sales (they are counted as voided)."
        )
    if found.live_references:
        raise ZRefused(
            f"The Z cannot close: {found.message()}. A running payment is never voided: wait "
            "for its end or cancel it."
        )
    if found.netgiro_taken:
        raise ZRefused(
            f"The Z cannot close: sales {_ids(found.netgiro_taken)} took a Netgíró part but are "
            "not paid in full. Take the rest on the till, or refund the Netgíró part first."
        )
    voided = found.voidable
    marks = ", ".join("?" * len(voided))
    db.execute(
        f"UPDATE sales SET status = 'voided', status_at = ? WHERE id IN ({marks}) "
        f"AND status IN {OPEN_STATUSES}",
        (stamp, *voided),
    )
    # Cash a walked-away customer paid in part goes back to them: its tenders are reversed.
    given_back = int(
        db.execute(
            f"SELECT COALESCE(SUM(amount), 0) FROM tenders WHERE sale_id IN ({marks}) "
            "AND status = 'taken' AND kind = 'cash'",
            voided,
        ).fetchone()[0]
    )
    db.execute(
        f"UPDATE tenders SET status = 'voided' WHERE sale_id IN ({marks}) AND status = 'taken' "
        "AND kind = 'cash'",
        voided,
    )
    return voided, given_back


def queue_report(journal: Journal, report: Mapping[str, Any]) -> int:
    """Queue a report (an X) for the printer, in its own commit; the job's id."""
    with _writing(journal, "journal.report_queued") as db:
        return insert_job(db, "report", dict(report))


def z_job(journal: Journal, number: int) -> int | None:
    """The print job Z ``number`` was first queued as (its reprints are AFRIT copies of it)."""
    row = journal._db.execute(
        "SELECT id FROM print_jobs WHERE kind = 'report' AND sale_id IS NULL "
        "AND json_extract(snapshot, '$.kind') = 'Z' AND json_extract(snapshot, '$.number') = ? "
        "ORDER BY id LIMIT 1",
        (number,),
    ).fetchone()
    return None if row is None else int(row[0])


def backup_into(journal: Journal, target: Path) -> None:
    """``VACUUM INTO`` a new file: a consistent copy, even beside a writer."""
    try:
        journal._db.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as exc:
        raise JournalError(f"The backup {target} could not be written ({exc}).") from exc
