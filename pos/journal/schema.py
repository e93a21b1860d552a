"""The journal's SQLite schema: sales, lines, payment attempts and their every state, print jobs.

The rule the schema itself keeps: at most one live attempt per sale (a partial unique index),
because double charges come from two carts, never from repeating a call on one cart.
"""

from __future__ import annotations

SCHEMA_VERSION = 1  # the base schema; later versions are steps in pos/journal/migrations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sales (
    id          INTEGER PRIMARY KEY,
    register_id TEXT    NOT NULL,
    total       INTEGER NOT NULL CHECK (total > 0),
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'paid', 'cancelled')),
    created_at  TEXT    NOT NULL,
    paid_at     TEXT
);

CREATE TABLE IF NOT EXISTS sale_lines (
    sale_id        INTEGER NOT NULL REFERENCES sales(id),
    line_no        INTEGER NOT NULL,
    product_no     TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    unit_price     INTEGER NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    amount         INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line_no)
);

CREATE TABLE IF NOT EXISTS attempts (
    id              INTEGER PRIMARY KEY,
    sale_id         INTEGER NOT NULL REFERENCES sales(id),
    attempt_no      INTEGER NOT NULL,
    reference       TEXT    NOT NULL UNIQUE,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    customer_masked TEXT    NOT NULL,
    phase           TEXT    NOT NULL,
    live            INTEGER NOT NULL,
    transaction_id  TEXT,
    state_json      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (sale_id, attempt_no)
);

CREATE UNIQUE INDEX IF NOT EXISTS one_live_attempt_per_sale
    ON attempts (sale_id) WHERE live = 1;

CREATE INDEX IF NOT EXISTS attempts_by_transaction ON attempts (transaction_id);

CREATE TABLE IF NOT EXISTS attempt_events (
    id                   INTEGER PRIMARY KEY,
    attempt_id           INTEGER NOT NULL REFERENCES attempts(id),
    at                   TEXT    NOT NULL,
    crash_point          TEXT    NOT NULL,
    event                TEXT    NOT NULL,
    phase                TEXT    NOT NULL,
    result_code          INTEGER,
    netgiro_reference_id TEXT,
    note                 TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS print_jobs (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER NOT NULL REFERENCES sales(id),
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'printed', 'failed')),
    snapshot   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    printed_at TEXT
);

CREATE TABLE IF NOT EXISTS callbacks (
    id             INTEGER PRIMARY KEY,
    received_at    TEXT    NOT NULL,
    transaction_id TEXT,
    reference      TEXT,
    body_sha256    TEXT    NOT NULL,
    verdict        TEXT    NOT NULL
);
"""
