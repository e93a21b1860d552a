"""Netgíró refunds in the journal: journaled before the call, finished once, settled by a manager.

Every change commits together with its audit row (pos.journal.audit), so the refund table and
the chain never disagree. The schema (step 0008) refuses refunds above what the payment took,
backward status moves, and changes to what a refund asked for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pos.core.refund_plan import BY_HAND
from pos.journal.audit import append_in, utc_text
from pos.journal.errors import JournalError
from pos.journal.health import translate

if TYPE_CHECKING:
    from pos.journal.store import Journal

RefundStatus = Literal["REQUESTED", "DONE", "REFUND_UNKNOWN", "FAILED"]
FinishedStatus = Literal["DONE", "REFUND_UNKNOWN", "FAILED"]
SettledStatus = Literal["DONE", "FAILED"]
_AUDIT_ACTION = {
    "DONE": "refund.done",
    "FAILED": "refund.failed",
    "REFUND_UNKNOWN": "refund.unknown",
}


class RefundRefused(JournalError):
    """The journal refuses this refund (nothing to refund, too much, wrong status)."""

    title = "Refund"


@dataclass(frozen=True)
class PaidByNetgiro:
    """The Netgíró payment of a sale a refund goes back to, and what is left of it."""

    sale_id: int
    attempt_id: int
    transaction_id: str
    amount: int
    left: int


@dataclass(frozen=True)
class RefundRecord:
    id: int
    sale_id: int
    attempt_id: int | None
    transaction_id: str | None
    amount: int
    idempotency_key: str
    reason: str
    manager: str
    status: RefundStatus
    note: str
    settled_by: str | None
    created_at: str
    updated_at: str
    tender: str = "netgiro"
    slip_id: int | None = None
    done_at: str | None = None


@contextmanager
def _writing(journal: Journal, point: str) -> Iterator[sqlite3.Connection]:
    try:
        with journal._commit(point) as db:
            yield db
    except sqlite3.IntegrityError as exc:
        raise RefundRefused(_refusal(str(exc))) from exc
    except (sqlite3.Error, OSError) as exc:
        raise translate(journal.path, exc) from exc


def _refusal(said: str) -> str:
    if "exceed" in said:
        return "That is more than is left of the Netgíró payment; nothing was sent."
    if "UNIQUE" in said:
        return "That idempotency key was used before; nothing was sent."
    return f"The journal refused the refund ({said}); nothing was sent."


DOUBLE_CHARGE = (
    "(a.phase = 'NEEDS_REVIEW' AND EXISTS (SELECT 1 FROM attempt_events e "
    "WHERE e.attempt_id = a.id AND e.event LIKE '%+double!_charge' ESCAPE '!'))"
)
"""A second payment on a paid sale, kept NEEDS_REVIEW: no tender of the sale; a manager refunds
it by its reference (``pos refund send SALE AMOUNT --payment REF``)."""

TAKEN_AS_TENDER = (
    "EXISTS (SELECT 1 FROM tenders t WHERE t.attempt_id = a.id AND t.kind = 'netgiro' "
    "AND t.status = 'taken')"
)
"""The attempt's money counts toward its sale: PAID, or settled paid by a manager."""

REFUNDABLE = (
    f"(a.transaction_id IS NOT NULL AND (a.phase = 'PAID' OR {TAKEN_AS_TENDER} OR {DOUBLE_CHARGE}))"
)
"""A Netgíró payment money can go back to, the one rule for every refund (the journal's trigger
``refunds_within_payment``, step 0015, keeps the same): Netgíró holds it under a TransactionId,
and it was PAID, or its tender is taken (a NEEDS_REVIEW or UNKNOWN_ABANDONED payment a manager
settled paid after reading the portal), or it is a double charge. A payment settled paid without
a TransactionId has nothing the Partner API can refund: its money goes back in Netgíró's portal."""


def netgiro_payments(journal: Journal, sale_id: int) -> list[PaidByNetgiro]:
    """Every Netgíró payment of the sale that money can go back to, oldest first."""
    rows = journal._db.execute(
        "SELECT a.id, a.transaction_id, a.amount, COALESCE((SELECT SUM(r.amount) FROM refunds r "
        "WHERE r.attempt_id = a.id AND r.status <> 'FAILED'), 0) AS taken "
        f"FROM attempts a WHERE a.sale_id = ? AND {REFUNDABLE} ORDER BY a.id",
        (sale_id,),
    ).fetchall()
    return [
        PaidByNetgiro(sale_id, r["id"], r["transaction_id"], r["amount"], r["amount"] - r["taken"])
        for r in rows
    ]


def netgiro_payment(journal: Journal, sale_id: int, reference: str | None = None) -> PaidByNetgiro:
    """The payment a refund goes back to: the one with ``reference``, else the sale's own (its
    Netgíró tender: PAID, or settled paid by a manager)."""
    sale = journal._db.execute("SELECT status FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if sale is None:
        raise RefundRefused(f"Sale {sale_id} is not in the journal.")
    payments = {p.attempt_id: p for p in netgiro_payments(journal, sale_id)}
    if reference is not None:
        attempt = journal.attempt_by_reference(reference)
        if attempt is None or attempt.sale_id != sale_id or attempt.id not in payments:
            raise RefundRefused(
                f"Payment {reference} is not a paid Netgíró payment of sale {sale_id}."
            )
        return payments[attempt.id]
    own = [p for p in payments.values() if not _double_charge(journal, p.attempt_id)]
    if sale["status"] == "paid" and own:
        return own[0]
    if sale["status"] == "paid" and _settled_by_hand(journal, sale_id):
        raise RefundRefused(f"Sale {sale_id}: {BY_HAND}")
    raise RefundRefused(f"Sale {sale_id} has no paid Netgíró payment to refund.")


def _double_charge(journal: Journal, attempt_id: int) -> bool:
    found = journal._db.execute(
        f"SELECT 1 FROM attempts a WHERE a.id = ? AND {DOUBLE_CHARGE}", (attempt_id,)
    ).fetchone()
    return found is not None


def _settled_by_hand(journal: Journal, sale_id: int) -> bool:
    """A Netgíró tender of the sale is taken with no TransactionId: only the portal refunds it."""
    found = journal._db.execute(
        f"SELECT 1 FROM attempts a WHERE a.sale_id = ? AND a.transaction_id IS NULL "
        f"AND {TAKEN_AS_TENDER}",
        (sale_id,),
    ).fetchone()
    return found is not None


def request_refund(
    journal: Journal,
    *,
    sale_id: int,
    amount: int,
    reason: str,
    manager: str,
    idempotency_key: str,
    at: datetime,
    reference: str | None = None,
) -> RefundRecord:
    """Journal a refund as REQUESTED, with its audit row, before anything is sent.

    ``reference`` picks the payment (a double charge's); by default the sale's paid one.
    """
    paid = netgiro_payment(journal, sale_id, reference)
    if amount > paid.left:
        raise RefundRefused(
            f"Sale {sale_id}: {amount} kr. is more than is left of its Netgíró payment "
            f"({paid.left} kr.); nothing was sent."
        )
    stamp = utc_text(at)
    with _writing(journal, "journal.refund_requested") as db:
        cursor = db.execute(
            "INSERT INTO refunds (sale_id, attempt_id, transaction_id, amount, idempotency_key, "
            "reason, manager, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sale_id,
                paid.attempt_id,
                paid.transaction_id,
                amount,
                idempotency_key,
                reason,
                manager,
                stamp,
                stamp,
            ),
        )
        refund_id = int(cursor.lastrowid or 0)
        details = {
            "refund_id": refund_id,
            "sale_id": sale_id,
            "transaction_id": paid.transaction_id,
            "amount": amount,
            "idempotency_key": idempotency_key,
            "reason": reason,
        }
        append_in(db, manager, "refund.requested", details, at=stamp)
    return refund(journal, refund_id)


def finish_refund(
    journal: Journal, refund_id: int, status: FinishedStatus, note: str, *, at: datetime
) -> RefundRecord:
    """What the call gave: DONE, FAILED or REFUND_UNKNOWN; only a REQUESTED refund finishes."""
    before = refund(journal, refund_id)
    if before.status != "REQUESTED":
        raise RefundRefused(f"Refund {refund_id} is {before.status}, not REQUESTED.")
    stamp = utc_text(at)
    with _writing(journal, "journal.refund_finished") as db:
        db.execute(
            "UPDATE refunds SET status = ?, note = ?, updated_at = ?, done_at = ? "
            "WHERE id = ? AND status = 'REQUESTED'",
            (status, note, stamp, stamp if status == "DONE" else None, refund_id),
        )
        append_in(db, before.manager, _AUDIT_ACTION[status], _details(before, note), at=stamp)
    return refund(journal, refund_id)


def settle_refund(
    journal: Journal,
    refund_id: int,
    outcome: SettledStatus,
    manager: str,
    note: str,
    *,
    at: datetime,
) -> RefundRecord:
    """A manager records what Netgíró's portal shows for a REFUND_UNKNOWN refund."""
    before = refund(journal, refund_id)
    if before.status != "REFUND_UNKNOWN":
        raise RefundRefused(
            f"Refund {refund_id} is {before.status}: only an unknown refund is settled by hand."
        )
    if not note.strip():
        raise RefundRefused("Say what Netgíró's portal shows: it is written with the change.")
    stamp = utc_text(at)
    with _writing(journal, "journal.refund_settled") as db:
        db.execute(
            "UPDATE refunds SET status = ?, note = ?, settled_by = ?, updated_at = ?, done_at = ? "
            "WHERE id = ? AND status = 'REFUND_UNKNOWN'",
            (
                outcome,
                note.strip(),
                manager,
                stamp,
                stamp if outcome == "DONE" else None,
                refund_id,
            ),
        )
        details = {**_details(before, note.strip()), "outcome": outcome}
        append_in(db, manager, "refund.settled", details, at=stamp)
    return refund(journal, refund_id)


CASH_NOT_PAID = "The till stopped before the cash was paid out: no cash left the drawer."


def requested_to_unknown(journal: Journal, *, at: datetime) -> list[RefundRecord]:
    """REQUESTED refunds left by a crash. A Netgíró call may have gone: REFUND_UNKNOWN. Cash is
    paid out only after the refund's final commit, so a REQUESTED cash refund paid nothing:
    FAILED."""
    stale = refunds(journal, status="REQUESTED")
    note = "The till stopped between journaling the refund and hearing Netgíró's answer."
    return [
        finish_refund(journal, r.id, "FAILED", CASH_NOT_PAID, at=at)
        if r.tender == "cash"
        else finish_refund(journal, r.id, "REFUND_UNKNOWN", note, at=at)
        for r in stale
    ]


def _details(record: RefundRecord, note: str) -> dict[str, object]:
    return {
        "refund_id": record.id,
        "sale_id": record.sale_id,
        "transaction_id": record.transaction_id,
        "amount": record.amount,
        "note": note,
    }


def has_refunds(journal: Journal) -> bool:
    """Whether this journal has the refunds table (a read-only opener may meet an older one)."""
    found = journal._db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refunds'"
    ).fetchone()
    return found is not None


def refund(journal: Journal, refund_id: int) -> RefundRecord:
    found = _select(journal, "WHERE id = ?", (refund_id,))
    if not found:
        raise RefundRefused(f"Refund {refund_id} is not in the journal.")
    return found[0]


def refunds(
    journal: Journal, *, sale_id: int | None = None, status: RefundStatus | None = None
) -> list[RefundRecord]:
    where: list[str] = []
    args: list[object] = []
    if sale_id is not None:
        where.append("sale_id = ?")
        args.append(sale_id)
    if status is not None:
        where.append("status = ?")
        args.append(status)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return _select(journal, clause, tuple(args))


def _select(journal: Journal, where: str, args: tuple[object, ...]) -> list[RefundRecord]:
    rows = journal._db.execute(f"SELECT * FROM refunds {where} ORDER BY id", args).fetchall()
    return [record_of_row(r) for r in rows]


def record_of_row(r: sqlite3.Row) -> RefundRecord:
    """One row; a journal before step 0010 has Netgíró refunds by amount only."""
    keys = r.keys()
    return RefundRecord(
        r["id"],
        r["sale_id"],
        r["attempt_id"],
        r["transaction_id"],
        r["amount"],
        r["idempotency_key"],
        r["reason"],
        r["manager"],
        r["status"],
        r["note"],
        r["settled_by"],
        r["created_at"],
        r["updated_at"],
        r["tender"] if "tender" in keys else "netgiro",
        r["slip_id"] if "slip_id" in keys else None,
        r["done_at"] if "done_at" in keys else (r["updated_at"] if r["status"] == "DONE" else None),
    )
