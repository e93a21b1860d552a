"""Until the lead's migration step 0003_print_jobs is on main: give a test journal its shape.

Rebuilds ``print_jobs`` with the 0003 statuses, kinds and columns (copy_no, updated_at) and the
one-receipt-per-sale index. A no-op once the journal already has them. Delete this file and its
callers when 0003 lands.
"""

from __future__ import annotations

from pos.journal import Journal

PRINT_JOBS_0003 = """
CREATE TABLE print_jobs_new (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER NOT NULL REFERENCES sales(id),
    kind       TEXT    NOT NULL
               CHECK (kind IN ('receipt', 'copy', 'refund_slip', 'report', 'drawer')),
    status     TEXT    NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'sending', 'printed', 'failed', 'uncertain', 'skipped')),
    snapshot   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    printed_at TEXT,
    copy_no    INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT
);
INSERT INTO print_jobs_new (id, sale_id, kind, status, snapshot, reason, created_at, printed_at)
    SELECT id, sale_id, kind, status, snapshot, reason, created_at, printed_at FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_new RENAME TO print_jobs;
CREATE UNIQUE INDEX one_receipt_job_per_sale ON print_jobs (sale_id) WHERE kind = 'receipt';
"""


def ensure_print_jobs_0003(journal: Journal) -> Journal:
    columns = {row[1] for row in journal._db.execute("PRAGMA table_info(print_jobs)")}
    if "copy_no" not in columns:
        journal._db.executescript("BEGIN;" + PRINT_JOBS_0003 + "COMMIT;")
    return journal
