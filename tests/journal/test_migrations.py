"""Journal migrations on real files: the committed v1 journal opens with every row intact,
a kill at any step leaves a whole version, a newer journal is refused with its bytes unchanged."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pos.core.checkout import Phase
from pos.journal import Journal, JournalError, JournalTooNew, migrations
from pos.journal.migrations import StepNumberingError, check_numbering, latest_version, steps

FIXTURE = Path(__file__).parents[1] / "fixtures" / "journal_v1.sqlite3"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    target = tmp_path / "journal.sqlite3"
    shutil.copyfile(FIXTURE, target)
    return target


def raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_steps_are_numbered_from_two_without_gap_or_duplicate() -> None:
    found = steps()
    assert [step.version for step in found] == list(range(2, 2 + len(found)))
    assert latest_version() == 1 + len(found)
    assert found[0].name == "0002_sale_statuses"


@pytest.mark.parametrize(
    "names",
    [
        ["0002_a", "0002_b"],
        ["0002_a", "0004_b"],
        ["0003_a"],
        ["0002_a", "2b_bad_name"],
    ],
)
def test_two_steps_with_one_number_or_a_gap_are_refused(names: list[str]) -> None:
    with pytest.raises(StepNumberingError):
        check_numbering(names)


def test_the_v1_fixture_is_what_the_release_before_the_first_step_wrote() -> None:
    assert raw(FIXTURE, "SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]


def test_the_v1_journal_opens_with_every_row_intact(v1: Path) -> None:
    # Later steps add columns (VAT rate, discounts: tests/journal/test_till_migrations.py): the
    # v1 columns keep their values.
    v1_columns = {
        "attempts": "*",
        "attempt_events": "*",
        "sale_lines": "sale_id, line_no, product_no, name, unit_price, quantity_milli, amount",
        "callbacks": "*",
    }
    before = {
        table: raw(v1, f"SELECT {columns} FROM {table} ORDER BY rowid")
        for table, columns in v1_columns.items()
    }
    sales_before = raw(v1, "SELECT id, register_id, total, created_at, paid_at FROM sales")
    jobs_before = raw(v1, "SELECT id, sale_id, kind, status, snapshot FROM print_jobs")
    with Journal(v1) as journal:
        assert journal.schema_version == latest_version()
        for table, rows in before.items():
            columns = v1_columns[table]
            assert raw(v1, f"SELECT {columns} FROM {table} ORDER BY rowid") == rows, table
        assert raw(v1, "SELECT id, register_id, total, created_at, paid_at FROM sales") == (
            sales_before
        )
        assert raw(v1, "SELECT id, sale_id, kind, status, snapshot FROM print_jobs") == (
            jobs_before
        )
        statuses = [journal.sale(n).status for n in range(1, 8)]
        assert statuses == ["paid", "unpaid", "unpaid", "open", "open", "unknown", "open"]
        assert [a.state.phase for a in journal.open_attempts()] == [
            Phase.PENDING,
            Phase.CONFIRMING,
        ]
        assert journal.print_jobs()[0].snapshot["invoice_number"] == 100001
    backups = list(v1.parent.glob("journal-v1-backup-*.sqlite3"))
    assert len(backups) == 1
    assert raw(backups[0], "SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]
    assert backups[0].stat().st_mode & 0o777 == 0o600


def test_an_old_reference_stays_and_new_ones_take_the_new_form(v1: Path) -> None:
    with Journal(v1, store_id="B12") as journal:
        assert journal.sale(1).attempts[0].reference == "R1-5e50-1-1"
        attempt = journal.begin_attempt(7, "***-**81", journal.sale(4).attempts[0].state)
        store, register, key, sale, number = attempt.reference.split("-")
        assert (store, register, sale, number) == ("B12", "R1", "7", "1")
        assert len(key) == 8 and int(key, 16) >= 0


@pytest.mark.parametrize("step", [step.crash_point for step in steps()])
def test_a_kill_in_the_middle_of_the_upgrade_leaves_a_whole_version(v1: Path, step: str) -> None:
    opener = (
        f"from pathlib import Path; from pos.journal import Journal; Journal(Path({str(v1)!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", opener],
        env={"POS_CRASH_AT": step, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    version = int(raw(v1, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0])
    assert version == int(step.rsplit(".", 1)[1])
    with Journal(v1) as journal:
        assert journal.schema_version == latest_version()
        assert journal.sale(1).status == "paid"
        assert len(journal.open_attempts()) == 2
        assert len(raw(v1, "SELECT * FROM attempt_events")) == 18


def test_a_newer_journal_is_refused_with_its_bytes_unchanged(v1: Path) -> None:
    db = sqlite3.connect(v1)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    before = digest(v1)
    with pytest.raises(JournalTooNew, match="version 99"):
        Journal(v1)
    with pytest.raises(JournalTooNew):
        Journal(v1, read_only=True)
    assert digest(v1) == before


def test_a_read_only_opener_reads_an_old_journal_as_it_is(v1: Path) -> None:
    before = digest(v1)
    with Journal(v1, read_only=True) as journal:
        assert journal.schema_version == 1
        assert journal.sale(2).status == "open"  # version 1 left it open; read as it is
        assert len(journal.open_attempts()) == 2
    assert digest(v1) == before
    assert not list(v1.parent.glob("*backup*"))


def test_a_step_that_breaks_a_reference_is_rolled_back(
    v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = steps()

    def orphan_the_lines(db: sqlite3.Connection) -> None:
        real[0].apply(db)
        db.execute("DELETE FROM sales WHERE id = 1")

    broken = [migrations.MigrationStep(2, "0002_broken", orphan_the_lines), *real[1:]]
    monkeypatch.setattr("pos.journal.migrator.steps", lambda: broken)
    with pytest.raises(Exception, match="would break"):
        Journal(v1)
    assert raw(v1, "SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]
    assert raw(v1, "SELECT COUNT(*) FROM sales") == [(7,)]


def test_a_read_only_opener_meeting_a_journal_being_created_gets_a_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.close()
    with pytest.raises(JournalError, match="still being created"):
        Journal(path, read_only=True)
