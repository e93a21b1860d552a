"""Refunds by line and quantity, and cash refunds from the drawer.

- ``refunds`` is rebuilt (SQLite cannot relax NOT NULL in place) with ``tender`` ('netgiro' or
  'cash': a cash refund has no attempt and no TransactionId, and is never REFUND_UNKNOWN: the
  till pays it out itself), ``slip_id`` (the manager's one refund action, printed as one slip)
  and ``done_at`` (when its money went back: the Z of that day counts it). Old rows keep their
  ids and become Netgíró refunds without lines (``done_at`` = their last change if DONE).
- ``refund_slips``: one row per refund action (sale, manager, reason); never changed.
- ``refund_lines``: which sold line, how many thousandths, the gross krónur and the line's VAT
  rate, for each tender's refund row (a line split between tenders has one row per tender).

What the triggers keep, whatever writes the rows (raw SQL included):

- per tender, never more than it took: a Netgíró refund within its payment (as step 0008),
  cash refunds of a sale within the cash it took net of change (``tenders.amount``); FAILED
  refunds took nothing back;
- per line, never more than was sold net of earlier refunds, at the line's own VAT rate and
  of the refund's own sale; lines only join a refund while it is REQUESTED;
- a refund is DONE only when its lines (if any) add up to its amount;
- statuses move forward only; what was asked for never changes; a finished refund (DONE,
  FAILED) never changes; nothing is deleted.
"""

from __future__ import annotations

import sqlite3

SLIPS = """
CREATE TABLE refund_slips (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER NOT NULL REFERENCES sales(id),
    manager    TEXT    NOT NULL,
    reason     TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 100),
    created_at TEXT    NOT NULL
)
"""
REFUNDS = """
CREATE TABLE refunds_v10 (
    id              INTEGER PRIMARY KEY,
    sale_id         INTEGER NOT NULL REFERENCES sales(id),
    tender          TEXT    NOT NULL DEFAULT 'netgiro' CHECK (tender IN ('netgiro', 'cash')),
    attempt_id      INTEGER REFERENCES attempts(id),
    transaction_id  TEXT,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    idempotency_key TEXT    NOT NULL UNIQUE,
    reason          TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 100),
    manager         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'REQUESTED'
                    CHECK (status IN ('REQUESTED', 'DONE', 'REFUND_UNKNOWN', 'FAILED')),
    note            TEXT    NOT NULL DEFAULT '',
    settled_by      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    slip_id         INTEGER REFERENCES refund_slips(id),
    done_at         TEXT,
    CHECK ((tender = 'netgiro' AND attempt_id IS NOT NULL AND transaction_id IS NOT NULL)
        OR (tender = 'cash' AND attempt_id IS NULL AND transaction_id IS NULL
            AND status <> 'REFUND_UNKNOWN')),
    CHECK ((status = 'DONE') = (done_at IS NOT NULL))
)
"""
COPY = """
INSERT INTO refunds_v10 (id, sale_id, tender, attempt_id, transaction_id, amount,
    idempotency_key, reason, manager, status, note, settled_by, created_at, updated_at,
    slip_id, done_at)
SELECT id, sale_id, 'netgiro', attempt_id, transaction_id, amount, idempotency_key, reason,
    manager, status, note, settled_by, created_at, updated_at, NULL,
    CASE WHEN status = 'DONE' THEN updated_at END
FROM refunds ORDER BY id
"""
LINES = """
CREATE TABLE refund_lines (
    refund_id      INTEGER NOT NULL REFERENCES refunds(id),
    sale_id        INTEGER NOT NULL,
    line_no        INTEGER NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli >= 0),
    gross          INTEGER NOT NULL CHECK (gross >= 0),
    vat_rate       INTEGER NOT NULL CHECK (vat_rate BETWEEN 0 AND 100),
    CHECK (quantity_milli > 0 OR gross > 0),
    PRIMARY KEY (refund_id, line_no),
    FOREIGN KEY (sale_id, line_no) REFERENCES sale_lines(sale_id, line_no)
)
"""
NOT_FAILED = "r.status <> 'FAILED'"
NETGIRO_WITHIN_PAYMENT = f"""
CREATE TRIGGER refunds_within_payment BEFORE INSERT ON refunds
WHEN NEW.tender = 'netgiro'
 AND NEW.amount + COALESCE((SELECT SUM(r.amount) FROM refunds r
                            WHERE r.attempt_id = NEW.attempt_id AND {NOT_FAILED}), 0)
     > COALESCE((SELECT a.amount FROM attempts a
                 WHERE a.id = NEW.attempt_id AND a.sale_id = NEW.sale_id
                   AND a.transaction_id = NEW.transaction_id
                   AND (a.phase = 'PAID' OR (a.phase = 'NEEDS_REVIEW' AND EXISTS (
                        SELECT 1 FROM attempt_events e WHERE e.attempt_id = a.id
                        AND e.event LIKE '%+double!_charge' ESCAPE '!')))), 0)
BEGIN SELECT RAISE(ABORT, 'refunds would exceed what the payment took'); END
"""
CASH_WITHIN_CASH = f"""
CREATE TRIGGER refunds_within_cash BEFORE INSERT ON refunds
WHEN NEW.tender = 'cash'
 AND NEW.amount + COALESCE((SELECT SUM(r.amount) FROM refunds r
                            WHERE r.sale_id = NEW.sale_id AND r.tender = 'cash'
                              AND {NOT_FAILED}), 0)
     > COALESCE((SELECT SUM(t.amount) FROM tenders t
                 WHERE t.sale_id = NEW.sale_id AND t.kind = 'cash' AND t.status = 'taken'), 0)
BEGIN SELECT RAISE(ABORT, 'cash refunds would exceed the cash the sale took'); END
"""
FORWARD_ONLY = """
CREATE TRIGGER refunds_status_forward BEFORE UPDATE OF status ON refunds
WHEN NOT (OLD.status = NEW.status
          OR (OLD.status = 'REQUESTED' AND NEW.status IN ('DONE', 'REFUND_UNKNOWN', 'FAILED'))
          OR (OLD.status = 'REFUND_UNKNOWN' AND NEW.status IN ('DONE', 'FAILED')))
BEGIN SELECT RAISE(ABORT, 'a refund status only moves forward'); END
"""
FIXED = """
CREATE TRIGGER refunds_fixed BEFORE UPDATE OF sale_id, tender, attempt_id, transaction_id,
    amount, idempotency_key, reason, manager, created_at, slip_id ON refunds
BEGIN SELECT RAISE(ABORT, 'what a refund asked for never changes'); END
"""
FINISHED = """
CREATE TRIGGER refunds_finished_stay BEFORE UPDATE ON refunds
WHEN OLD.status IN ('DONE', 'FAILED') AND NEW.status = OLD.status
BEGIN SELECT RAISE(ABORT, 'a finished refund never changes'); END
"""
DONE_ADDS_UP = """
CREATE TRIGGER refunds_done_adds_up BEFORE UPDATE OF status ON refunds
WHEN NEW.status = 'DONE'
 AND EXISTS (SELECT 1 FROM refund_lines l WHERE l.refund_id = NEW.id)
 AND (SELECT SUM(l.gross) FROM refund_lines l WHERE l.refund_id = NEW.id) <> NEW.amount
BEGIN SELECT RAISE(ABORT, 'a refund''s lines must add up to its amount'); END
"""
NO_DELETE = """
CREATE TRIGGER refunds_never_deleted BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END
"""
LINE_OF_THE_SALE = """
CREATE TRIGGER refund_lines_of_the_sale BEFORE INSERT ON refund_lines
WHEN NOT EXISTS (SELECT 1 FROM refunds r JOIN sale_lines s
                   ON s.sale_id = r.sale_id AND s.line_no = NEW.line_no
                 WHERE r.id = NEW.refund_id AND r.sale_id = NEW.sale_id
                   AND r.status = 'REQUESTED' AND s.vat_rate = NEW.vat_rate)
BEGIN SELECT RAISE(ABORT, 'a refund line must be of the refund''s sale at its VAT rate, added while REQUESTED');
END
"""
LINE_WITHIN_SOLD = f"""
CREATE TRIGGER refund_lines_within_sold BEFORE INSERT ON refund_lines
WHEN NEW.quantity_milli + COALESCE((SELECT SUM(l.quantity_milli) FROM refund_lines l
                                    JOIN refunds r ON r.id = l.refund_id
                                    WHERE l.sale_id = NEW.sale_id AND l.line_no = NEW.line_no
                                      AND {NOT_FAILED}), 0)
     > (SELECT s.quantity_milli FROM sale_lines s
        WHERE s.sale_id = NEW.sale_id AND s.line_no = NEW.line_no)
  OR NEW.gross + COALESCE((SELECT SUM(l.gross) FROM refund_lines l
                           JOIN refunds r ON r.id = l.refund_id
                           WHERE l.sale_id = NEW.sale_id AND l.line_no = NEW.line_no
                             AND {NOT_FAILED}), 0)
     > (SELECT s.amount FROM sale_lines s
        WHERE s.sale_id = NEW.sale_id AND s.line_no = NEW.line_no)
  OR NEW.gross + COALESCE((SELECT SUM(l.gross) FROM refund_lines l
                           WHERE l.refund_id = NEW.refund_id), 0)
     > (SELECT r.amount FROM refunds r WHERE r.id = NEW.refund_id)
BEGIN SELECT RAISE(ABORT, 'refund lines would exceed what was sold'); END
"""
LINES_FIXED = """
CREATE TRIGGER refund_lines_fixed BEFORE UPDATE ON refund_lines
BEGIN SELECT RAISE(ABORT, 'refund lines never change'); END
"""
LINES_KEPT = """
CREATE TRIGGER refund_lines_never_deleted BEFORE DELETE ON refund_lines
BEGIN SELECT RAISE(ABORT, 'refund lines are never deleted'); END
"""
SLIPS_FIXED = """
CREATE TRIGGER refund_slips_fixed BEFORE UPDATE ON refund_slips
BEGIN SELECT RAISE(ABORT, 'a refund slip never changes'); END
"""
SLIPS_KEPT = """
CREATE TRIGGER refund_slips_never_deleted BEFORE DELETE ON refund_slips
BEGIN SELECT RAISE(ABORT, 'refund slips are never deleted'); END
"""
TRIGGERS = (
    NETGIRO_WITHIN_PAYMENT,
    CASH_WITHIN_CASH,
    FORWARD_ONLY,
    FIXED,
    FINISHED,
    DONE_ADDS_UP,
    NO_DELETE,
    LINE_OF_THE_SALE,
    LINE_WITHIN_SOLD,
    LINES_FIXED,
    LINES_KEPT,
    SLIPS_FIXED,
    SLIPS_KEPT,
)


def apply(db: sqlite3.Connection) -> None:
    db.execute(SLIPS)
    db.execute(REFUNDS)
    db.execute(COPY)
    # Dropping a table drops its triggers first, so the never-deleted trigger does not fire.
    db.execute("DROP TABLE refunds")
    db.execute("ALTER TABLE refunds_v10 RENAME TO refunds")
    db.execute(LINES)
    for statement in TRIGGERS:
        db.execute(statement)
    db.execute("CREATE INDEX refunds_by_sale ON refunds (sale_id)")
    db.execute("CREATE INDEX refunds_by_status ON refunds (status)")
    db.execute("CREATE INDEX refunds_by_done_at ON refunds (done_at) WHERE done_at IS NOT NULL")
    db.execute("CREATE INDEX refund_lines_by_sale_line ON refund_lines (sale_id, line_no)")
