"""Step 0010 (refund lines, cash refunds) on a journal that already holds a Netgíró refund: the
row keeps its id and every field, becomes a Netgíró refund by amount, and still counts in the
Z of the time it was done."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos.journal import Journal
from pos.journal.migrations import steps
from pos.journal.migrator import _apply_step
from pos.journal.refund_totals import RefundTotal, refund_totals
from pos.journal.refunds import refunds

FIXTURE = Path(__file__).parents[1] / "fixtures" / "journal_v1.sqlite3"
DONE_AT = "2026-12-01T12:00:00.000+00:00"


def journal_before_refund_lines(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite3"
    shutil.copyfile(FIXTURE, path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for step in steps():
            if step.version <= 8:  # 0008 made refunds; 0010 rebuilds them
                _apply_step(db, step)
        db.execute(
            "INSERT INTO refunds (sale_id, attempt_id, transaction_id, amount, idempotency_key, "
            "reason, manager, status, note, created_at, updated_at) SELECT sale_id, id, "
            "transaction_id, 147, 'k-old', 'Returned', 'manager:Anna', 'DONE', 'HTTP 200', ?, ? "
            "FROM attempts WHERE phase = 'PAID' ORDER BY id LIMIT 1",
            (DONE_AT, DONE_AT),
        )
    finally:
        db.close()
    return path


def test_an_old_refund_keeps_every_field_and_counts_when_it_was_done(tmp_path: Path) -> None:
    path = journal_before_refund_lines(tmp_path)
    with Journal(path) as journal:
        (old,) = refunds(journal)
        assert (old.id, old.amount, old.idempotency_key, old.status, old.note) == (
            1,
            147,
            "k-old",
            "DONE",
            "HTTP 200",
        )
        assert (old.tender, old.slip_id, old.done_at) == ("netgiro", None, DONE_AT)
        day = datetime(2026, 12, 1, tzinfo=UTC)
        assert refund_totals(journal._db, day, day + timedelta(days=1)) == [
            RefundTotal("netgiro", None, 147, 1)
        ]
        names = {
            row[0]
            for row in journal._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {
            "refunds_within_payment",
            "refunds_within_cash",
            "refund_lines_within_sold",
        } <= names
