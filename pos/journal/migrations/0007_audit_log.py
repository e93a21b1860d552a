"""An append-only, hash-chained audit log; the settlements written before it are copied into it.

Each row's ``hash`` is sha256(previous row's hash + the row's canonical JSON), the first row's
previous hash being 64 zeros (pos.journal.audit has the exact form). Triggers refuse UPDATE and
DELETE, so changing the past needs a person who drops them first, and then the chain shows it.
``source`` names the journal row an entry copies (``attempt_events:17``): a settlement is
chained once however often the copy runs.
"""

from __future__ import annotations

import sqlite3

from pos.journal.audit import copy_settlements

AUDIT = """
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY CHECK (seq > 0),
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    details   TEXT    NOT NULL,
    source    TEXT    UNIQUE,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL UNIQUE
)
"""
NO_UPDATE = """
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows are never changed'); END
"""
NO_DELETE = """
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows are never deleted'); END
"""


def apply(db: sqlite3.Connection) -> None:
    db.execute(AUDIT)
    db.execute(NO_UPDATE)
    db.execute(NO_DELETE)
    db.execute("CREATE INDEX audit_by_actor ON audit (actor, action)")
    copy_settlements(db)
