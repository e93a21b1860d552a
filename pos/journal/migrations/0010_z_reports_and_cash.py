"""Step: Z reports (numbered, gapless, never changed) and cash movements (float, paid-in/out, no-sale).

A Z row keeps what was printed: the period, the blind count, the expected cash, the audit chain
head at close and the whole report as JSON, so ``pos report z N`` shows the same numbers years
later whatever happens to the code. ``last_receipt_no`` is the period's watermark: a paid sale
belongs to the Z whose range holds its receipt number, which is taken in the paid commit, in
the order of ``paid_at`` (a clock stepping back cannot move a sale into a closed Z).

A cash movement is written once; closing a Z stamps its ``z_number``, and from then on the row
is frozen. Triggers keep both rules, so changing the past needs a person who drops them first.
"""

from __future__ import annotations

import sqlite3

Z_REPORTS = """
CREATE TABLE z_reports (
    number          INTEGER PRIMARY KEY CHECK (number > 0),
    opened_at       TEXT    NOT NULL,
    closed_at       TEXT    NOT NULL CHECK (closed_at >= opened_at),
    last_receipt_no INTEGER NOT NULL CHECK (last_receipt_no >= 0),
    counted         INTEGER NOT NULL CHECK (counted >= 0),
    expected        INTEGER NOT NULL,
    over_short      INTEGER NOT NULL CHECK (over_short = counted - expected),
    audit_head      TEXT    NOT NULL,
    manager         TEXT    NOT NULL CHECK (length(manager) > 0),
    snapshot        TEXT    NOT NULL
)
"""
Z_GAPLESS = """
CREATE TRIGGER z_reports_gapless BEFORE INSERT ON z_reports
WHEN NEW.number <> 1 + COALESCE((SELECT MAX(number) FROM z_reports), 0)
BEGIN SELECT RAISE(ABORT, 'Z reports are numbered 1, 2, 3 … without a gap'); END
"""
Z_NO_UPDATE = """
CREATE TRIGGER z_reports_never_changed BEFORE UPDATE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a closed Z report is never changed'); END
"""
Z_NO_DELETE = """
CREATE TRIGGER z_reports_never_deleted BEFORE DELETE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a closed Z report is never deleted'); END
"""
CASH_MOVEMENTS = """
CREATE TABLE cash_movements (
    id       INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL CHECK (kind IN ('float', 'paid_in', 'paid_out', 'no_sale')),
    amount   INTEGER NOT NULL CHECK (amount >= 0),
    reason   TEXT    NOT NULL DEFAULT '' CHECK (length(reason) <= 100),
    who      TEXT    NOT NULL CHECK (length(who) > 0),
    at       TEXT    NOT NULL,
    z_number INTEGER REFERENCES z_reports(number),
    CHECK ((kind = 'no_sale') = (amount = 0)),
    CHECK (kind NOT IN ('paid_in', 'paid_out') OR length(trim(reason)) > 0)
)
"""
CASH_FROZEN = """
CREATE TRIGGER cash_movements_frozen BEFORE UPDATE ON cash_movements
WHEN OLD.z_number IS NOT NULL
  OR NEW.z_number IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.amount IS NOT OLD.amount
  OR NEW.reason IS NOT OLD.reason OR NEW.who IS NOT OLD.who OR NEW.at IS NOT OLD.at
BEGIN SELECT RAISE(ABORT, 'a cash movement is never changed; only its Z is stamped, once'); END
"""
CASH_NO_DELETE = """
CREATE TRIGGER cash_movements_never_deleted BEFORE DELETE ON cash_movements
BEGIN SELECT RAISE(ABORT, 'a cash movement is never deleted'); END
"""


def apply(db: sqlite3.Connection) -> None:
    db.execute(Z_REPORTS)
    db.execute(CASH_MOVEMENTS)
    for trigger in (Z_GAPLESS, Z_NO_UPDATE, Z_NO_DELETE, CASH_FROZEN, CASH_NO_DELETE):
        db.execute(trigger)
    db.execute("CREATE INDEX cash_movements_open ON cash_movements (z_number, at)")
    db.execute("CREATE INDEX sales_by_status_at ON sales (status, status_at)")
    db.execute("CREATE INDEX attempts_by_updated ON attempts (updated_at)")
