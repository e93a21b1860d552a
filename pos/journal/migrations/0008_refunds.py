"""Netgíró refunds: each journaled with its idempotency key BEFORE the Partner API call.

Statuses: REQUESTED (journaled, the call about to go) -> DONE (HTTP 200) | FAILED (not sent, or
a well-formed no) | REFUND_UNKNOWN (the answer was lost; never resent by itself); a manager
settles REFUND_UNKNOWN as DONE or FAILED from what Netgíró's portal shows. Triggers keep the
rules: refunds of one payment (a PAID attempt, or a double charge: a second PAID on a paid
sale, kept NEEDS_REVIEW) never add up to more than it took (FAILED ones took nothing), a
status only moves forward, and what was asked for never changes.
"""

from __future__ import annotations

import sqlite3

REFUNDS = """
CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY,
    sale_id         INTEGER NOT NULL REFERENCES sales(id),
    attempt_id      INTEGER NOT NULL REFERENCES attempts(id),
    transaction_id  TEXT    NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    idempotency_key TEXT    NOT NULL UNIQUE,
    reason          TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 100),
    manager         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'REQUESTED'
                    CHECK (status IN ('REQUESTED', 'DONE', 'REFUND_UNKNOWN', 'FAILED')),
    note            TEXT    NOT NULL DEFAULT '',
    settled_by      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
)
"""
WITHIN_PAYMENT = """
CREATE TRIGGER refunds_within_payment BEFORE INSERT ON refunds
WHEN NEW.amount + COALESCE((SELECT SUM(r.amount) FROM refunds r
                            WHERE r.attempt_id = NEW.attempt_id AND r.status <> 'FAILED'), 0)
     > COALESCE((SELECT a.amount FROM attempts a
                 WHERE a.id = NEW.attempt_id AND a.sale_id = NEW.sale_id
                   AND a.transaction_id = NEW.transaction_id
                   AND (a.phase = 'PAID' OR (a.phase = 'NEEDS_REVIEW' AND EXISTS (
                        SELECT 1 FROM attempt_events e WHERE e.attempt_id = a.id
                        AND e.event LIKE '%+double!_charge' ESCAPE '!')))), 0)
BEGIN SELECT RAISE(ABORT, 'refunds would exceed what the payment took'); END
"""
FORWARD_ONLY = """
CREATE TRIGGER refunds_status_forward BEFORE UPDATE OF status ON refunds
WHEN NOT (OLD.status = NEW.status
          OR (OLD.status = 'REQUESTED' AND NEW.status IN ('DONE', 'REFUND_UNKNOWN', 'FAILED'))
          OR (OLD.status = 'REFUND_UNKNOWN' AND NEW.status IN ('DONE', 'FAILED')))
BEGIN SELECT RAISE(ABORT, 'a refund status only moves forward'); END
"""
FIXED = """
CREATE TRIGGER refunds_fixed BEFORE UPDATE OF sale_id, attempt_id, transaction_id, amount,
    idempotency_key, reason, manager, created_at ON refunds
BEGIN SELECT RAISE(ABORT, 'what a refund asked for never changes'); END
"""
NO_DELETE = """
CREATE TRIGGER refunds_never_deleted BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END
"""


def apply(db: sqlite3.Connection) -> None:
    db.execute(REFUNDS)
    for statement in (WITHIN_PAYMENT, FORWARD_ONLY, FIXED, NO_DELETE):
        db.execute(statement)
    db.execute("CREATE INDEX refunds_by_sale ON refunds (sale_id)")
    db.execute("CREATE INDEX refunds_by_status ON refunds (status)")
