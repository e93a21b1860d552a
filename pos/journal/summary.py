"""A journal's health at a glance, read without writing: integrity, open work, stuck print jobs.

For ``pos smoke`` beside the open till: every query here only reads, and works on a journal of
any schema version this code knows (an older one is read as it is, never migrated).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

INTEGRITY_LINES = 5  # SQLite can list thousands; the first few say enough


@dataclass(frozen=True)
class JournalSummary:
    """What a technician checks first; ``integrity`` is empty when SQLite says "ok"."""

    integrity: tuple[str, ...] = ()
    open_references: tuple[str, ...] = ()
    sales_by_status: Mapping[str, int] = field(default_factory=dict)
    print_jobs_by_status: Mapping[str, int] = field(default_factory=dict)


def summarize(db: sqlite3.Connection) -> JournalSummary:
    """Integrity, live attempts, and sales and print jobs counted by status."""
    return JournalSummary(
        integrity=_integrity(db),
        open_references=tuple(
            str(row[0])
            for row in db.execute("SELECT reference FROM attempts WHERE live = 1 ORDER BY id")
        ),
        sales_by_status=_counts(db, "sales"),
        print_jobs_by_status=_counts(db, "print_jobs"),
    )


def _integrity(db: sqlite3.Connection) -> tuple[str, ...]:
    rows = db.execute(f"PRAGMA integrity_check({INTEGRITY_LINES})").fetchall()
    found = tuple(str(row[0]) for row in rows)
    return () if found == ("ok",) else found


def _counts(db: sqlite3.Connection, table: str) -> dict[str, int]:
    rows = db.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")
    return {str(status): int(count) for status, count in rows}
