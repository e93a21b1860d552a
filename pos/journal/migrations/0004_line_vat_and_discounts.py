"""Step 0004: each line's VAT rate and barcode; line and sale discounts (amount or %, with why).

v1 lines get the default rate 24 %: v1 could only ring a keyed amount, in the general rate.
``sale_lines.amount`` stays what the line costs after its own discount; ``discount_amount`` is
the krónur taken off its gross, so ``unit_price × quantity = amount + discount_amount``.
"""

from __future__ import annotations

import sqlite3

STEP = """
ALTER TABLE sale_lines ADD COLUMN vat_rate INTEGER NOT NULL DEFAULT 24
    CHECK (vat_rate BETWEEN 0 AND 100);
ALTER TABLE sale_lines ADD COLUMN barcode TEXT;
ALTER TABLE sale_lines ADD COLUMN discount_kind TEXT
    CHECK (discount_kind IN ('amount', 'percent'));
ALTER TABLE sale_lines ADD COLUMN discount_value INTEGER;
ALTER TABLE sale_lines ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0
    CHECK (discount_amount >= 0);
ALTER TABLE sale_lines ADD COLUMN discount_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sales ADD COLUMN discount_kind TEXT CHECK (discount_kind IN ('amount', 'percent'));
ALTER TABLE sales ADD COLUMN discount_value INTEGER;
ALTER TABLE sales ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0
    CHECK (discount_amount >= 0);
ALTER TABLE sales ADD COLUMN discount_reason TEXT NOT NULL DEFAULT '';
"""


def apply(db: sqlite3.Connection) -> None:
    for statement in STEP.split(";"):
        if statement.strip():
            db.execute(statement)
