"""The print queue's journal side: claim a job, mark it, add a copy, list jobs.

Rules kept: printing is at most once. A job is claimed (``queued`` → ``sending``) in a commit of
its own before any byte leaves for the printer; a ``sending`` job found when the till starts
was cut off by a crash and becomes ``uncertain``: offered for a reprint as a copy, never sent
again by itself. A copy is a new job with the same snapshot and the next copy number.
Needs the print-job columns of migration step 0003 (``copy_no``, ``updated_at``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pos.journal.audit import append_in, entries, has_audit, utc_text
from pos.journal.errors import JournalError
from pos.journal.store import Journal, now_iso

STATUSES = ("queued", "sending", "printed", "failed", "uncertain", "skipped")
KINDS = ("receipt", "copy", "refund_slip", "report", "drawer")
DOCUMENT_KINDS = ("refund_slip", "report")
"""Jobs printed from a layout of their own (``snapshot["document"]`` names it, in copies too)."""
REPRINTABLE = ("printed", "failed", "uncertain", "skipped")


@dataclass(frozen=True)
class QueuedJob:
    """A print job as journaled; ``copy_no`` is 0 for the original, 1, 2, … for AFRIT copies."""

    id: int
    sale_id: int | None  # None for a document of no one sale (a Z report)
    kind: str
    status: str
    snapshot: dict[str, Any]
    reason: str
    copy_no: int
    created_at: str
    updated_at: str | None
    printed_at: str | None

    @property
    def sale(self) -> int:
        """The sale of a receipt or its copy (a document such as a Z has none)."""
        if self.sale_id is None:
            raise JournalError(f"Print job {self.id} is a {self.kind} of no sale.")
        return self.sale_id

    @property
    def is_receipt(self) -> bool:
        """A sale's receipt or an AFRIT of it, not a document with a layout of its own."""
        return self.kind in ("receipt", "copy") and "document" not in self.snapshot


def jobs(journal: Journal, status: str | None = None) -> list[QueuedJob]:
    """Jobs in the order they were queued, optionally only those with ``status``."""
    require_print_queue(journal)
    where, args = ("WHERE status = ?", (status,)) if status else ("", ())
    return _select(journal._db, f"{where} ORDER BY id", args)


def has_queued(journal: Journal) -> bool:
    found = journal._db.execute("SELECT 1 FROM print_jobs WHERE status = 'queued' LIMIT 1")
    return found.fetchone() is not None


def job(journal: Journal, job_id: int) -> QueuedJob:
    found = _select(journal._db, "WHERE id = ?", (job_id,))
    if not found:
        raise JournalError(f"Print job {job_id} is not in the journal.")
    return found[0]


def jobs_for_sale(journal: Journal, sale_id: int) -> list[QueuedJob]:
    return _select(journal._db, "WHERE sale_id = ? ORDER BY id", (sale_id,))


def receipt_job(journal: Journal, number: int) -> QueuedJob | None:
    """The original receipt job of receipt ``number``.

    Receipt numbers live on the sale (the till screen's step) or in the snapshot; a journal
    from before receipt numbers is addressed by sale id.
    """
    db = journal._db
    args: tuple[object, ...]
    sale_columns = {row[1] for row in db.execute("PRAGMA table_info(sales)")}
    if "receipt_no" in sale_columns:
        row = db.execute("SELECT id FROM sales WHERE receipt_no = ?", (number,)).fetchone()
        where, args = ("sale_id = ?", (row[0],)) if row else ("0", ())
    else:
        where = (
            "(json_extract(snapshot, '$.receipt_no') = ? OR "
            "(json_extract(snapshot, '$.receipt_no') IS NULL AND sale_id = ?))"
        )
        args = (number, number)
    found = _select(db, f"WHERE kind = 'receipt' AND {where} ORDER BY id", args)
    return found[0] if found else None


def require_print_queue(journal: Journal) -> None:
    """The queue needs step 0003's columns; an older journal is said to be so, not crashed on."""
    columns = {row[1] for row in journal._db.execute("PRAGMA table_info(print_jobs)")}
    if "copy_no" not in columns:
        raise JournalError(
            "this journal predates the print queue: open the till (or run `pos recover`) "
            "once to upgrade it"
        )


def claim(journal: Journal, job_id: int) -> bool:
    """``queued`` → ``sending``, committed before the bytes leave; False if someone else has it."""
    with journal._commit("journal.print_sending") as db:
        cursor = db.execute(
            "UPDATE print_jobs SET status = 'sending', updated_at = ? "
            "WHERE id = ? AND status = 'queued'",
            (now_iso(), job_id),
        )
    return cursor.rowcount == 1


def mark_printed(journal: Journal, job_id: int) -> None:
    stamp = now_iso()
    with journal._commit("journal.print_printed") as db:
        db.execute(
            "UPDATE print_jobs SET status = 'printed', reason = '', printed_at = ?, "
            "updated_at = ? WHERE id = ? AND status = 'sending'",
            (stamp, stamp, job_id),
        )


def mark_failed(journal: Journal, job_id: int, reason: str) -> None:
    """The job did not print (or may have printed in part): it waits for a person, with its reason."""
    with journal._commit("journal.print_failed") as db:
        db.execute(
            "UPDATE print_jobs SET status = 'failed', reason = ?, updated_at = ? "
            "WHERE id = ? AND status IN ('queued', 'sending')",
            (reason, now_iso(), job_id),
        )


def mark_sending_uncertain(journal: Journal) -> list[int]:
    """At start: jobs a crash left ``sending`` may be on paper or not: ``uncertain``, never resent."""
    with journal._commit("journal.print_uncertain") as db:
        ids = [int(r[0]) for r in db.execute("SELECT id FROM print_jobs WHERE status = 'sending'")]
        db.execute(
            "UPDATE print_jobs SET status = 'uncertain', updated_at = ?, "
            "reason = 'the till stopped while it was printing' WHERE status = 'sending'",
            (now_iso(),),
        )
    return ids


def requeue(journal: Journal, job_id: int) -> None:
    """A person pressed Retry on a failed job."""
    with journal._commit("journal.print_requeued") as db:
        cursor = db.execute(
            "UPDATE print_jobs SET status = 'queued', updated_at = ? "
            "WHERE id = ? AND status = 'failed'",
            (now_iso(), job_id),
        )
    if cursor.rowcount != 1:
        raise JournalError(f"Print job {job_id} has not failed; only a failed job is retried.")


def mark_skipped(journal: Journal, job_id: int) -> None:
    """The customer wanted no receipt: journaled, and still reprintable."""
    with journal._commit("journal.print_skipped") as db:
        db.execute(
            "UPDATE print_jobs SET status = 'skipped', updated_at = ? "
            "WHERE id = ? AND status = 'queued'",
            (now_iso(), job_id),
        )


def insert_job(
    db: sqlite3.Connection,
    kind: str,
    snapshot: dict[str, Any],
    *,
    sale_id: int | None = None,
) -> int:
    """Queue a document (refund slip, report) inside the caller's transaction; returns its id.
    The snapshot is all the printer will ever see of it: a reprint is the same document."""
    if kind not in DOCUMENT_KINDS:
        raise JournalError(f"A {kind!r} job is not a document; use one of {DOCUMENT_KINDS}.")
    stamp = now_iso()
    cursor = db.execute(
        "INSERT INTO print_jobs (sale_id, kind, status, snapshot, created_at, updated_at) "
        "VALUES (?, ?, 'queued', ?, ?, ?)",
        (
            sale_id,
            kind,
            json.dumps({**snapshot, "document": kind}, ensure_ascii=False),
            stamp,
            stamp,
        ),
    )
    return int(cursor.lastrowid or 0)


def enqueue(
    journal: Journal, kind: str, snapshot: dict[str, Any], *, sale_id: int | None = None
) -> QueuedJob:
    """Queue a document in a commit of its own (see ``insert_job``)."""
    with journal._commit("journal.document_queued") as db:
        job_id = insert_job(db, kind, snapshot, sale_id=sale_id)
    return job(journal, job_id)


def add_copy(journal: Journal, of_job_id: int) -> QueuedJob:
    """Queue an AFRIT of a job: the same snapshot, the sale's next copy number.

    The caller audits it (a manager's copy, a Z's); ``add_audited_copy`` audits in the same
    commit."""
    original = _copyable(journal, of_job_id)
    with journal._commit("journal.print_copy_queued") as db:
        copy_id = _insert_copy(db, original)
    return job(journal, copy_id)


REPRINT_ACTION = "print.reprint"
DISMISS_ACTION = "print.dismissed"
REPRINT_WHYS = ("free", "uncertain", "manager")
"""free: the cashier's one copy of the last receipt; uncertain: the copy offered for a job a
crash cut off (it stands for the original, so it is not the free one); manager: any other."""


def add_audited_copy(journal: Journal, of_job_id: int, *, actor: str, why: str) -> QueuedJob:
    """Queue an AFRIT and its audit row in one commit: no copy without its row.

    A copy offered for an ``uncertain`` job settles that job: it becomes ``skipped`` (its
    reason names the copy), so it is not offered again.
    """
    if why not in REPRINT_WHYS:
        raise JournalError(f"A reprint is one of {REPRINT_WHYS}, not {why!r}.")
    original = _copyable(journal, of_job_id)
    if why == "uncertain" and original.status != "uncertain":
        raise JournalError(f"Print job {of_job_id} is {original.status}, not uncertain.")
    _require_audit_table(journal)
    with journal._commit("journal.print_copy_queued") as db:
        copy_id = _insert_copy(db, original)
        copy_no = int(
            db.execute("SELECT copy_no FROM print_jobs WHERE id = ?", (copy_id,)).fetchone()[0]
        )
        if why == "uncertain":
            settled = db.execute(
                "UPDATE print_jobs SET status = 'skipped', reason = ?, updated_at = ? "
                "WHERE id = ? AND status = 'uncertain'",
                (f"may have printed; AFRIT queued as job {copy_id}", now_iso(), original.id),
            )
            _changed_or_undo(settled, f"Print job {of_job_id} is no longer uncertain.")
        details = {**_about(original), "job": copy_id, "copy_no": copy_no, "why": why}
        append_in(db, actor, REPRINT_ACTION, details, at=utc_text(datetime.now(UTC)))
    return job(journal, copy_id)


def dismiss(journal: Journal, job_id: int, *, actor: str) -> QueuedJob:
    """A person decided a failed or uncertain job will not print: ``skipped`` (still
    reprintable), its old reason kept, audited in the same commit."""
    found = job(journal, job_id)
    if found.status not in ("failed", "uncertain"):
        raise JournalError(
            f"Print job {job_id} is {found.status}; only a failed or uncertain job is dismissed."
        )
    _require_audit_table(journal)
    with journal._commit("journal.print_dismissed") as db:
        changed = db.execute(
            "UPDATE print_jobs SET status = 'skipped', reason = ?, updated_at = ? "
            "WHERE id = ? AND status = ?",
            (f"dismissed ({found.status}: {found.reason})", now_iso(), job_id, found.status),
        )
        _changed_or_undo(changed, f"Print job {job_id} changed meanwhile; nothing dismissed.")
        details = {**_about(found), "was": found.status, "reason": found.reason}
        append_in(db, actor, DISMISS_ACTION, details, at=utc_text(datetime.now(UTC)))
    return job(journal, job_id)


def reprints(journal: Journal, sale_id: int) -> list[dict[str, Any]]:
    """The audited reprints of one sale's receipt (each row's details), oldest first."""
    return [
        entry.details
        for entry in entries(journal, actions=(REPRINT_ACTION,))
        if entry.details.get("sale_id") == sale_id and "document" not in entry.details
    ]


def _about(found: QueuedJob) -> dict[str, Any]:
    """What an audit row says about a job: which, of what sale, receipt or document."""
    about: dict[str, Any] = {"of_job": found.id, "sale_id": found.sale_id, "kind": found.kind}
    for key in ("receipt_no", "document", "number"):
        if isinstance(found.snapshot.get(key), int | str):
            about[key] = found.snapshot[key]
    return about


def _changed_or_undo(cursor: sqlite3.Cursor, message: str) -> None:
    """Raised inside the commit, so the copy or the audit row goes back with it."""
    if cursor.rowcount != 1:
        raise JournalError(message)


def _require_audit_table(journal: Journal) -> None:
    if not has_audit(journal._db):
        raise JournalError(
            "this journal has no audit log yet: open the till (or run `pos recover`) once to "
            "upgrade it"
        )


def _copyable(journal: Journal, of_job_id: int) -> QueuedJob:
    original = job(journal, of_job_id)
    if original.kind not in ("receipt", "copy", *DOCUMENT_KINDS):
        raise JournalError(f"Print job {of_job_id} is a {original.kind}; it has no copy.")
    return original


def _insert_copy(db: sqlite3.Connection, original: QueuedJob) -> int:
    copy_no = 1 + int(
        db.execute(
            "SELECT COALESCE(MAX(copy_no), 0) FROM print_jobs WHERE sale_id IS ? "
            "AND json_extract(snapshot, '$.document') IS ?",
            (original.sale_id, original.snapshot.get("document")),
        ).fetchone()[0]
    )
    stamp = now_iso()
    cursor = db.execute(
        "INSERT INTO print_jobs (sale_id, kind, status, snapshot, created_at, copy_no, "
        "updated_at) VALUES (?, 'copy', 'queued', ?, ?, ?, ?)",
        (
            original.sale_id,
            json.dumps(original.snapshot, ensure_ascii=False),
            stamp,
            copy_no,
            stamp,
        ),
    )
    return int(cursor.lastrowid or 0)


def _select(db: sqlite3.Connection, where: str, args: tuple[object, ...]) -> list[QueuedJob]:
    rows = db.execute(f"SELECT * FROM print_jobs {where}", args).fetchall()
    older = bool(rows) and "copy_no" not in rows[0].keys()  # noqa: SIM118 (Row: `in` sees values)
    return [
        QueuedJob(
            id=r["id"],
            sale_id=r["sale_id"],
            kind=r["kind"],
            status=r["status"],
            snapshot=json.loads(r["snapshot"]),
            reason=r["reason"],
            copy_no=0 if older else r["copy_no"],
            created_at=r["created_at"],
            updated_at=None if older else r["updated_at"],
            printed_at=r["printed_at"],
        )
        for r in rows
    ]
