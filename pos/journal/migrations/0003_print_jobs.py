"""Print jobs get the kinds and statuses of TILL-CONTRACTS.md, and one receipt per sale.

Statuses: queued -> sending -> printed; failed (with its reason); uncertain (a ``sending`` job
found after a crash: offered as a copy, never reprinted by itself); skipped (no receipt wanted,
still reprintable). If a version-1 journal holds two receipt jobs for one sale (a crash between
two commits could make them), the later ones become ``copy`` jobs so no row is lost.
"""

from __future__ import annotations

import sqlite3

PRINT_JOBS_V3 = """
CREATE TABLE print_jobs_v3 (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER REFERENCES sales(id),
    kind       TEXT    NOT NULL
               CHECK (kind IN ('receipt', 'copy', 'refund_slip', 'report', 'drawer')),
    status     TEXT    NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'sending', 'printed', 'failed', 'uncertain', 'skipped')),
    snapshot   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    copy_no    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT,
    printed_at TEXT
)
"""

FIRST_RECEIPT = (
    "(kind = 'receipt' AND id = (SELECT MIN(j.id) FROM print_jobs j "
    "WHERE j.sale_id = print_jobs.sale_id AND j.kind = 'receipt'))"
)


def apply(db: sqlite3.Connection) -> None:
    db.execute(PRINT_JOBS_V3)
    db.execute(
        "INSERT INTO print_jobs_v3 (id, sale_id, kind, status, snapshot, reason, created_at, "
        "updated_at, printed_at) SELECT id, sale_id, "
        f"CASE WHEN kind <> 'receipt' OR {FIRST_RECEIPT} THEN kind ELSE 'copy' END, "
        "status, snapshot, reason, created_at, created_at, printed_at FROM print_jobs"
    )
    db.execute("DROP TABLE print_jobs")
    db.execute("ALTER TABLE print_jobs_v3 RENAME TO print_jobs")
    db.execute(
        "CREATE UNIQUE INDEX one_receipt_per_sale ON print_jobs (sale_id) WHERE kind = 'receipt'"
    )
    db.execute("CREATE INDEX print_jobs_by_status ON print_jobs (status)")
