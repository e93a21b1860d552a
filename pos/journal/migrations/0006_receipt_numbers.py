"""Step 0006: a gapless receipt number for every paid sale, separate from the sale's row id.

New numbers are taken inside the commit that marks a sale paid (``pos.journal.tenders``), so a
rolled-back payment never burns one. v1 paid sales are numbered 1, 2, … in order of
``paid_at`` (then id, for equal stamps), which is the order their receipts were printed.
"""

from __future__ import annotations

import sqlite3


def apply(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE sales ADD COLUMN receipt_no INTEGER CHECK (receipt_no > 0)")
    db.execute(
        "CREATE UNIQUE INDEX sales_by_receipt_no ON sales (receipt_no) WHERE receipt_no IS NOT NULL"
    )
    paid = db.execute(
        "SELECT id FROM sales WHERE status = 'paid' ORDER BY COALESCE(paid_at, created_at), id"
    ).fetchall()
    for number, (sale_id,) in enumerate(paid, start=1):
        db.execute("UPDATE sales SET receipt_no = ? WHERE id = ?", (number, sale_id))
