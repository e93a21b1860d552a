"""Sales get the statuses of TILL-CONTRACTS.md: open, parked, paid, unpaid, unknown, manager, voided.

Version 1 knew only open, paid and cancelled, and left a sale whose attempts all failed ``open``
for ever. Each sale's status is derived again from its attempts: paid if any attempt is PAID,
else from its newest attempt's final phase; a sale with a live attempt stays open.
"""

from __future__ import annotations

import sqlite3

SALES_V2 = """
CREATE TABLE sales_v2 (
    id          INTEGER PRIMARY KEY,
    register_id TEXT    NOT NULL,
    total       INTEGER NOT NULL CHECK (total > 0),
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'parked', 'paid', 'unpaid', 'unknown', 'manager', 'voided')),
    created_at  TEXT    NOT NULL,
    paid_at     TEXT,
    status_at   TEXT
)
"""

DERIVED_STATUS = """
CASE
    WHEN s.status = 'paid' OR EXISTS (
        SELECT 1 FROM attempts a WHERE a.sale_id = s.id AND a.phase = 'PAID') THEN 'paid'
    WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.sale_id = s.id AND a.live = 1) THEN 'open'
    ELSE COALESCE((
        SELECT CASE a.phase
            WHEN 'UNKNOWN_ABANDONED' THEN 'unknown'
            WHEN 'RESERVED_UNCHARGED' THEN 'manager'
            WHEN 'NEEDS_REVIEW' THEN 'manager'
            ELSE 'unpaid' END
        FROM attempts a WHERE a.sale_id = s.id ORDER BY a.attempt_no DESC LIMIT 1), 'open')
END
"""


def apply(db: sqlite3.Connection) -> None:
    db.execute(SALES_V2)
    db.execute(
        "INSERT INTO sales_v2 (id, register_id, total, status, created_at, paid_at, status_at) "
        f"SELECT s.id, s.register_id, s.total, {DERIVED_STATUS}, s.created_at, s.paid_at, "
        "COALESCE(s.paid_at, s.created_at) FROM sales s"
    )
    db.execute("DROP TABLE sales")
    db.execute("ALTER TABLE sales_v2 RENAME TO sales")
    db.execute("CREATE INDEX sales_by_status ON sales (status)")
    db.execute("CREATE INDEX IF NOT EXISTS callbacks_by_transaction ON callbacks (transaction_id)")
    db.execute("CREATE INDEX IF NOT EXISTS callbacks_by_reference ON callbacks (reference)")
    db.execute("CREATE INDEX IF NOT EXISTS attempts_by_sale ON attempts (sale_id)")
