"""A journal of N paid sales in the real schema, bulk-loaded, for timing reports over years of trade.

The schema is the journal's own (``Journal`` creates and migrates it); rows are written with
``executemany`` in large transactions, ``synchronous=OFF`` only while loading. Each day has
``per_day`` sales: two lines each at 24 % and 11 %, half paid by Netgíró (a PAID attempt, three
events, a tender), half in cash; every day but the last is closed by a Z when the journal has Z
reports. Print jobs are left out (they are not read by a report and would triple the file).
Journals are cached in ``.bench-cache/`` by size and schema version.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos.journal import Journal
from pos.journal.migrations import latest_version

CACHE = Path(__file__).resolve().parents[1] / ".bench-cache"
FIRST_DAY = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
CHUNK = 20_000


def cached_journal(sales: int, per_day: int = 2000) -> Path:
    """The cached journal of ``sales`` sales (loaded once, then reused)."""
    path = CACHE / f"journal-{sales}-{per_day}-v{latest_version()}.sqlite3"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")  # two loaders never meet
        try:
            load(partial, sales, per_day)
            os.replace(partial, path)  # whole, or not at all
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return path


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def load(path: Path, sales: int, per_day: int) -> None:
    Journal(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-200000")
    started = time.monotonic()
    try:
        for first in range(1, sales + 1, CHUNK):
            db.execute("BEGIN")
            write_chunk(db, first, min(sales, first + CHUNK - 1), per_day)
            db.execute("COMMIT")
        if has_table(db, "z_reports"):
            db.execute("BEGIN")
            write_z_reports(db, sales, per_day)
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("ANALYZE")
    finally:
        db.close()
    print(f"loaded {sales} sales in {time.monotonic() - started:.0f} s", flush=True)


def has_table(db: sqlite3.Connection, name: str) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return found.fetchone() is not None


def moment_of(sale_id: int, per_day: int) -> datetime:
    day, within = divmod(sale_id - 1, per_day)
    return FIRST_DAY + timedelta(days=day, seconds=15 * within)


def write_chunk(db: sqlite3.Connection, first: int, last: int, per_day: int) -> None:
    ids = range(first, last + 1)
    db.executemany(
        "INSERT INTO sales (id, register_id, total, status, created_at, paid_at, status_at, "
        "receipt_no, cashier) VALUES (?, 'R1', ?, 'paid', ?, ?, ?, ?, 'Ásdís')",
        ((i, total(i), *[stamp(moment_of(i, per_day))] * 3, i) for i in ids),
    )
    db.executemany(
        "INSERT INTO sale_lines (sale_id, line_no, product_no, name, unit_price, quantity_milli, "
        "amount, vat_rate) VALUES (?, ?, ?, ?, ?, 1000, ?, ?)",
        (line for i in ids for line in lines(i)),
    )
    netgiro = [i for i in ids if i % 2 == 0]
    db.executemany(
        "INSERT INTO attempts (id, sale_id, attempt_no, reference, amount, customer_masked, "
        "phase, live, transaction_id, state_json, created_at, updated_at) "
        "VALUES (?, ?, 1, ?, ?, '***-**81', 'PAID', 0, ?, ?, ?, ?)",
        (attempt(i, per_day) for i in netgiro),
    )
    db.executemany(
        "INSERT INTO attempt_events (attempt_id, at, crash_point, event, phase, result_code, "
        "netgiro_reference_id, note) VALUES (?, ?, ?, ?, ?, ?, NULL, '')",
        (event for i in netgiro for event in events(i, per_day)),
    )
    db.executemany(
        "INSERT INTO tenders (sale_id, kind, amount, tendered, attempt_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                "netgiro" if i % 2 == 0 else "cash",
                total(i),
                total(i) + (i % 2) * 10,
                i // 2 if i % 2 == 0 else None,
                stamp(moment_of(i, per_day)),
            )
            for i in ids
        ),
    )


def total(sale_id: int) -> int:
    return sum(line[5] for line in lines(sale_id))


def lines(sale_id: int) -> Iterator[tuple[int, int, str, str, int, int, int]]:
    price = 199 + sale_id % 1800
    yield (sale_id, 1, str(1000 + sale_id % 97), "Mjólk 1 l", price, price, 11)
    yield (sale_id, 2, str(2000 + sale_id % 89), "Kaffi 500 g", 990, 990, 24)


def attempt(sale_id: int, per_day: int) -> tuple[object, ...]:
    at = stamp(moment_of(sale_id, per_day))
    transaction_id = f"{sale_id:08x}-0000-4000-8000-{sale_id:012x}"
    state = {
        "phase": "PAID",
        "customer_kind": "gsm",
        "confirmation": 2,
        "transaction_id": transaction_id,
        "invoice_number": 100_000 + sale_id,
        "amount": total(sale_id),
        "note": "Paid",
        "result_code": 10200,
    }
    reference = f"S1-R1-0a1b2c3d-{sale_id}-1"
    return (
        sale_id // 2,
        sale_id,
        reference,
        total(sale_id),
        transaction_id,
        json.dumps(state),
        at,
        at,
    )


def events(sale_id: int, per_day: int) -> Iterator[tuple[object, ...]]:
    at = stamp(moment_of(sale_id, per_day))
    attempt_id = sale_id // 2
    yield (attempt_id, at, "journal.attempt_started", "start", "INSERTING", None)
    yield (attempt_id, at, "journal.insert_accepted", "InsertAccepted", "PENDING", 200)
    yield (attempt_id, at, "journal.check_answered", "CheckAnswered", "PAID", 10200)


def write_z_reports(db: sqlite3.Connection, sales: int, per_day: int) -> None:
    """A Z at the end of every full day but the last: the day being measured is still open."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(z_reports)")}
    days = (sales - 1) // per_day
    rows = []
    for day in range(1, days + 1):
        opened = stamp(FIRST_DAY + timedelta(days=day - 1))
        closed = stamp(FIRST_DAY + timedelta(days=day - 1, hours=23))
        values = {
            "number": day,
            "opened_at": opened,
            "closed_at": closed,
            "last_receipt_no": day * per_day,
            "counted": 0,
            "expected": 0,
            "over_short": 0,
            "audit_head": "0" * 64,
            "manager": "Ásdís",
            "snapshot": "{}",
        }
        rows.append(tuple(values[c] for c in values if c in columns))
    names = [
        c
        for c in (
            "number",
            "opened_at",
            "closed_at",
            "last_receipt_no",
            "counted",
            "expected",
            "over_short",
            "audit_head",
            "manager",
            "snapshot",
        )
        if c in columns
    ]
    marks = ", ".join("?" for _ in names)
    db.executemany(f"INSERT INTO z_reports ({', '.join(names)}) VALUES ({marks})", rows)
