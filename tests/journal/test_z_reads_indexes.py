"""A Z's queries read indexes, never a whole table of the journal's years (a day's Z must not
grow with the journal: benchmarks/z_report.py times it in journals of 100 000 and 1 000 000
sales). Checked on SQLite's own query plan, not on a clock."""

from __future__ import annotations

from pathlib import Path

from pos.journal import Journal
from pos.journal.z_period import pending_query


def test_what_waits_for_a_manager_is_found_through_an_index(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        journal._db.execute("ANALYZE")
        plan = journal._db.execute("EXPLAIN QUERY PLAN " + pending_query()).fetchall()
    steps = [str(row[3]) for row in plan]
    whole_tables = [step for step in steps if step.startswith("SCAN") and "INDEX" not in step]
    assert whole_tables == [], steps
    assert any("attempts_pending" in step for step in steps), steps
    assert any("attempt_events_settled" in step for step in steps), steps
