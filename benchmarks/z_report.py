"""4b. A day's Z (2 000 sales) in journals of 100 000 and 1 000 000 sales (bulk-loaded).

Timed is the Z's report computation (``pos.journal.z_reports.x_snapshot``: what ``close_z``
computes before it writes), read-only, so each round meets the same journal. Before the Z
service exists on this branch the stand-in is the SQL a Z must run at the least: the day's
paid sales by VAT rate and by tender, and the attempts that ended in the day.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.bulk_journal import FIRST_DAY, cached_journal
from benchmarks.harness import Row, Target, interleaved
from pos.journal import Journal

PER_DAY = 2000


def has_z_service() -> bool:
    return importlib.util.find_spec("pos.journal.z_reports") is not None


def day_end(sales: int) -> datetime:
    return FIRST_DAY + timedelta(days=(sales - 1) // PER_DAY, hours=23)


def z_of(journal: Journal, sales: int) -> Callable[[], object]:
    """One day's Z over the journal's last (open) day."""
    at = day_end(sales)
    if has_z_service():
        from pos.journal.z_reports import x_snapshot

        return lambda: x_snapshot(journal, at=at, register_id="R1")
    return lambda: stand_in(journal, (sales - 1) // PER_DAY * PER_DAY, at)


def stand_in(journal: Journal, last_receipt: int, at: datetime) -> object:
    db = journal._db
    by_rate = db.execute(
        "SELECT l.vat_rate, SUM(l.amount) FROM sales s JOIN sale_lines l ON l.sale_id = s.id "
        "WHERE s.status = 'paid' AND s.receipt_no > ? GROUP BY l.vat_rate",
        (last_receipt,),
    ).fetchall()
    by_tender = db.execute(
        "SELECT t.kind, SUM(t.amount), COUNT(*) FROM sales s JOIN tenders t ON t.sale_id = s.id "
        "WHERE s.status = 'paid' AND s.receipt_no > ? AND t.status = 'taken' GROUP BY t.kind",
        (last_receipt,),
    ).fetchall()
    start = (at - timedelta(hours=23)).astimezone(UTC).isoformat(timespec="milliseconds")
    endings = db.execute(
        "SELECT phase, COUNT(*) FROM attempts WHERE updated_at > ? GROUP BY phase", (start,)
    ).fetchall()
    return by_rate, by_tender, endings


def ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def rows(quick: bool) -> tuple[list[Row], dict[str, object]]:
    small, large = (4 * PER_DAY, 8 * PER_DAY) if quick else (100_000, 1_000_000)
    rounds = 3 if quick else 20
    paths: dict[int, Path] = {n: cached_journal(n, PER_DAY) for n in (small, large)}
    with (
        Journal(paths[small], read_only=True) as few,
        Journal(paths[large], read_only=True) as many,
    ):
        z_small, z_large = z_of(few, small), z_of(many, large)
        for _ in range(2):  # warm: the page cache holds what a Z reads
            z_small(), z_large()
        on_large, on_small = interleaved(rounds, lambda: ms(z_large), lambda: ms(z_small))
        floor_at = day_end(large)
        floor_receipt = (large - 1) // PER_DAY * PER_DAY
        floor = [ms(lambda: stand_in(many, floor_receipt, floor_at)) for _ in range(rounds)]
    what = "Z" if has_z_service() else "Z stand-in SQL"
    label = {n: f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M" for n in paths}
    found = [
        Row(
            f"day's {what}, {label[small]} sales", "ms", on_small, target=Target("value", "<=", 50)
        ),
        Row(
            f"day's {what}, {label[large]} sales", "ms", on_large, target=Target("value", "<=", 50)
        ),
        Row(
            f"day's {what}, {label[large]} vs {label[small]}",
            "ms",
            on_large,
            on_small,
            f"{label[small]} sales",
            Target("ratio", "<=", 1.2),
        ),
        Row(f"day's Z floor: its sums in SQL alone, {label[large]}", "ms", floor, kind="value"),
    ]
    return found, {"z_service": has_z_service(), "journal_sales": [small, large]}
