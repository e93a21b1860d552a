"""Step 0009: the cashier signed in when a sale was rung up, named on its receipt and in reports.

NULL for sales from before sign-in existed and for tills run without a people file; a
receipt or report says nothing rather than guess.
"""

from __future__ import annotations

import sqlite3


def apply(db: sqlite3.Connection) -> None:
    db.execute(
        "ALTER TABLE sales ADD COLUMN cashier TEXT "
        "CHECK (cashier IS NULL OR length(cashier) BETWEEN 1 AND 40)"
    )
