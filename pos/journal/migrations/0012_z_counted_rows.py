"""Step: which voids, ended payments and refunds each Z counted (``z_counted``), so each counts
in exactly one Z whatever the clock did.

Paid sales (by receipt number) and cash movements (stamped with their Z) never depended on the
clock; voids, payment attempts ended without money and refunds were taken by time after the
last Z's close, so a clock stepped back (NTP after a fast clock) left them in no Z at all. Now a
Z stamps each row it counted here, and the next period is every such row not stamped yet.

Rows the Zs before this step counted are stamped with the Z whose time window held them, so no
old row is counted twice. Append-only: triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import sqlite3

Z_COUNTED = """
CREATE TABLE z_counted (
    kind     TEXT    NOT NULL CHECK (kind IN ('void', 'ending', 'refund')),
    row_id   INTEGER NOT NULL,
    z_number INTEGER NOT NULL REFERENCES z_reports(number),
    PRIMARY KEY (kind, row_id)
)
"""
NO_UPDATE = """
CREATE TRIGGER z_counted_never_changed BEFORE UPDATE ON z_counted
BEGIN SELECT RAISE(ABORT, 'what a Z counted is never changed'); END
"""
NO_DELETE = """
CREATE TRIGGER z_counted_never_deleted BEFORE DELETE ON z_counted
BEGIN SELECT RAISE(ABORT, 'what a Z counted is never deleted'); END
"""
ENDINGS = "('CANCELLED', 'DECLINED', 'FAILED', 'ABANDONED', 'UNKNOWN_ABANDONED')"


def _refund_time(db: sqlite3.Connection) -> str | None:
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(refunds)")}
    if not columns:
        return None
    return "done_at" if "done_at" in columns else "updated_at"


def apply(db: sqlite3.Connection) -> None:
    db.execute(Z_COUNTED)
    db.execute(NO_UPDATE)
    db.execute(NO_DELETE)
    refund_time = _refund_time(db)
    after = ""
    for number, closed_at in db.execute(
        "SELECT number, closed_at FROM z_reports ORDER BY number"
    ).fetchall():
        window = (number, after, closed_at)
        db.execute(
            "INSERT OR IGNORE INTO z_counted (kind, row_id, z_number) SELECT 'void', id, ? "
            "FROM sales WHERE status = 'voided' AND status_at > ? AND status_at <= ?",
            window,
        )
        db.execute(
            "INSERT OR IGNORE INTO z_counted (kind, row_id, z_number) SELECT 'ending', id, ? "
            f"FROM attempts WHERE phase IN {ENDINGS} AND updated_at > ? AND updated_at <= ?",
            window,
        )
        if refund_time is not None:
            db.execute(
                "INSERT OR IGNORE INTO z_counted (kind, row_id, z_number) SELECT 'refund', id, ? "
                f"FROM refunds WHERE status = 'DONE' AND {refund_time} > ? "
                f"AND {refund_time} <= ?",
                window,
            )
        after = closed_at
