"""The audit log: append-only rows in the journal, each hash-chained to the one before.

A row's hash is ``sha256(prev_hash + canonical)``, hex, where ``prev_hash`` is the previous
row's hash as 64 ASCII hex digits (64 zeros before the first row) and ``canonical`` is the row
as JSON with sorted keys, no spaces, UTF-8 (``ensure_ascii=False``)::

    {"action":…,"actor":…,"at":…,"details":{…},"seq":N,"source":… or null}

Rows are appended inside ``BEGIN IMMEDIATE`` (the journal's write lock), reading the last hash
in the same transaction, so two processes on one journal never fork the chain. A Z report
prints the head; ``verify`` walks the chain and, given that head, also finds deleted tail rows.
Details never hold a PIN, a secret or an unmasked customer id: keys that look like one are
refused here, masking is the caller's job.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pos.journal.errors import JournalError
from pos.journal.health import translate

if TYPE_CHECKING:
    from pos.journal.store import Journal

GENESIS = "0" * 64
APPEND_POINT = "journal.audit_appended"
SETTLED_ACTION = "sale.settled"
TRIGGERS = ("audit_is_append_only_update", "audit_is_append_only_delete")
_FORBIDDEN_KEYS = frozenset({"pin", "secret", "secret_key", "token", "password", "kennitala"})
_HEX = re.compile(r"^[0-9a-f]+$")
_SETTLED_NOTE = re.compile(r"^settled (paid|unpaid) by (.*?): (.*)$", re.DOTALL)
MIN_HEAD_DIGITS = 16


class AuditError(JournalError):
    """The audit log refused an entry, or is not there to read."""

    title = "Audit log"


@dataclass(frozen=True)
class AuditEntry:
    """One row of the chain."""

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    source: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """What ``verify`` found; ``ok`` only if every link holds (and the head, if given, is in it)."""

    rows: int
    head: str | None
    broken_at: int | None = None
    problem: str = ""
    head_seq: int | None = None
    missing_triggers: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem and not self.missing_triggers


# --- the hash --------------------------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    """Sorted keys, no spaces, UTF-8: the one byte form a row is hashed in."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def row_hash(
    prev_hash: str,
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    details: Mapping[str, Any],
    source: str | None,
) -> str:
    row = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "details": details,
        "source": source,
    }
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(row)).hexdigest()


def _checked_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Plain JSON (no floats: money is whole krónur), and no key that would hold a secret."""

    def check(value: object, where: str) -> None:
        if isinstance(value, float):
            raise AuditError(f"Audit detail {where} is a float; write whole numbers or text.")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise AuditError(f"Audit detail keys are text ({where}).")
                if key.casefold() in _FORBIDDEN_KEYS:
                    raise AuditError(f"Audit details never hold {key!r}: leave it out.")
                check(item, f"{where}.{key}")
        elif isinstance(value, list | tuple):
            for n, item in enumerate(value):
                check(item, f"{where}[{n}]")
        elif not (value is None or isinstance(value, str | int | bool)):
            raise AuditError(f"Audit detail {where} is a {type(value).__name__}; use JSON values.")

    check(details, "details")
    parsed: dict[str, Any] = json.loads(canonical_json(dict(details)))
    return parsed


def utc_text(moment: datetime) -> str:
    """How the journal writes a time: UTC, ISO 8601, milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


# --- appending -----------------------------------------------------------------------------


def append_in(
    db: sqlite3.Connection,
    actor: str,
    action: str,
    details: Mapping[str, Any],
    *,
    at: str,
    source: str | None = None,
) -> AuditEntry:
    """Append one row inside the caller's open write transaction (BEGIN IMMEDIATE)."""
    if not db.in_transaction:
        raise AuditError("An audit row is appended inside a write transaction only.")
    if not actor.strip() or not action.strip():
        raise AuditError("An audit row names who did it and what they did.")
    clean = _checked_details(details)
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    digest = row_hash(
        prev, seq=seq, at=at, actor=actor, action=action, details=clean, source=source
    )
    db.execute(
        "INSERT INTO audit (seq, at, actor, action, details, source, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, canonical_json(clean).decode("utf-8"), source, prev, digest),
    )
    return AuditEntry(seq, at, actor, action, clean, source, prev, digest)


def append_audit(
    journal: Journal,
    actor: str,
    action: str,
    details: Mapping[str, Any],
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one row in its own transaction (``journal.audit_appended`` fires after it)."""
    stamp = utc_text(at or datetime.now(UTC))
    with _writing(journal) as db:
        return append_in(db, actor, action, details, at=stamp)


def copy_settlements(db: sqlite3.Connection) -> int:
    """Chain every settlement row (``attempt_events`` ``settled_*``) not yet chained; returns how many.

    Runs inside the caller's transaction: the migration step, or ``chain_settlements``.
    """
    rows = db.execute(
        "SELECT e.id, e.at, e.event, e.phase, e.note, a.reference, a.sale_id, a.amount, "
        "a.transaction_id FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id "
        "WHERE e.event LIKE 'settled!_%' ESCAPE '!' "
        "AND NOT EXISTS (SELECT 1 FROM audit WHERE source = 'attempt_events:' || e.id) "
        "ORDER BY e.id"
    ).fetchall()
    for row in rows:
        event_id, at, event, phase, note, reference, sale_id, amount, transaction_id = row
        said = _SETTLED_NOTE.match(note or "")
        who, reason = (said.group(2), said.group(3)) if said else ("unknown", note or "")
        details = {
            "reference": reference,
            "sale_id": sale_id,
            "amount": amount,
            "transaction_id": transaction_id,
            "outcome": str(event).removeprefix("settled_"),
            "phase": phase,
            "reason": reason,
        }
        append_in(
            db,
            who or "unknown",
            SETTLED_ACTION,
            details,
            at=at,
            source=f"attempt_events:{event_id}",
        )
    return len(rows)


def chain_settlements(journal: Journal) -> int:
    """After ``Journal.settle``: copy its settlement row (and any a crash left out) into the chain."""
    with _writing(journal) as db:
        return copy_settlements(db)


@contextmanager
def _writing(journal: Journal) -> Iterator[sqlite3.Connection]:
    """The journal's write transaction, with its crash point and its errors translated."""
    _require_audit(journal._db, journal)
    try:
        with journal._commit(APPEND_POINT) as db:
            yield db
    except (sqlite3.Error, OSError) as exc:
        raise translate(journal.path, exc) from exc


# --- reading ---------------------------------------------------------------------------------


def has_audit(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'")
    return found.fetchone() is not None


def _require_audit(db: sqlite3.Connection, journal: Journal) -> None:
    if not has_audit(db):
        raise AuditError(
            f"The journal {journal.path} has no audit log yet (version {journal.schema_version}): "
            "open the till (or run `pos recover`) once to upgrade it."
        )


def entries(
    journal: Journal,
    *,
    actor: str | None = None,
    actions: Sequence[str] = (),
    after_seq: int = 0,
) -> list[AuditEntry]:
    """Rows after ``after_seq``, oldest first, optionally of one actor and some actions."""
    db = journal._db
    _require_audit(db, journal)
    where: list[str] = ["seq > ?"]
    args: list[object] = [after_seq]
    if actor is not None:
        where.append("actor = ?")
        args.append(actor)
    if actions:
        where.append(f"action IN ({', '.join('?' * len(actions))})")
        args.extend(actions)
    rows = db.execute(f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY seq", args)
    return [_entry(row) for row in rows.fetchall()]


def newest(journal: Journal, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` rows, oldest of them first."""
    db = journal._db
    _require_audit(db, journal)
    rows = db.execute("SELECT * FROM audit ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
    return [_entry(row) for row in reversed(rows)]


def last_seq(journal: Journal, *, actor: str, actions: Sequence[str]) -> int:
    """The newest row of ``actor`` with one of ``actions`` (0: none)."""
    db = journal._db
    _require_audit(db, journal)
    marks = ", ".join("?" * len(actions))
    row = db.execute(
        f"SELECT COALESCE(MAX(seq), 0) FROM audit WHERE actor = ? AND action IN ({marks})",
        (actor, *actions),
    ).fetchone()
    return int(row[0])


def chain_head(journal: Journal) -> AuditEntry | None:
    """The newest row: its hash is what a Z report prints."""
    db = journal._db
    _require_audit(db, journal)
    row = db.execute("SELECT * FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else _entry(row)


def _entry(row: sqlite3.Row | tuple[Any, ...]) -> AuditEntry:
    seq, at, actor, action, details, source, prev_hash, digest = tuple(row)
    return AuditEntry(
        int(seq), str(at), str(actor), str(action), json.loads(details), source, prev_hash, digest
    )


# --- verifying -------------------------------------------------------------------------------


def normalized_head(head: str) -> str:
    """A head as printed on a Z: hex digits (at least 16), any case, spaces and dashes ignored."""
    cleaned = head.strip().lower().replace(" ", "").replace("-", "")
    if not (_HEX.fullmatch(cleaned) and MIN_HEAD_DIGITS <= len(cleaned) <= 64):
        raise AuditError(
            f"A chain head is {MIN_HEAD_DIGITS} to 64 hex digits (0-9, a-f), as printed on the Z."
        )
    return cleaned


def verify(journal: Journal, head: str | None = None) -> ChainReport:
    """Walk the chain from the first row; name the first broken link; find ``head`` in it.

    Read-only: runs beside the open till on a read-only journal. Deleting rows from the tail
    leaves a shorter chain that still links up, so only a head read off paper (a Z) finds it.
    """
    wanted = normalized_head(head) if head is not None else None
    db = journal._db
    _require_audit(db, journal)
    db.execute("BEGIN")  # one snapshot, even while the till appends
    try:
        report = _walk(db, wanted)
        present = {
            str(name)
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    finally:
        db.execute("COMMIT")
    missing = tuple(name for name in TRIGGERS if name not in present)
    return ChainReport(
        report.rows,
        report.head,
        report.broken_at,
        report.problem,
        report.head_seq,
        missing,
    )


def _walk(db: sqlite3.Connection, wanted: str | None) -> ChainReport:
    prev_seq, prev_hash, head_seq, rows = 0, GENESIS, None, 0
    cursor = db.execute(
        "SELECT seq, at, actor, action, details, source, prev_hash, hash FROM audit ORDER BY seq"
    )
    for seq, at, actor, action, details, source, stored_prev, stored_hash in cursor:
        rows += 1
        problem = _link_problem(
            prev_seq, prev_hash, seq, at, actor, action, details, source, stored_prev, stored_hash
        )
        if problem:
            return ChainReport(rows, prev_hash if prev_seq else None, int(seq), problem)
        if wanted is not None and head_seq is None and str(stored_hash).startswith(wanted):
            head_seq = int(seq)
        prev_seq, prev_hash = int(seq), str(stored_hash)
    head = prev_hash if prev_seq else None
    if wanted is not None and head_seq is None:
        return ChainReport(
            rows,
            head,
            None,
            f"The head from the Z ({wanted}) is not in the chain: rows were deleted from its "
            "tail, or the chain was rewritten, after that Z was printed.",
        )
    return ChainReport(rows, head, head_seq=head_seq)


def _link_problem(
    prev_seq: int,
    prev_hash: str,
    seq: Any,
    at: Any,
    actor: Any,
    action: Any,
    details: Any,
    source: Any,
    stored_prev: Any,
    stored_hash: Any,
) -> str:
    if seq != prev_seq + 1:
        return f"Row {prev_seq + 1} is missing: the chain jumps from row {prev_seq} to row {seq}."
    if stored_prev != prev_hash:
        return f"Row {seq} does not link to row {prev_seq}: its previous hash is not that row's."
    try:
        parsed = json.loads(details)
        recomputed = row_hash(
            prev_hash,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            details=parsed,
            source=source,
        )
    except (TypeError, ValueError, RecursionError):
        return f"Row {seq} cannot be read back: its details are not JSON."
    if recomputed != stored_hash:
        return f"Row {seq} was changed after it was written: its hash does not match its content."
    return ""
