"""Step 0005: tenders, the money that settles a sale (cash, Netgíró).

A tender row is money *taken*: cash handed over (``tendered``; ``tendered - amount`` was given
back as change), or a Netgíró attempt that ended PAID (``attempt_id``). A Netgíró tender that
is still running is its live attempt (``attempts.live``), not a row here: one source of truth
for what is in flight. ``status`` is ``taken``, or ``voided`` when a manager reverses it later.

v1 paid sales get one Netgíró tender per PAID attempt, so "the tenders cover the total" holds
for every paid sale, old and new.
"""

from __future__ import annotations

import sqlite3

STEP = """
CREATE TABLE tenders (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER NOT NULL REFERENCES sales(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('cash', 'netgiro')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    tendered   INTEGER NOT NULL,
    attempt_id INTEGER REFERENCES attempts(id),
    status     TEXT    NOT NULL DEFAULT 'taken' CHECK (status IN ('taken', 'voided')),
    created_at TEXT    NOT NULL,
    CHECK (tendered >= amount),
    CHECK ((kind = 'netgiro') = (attempt_id IS NOT NULL))
);
CREATE UNIQUE INDEX one_tender_per_attempt ON tenders (attempt_id) WHERE attempt_id IS NOT NULL;
CREATE INDEX tenders_by_sale ON tenders (sale_id);
INSERT INTO tenders (sale_id, kind, amount, tendered, attempt_id, status, created_at)
    SELECT sale_id, 'netgiro', amount, amount, id, 'taken', updated_at
    FROM attempts WHERE phase = 'PAID' ORDER BY id;
"""


def apply(db: sqlite3.Connection) -> None:
    for statement in STEP.split(";"):
        if statement.strip():
            db.execute(statement)
