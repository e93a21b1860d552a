"""Step 0014: partial indexes so an X or Z reads only voided sales and ended payment attempts.

Since step 0012 a period holds the voids and ended attempts no Z has counted yet; without these
indexes finding them reads every sale and every attempt of the journal's years.
"""

from __future__ import annotations

import sqlite3

ENDINGS = "('CANCELLED', 'DECLINED', 'FAILED', 'ABANDONED', 'UNKNOWN_ABANDONED')"


def apply(db: sqlite3.Connection) -> None:
    db.execute("CREATE INDEX sales_voided ON sales (id) WHERE status = 'voided'")
    db.execute(f"CREATE INDEX attempts_ended ON attempts (id) WHERE phase IN {ENDINGS}")
