"""Step 0013: indexes for what waits for a manager, so a Z never reads the journal's years.

A Z lists every payment still waiting for a manager (RESERVED_UNCHARGED, NEEDS_REVIEW,
UNKNOWN_ABANDONED) that no one has settled. Without indexes that read every attempt (16 ms at
100 000 sales, over 200 ms at 1 000 000: benchmarks/z_report.py), and for each one found every
event of every attempt. Both indexes are partial, holding only those few rows, so a payment's
ordinary state writes and events never touch them.
"""

from __future__ import annotations

import sqlite3

PENDING_PHASES = ("RESERVED_UNCHARGED", "NEEDS_REVIEW", "UNKNOWN_ABANDONED")


def apply(db: sqlite3.Connection) -> None:
    listed = ", ".join(f"'{phase}'" for phase in PENDING_PHASES)
    db.execute(f"CREATE INDEX attempts_pending ON attempts (id) WHERE phase IN ({listed})")
    db.execute(
        "CREATE INDEX attempt_events_settled ON attempt_events (attempt_id) "
        "WHERE event LIKE 'settled!_%' ESCAPE '!'"
    )
