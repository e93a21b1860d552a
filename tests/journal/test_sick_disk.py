"""The journal on a sick disk: full, read-only, damaged pages; its pragmas and file modes.

The full and read-only disks are real: a 2 MB tmpfs mounted for the test, then remounted
read-only (root only; CI runs as root, elsewhere these skip with the reason).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import (
    Journal,
    JournalDamaged,
    JournalFull,
    JournalReadOnly,
    SaleLine,
)
from pos.journal.health import salvage

LINE = SaleLine("123", "Kaffi", 450, 2000, 900)
TX = "0f6f2d0e-9c2b-4b7e-9d0a-5b7c3f1e2a11"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root: the tmpfs tests must run there")
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def inserting() -> Any:
    return start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]


def test_wal_and_full_sync_are_set_whatever_the_connection_started_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = sqlite3.connect

    def careless_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(*args, **kwargs)
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA journal_mode=DELETE")
        return db

    monkeypatch.setattr(sqlite3, "connect", careless_connect)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_journal_and_its_side_files_are_the_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    with Journal(path) as journal:
        sale_id = journal.create_sale("R1", [LINE])
        journal.begin_attempt(sale_id, "***-**81", inserting())
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["journal.sqlite3", "journal.sqlite3-shm", "journal.sqlite3-wal"]
        for file in path.parent.iterdir():
            assert file.stat().st_mode & 0o777 == 0o600, file
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_existing_open_files_are_made_private_on_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    path.chmod(0o644)
    with Journal(path):
        assert path.stat().st_mode & 0o777 == 0o600


def test_a_failed_commit_is_rolled_back_and_the_journal_goes_on(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        journal._db.execute(
            "CREATE TABLE strict_child (parent INTEGER REFERENCES sales(id) "
            "DEFERRABLE INITIALLY DEFERRED)"
        )
        with pytest.raises(sqlite3.IntegrityError), journal._commit("test.bad") as db:
            db.execute("INSERT INTO strict_child VALUES (999)")  # fails only at COMMIT
        assert not journal._db.in_transaction
        sale_id = journal.create_sale("R1", [LINE])
        assert journal.sale(sale_id).status == "open"


def test_a_full_disk_mid_payment_says_so_and_keeps_the_last_durable_state(
    small_disk: Path,
) -> None:
    path = small_disk / "journal.sqlite3"
    with Journal(path) as journal:
        sale_id = journal.create_sale("R1", [LINE])
        attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
        filler = small_disk / "filler"
        with pytest.raises(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        paid = replace(attempt.state, phase=Phase.PAID, transaction_id=TX, note="x" * 200_000)
        with pytest.raises(JournalFull, match="Free some space"):
            for _ in range(50):
                journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
                paid = replace(paid, note=paid.note + "y")
        filler.unlink()
        assert journal.sale(sale_id).status in {"open", "paid"}
        journal.create_sale("R1", [LINE])  # the connection is usable again


def test_a_read_only_journal_names_the_fix_and_is_never_moved(small_disk: Path) -> None:
    path = small_disk / "journal.sqlite3"
    with Journal(path) as journal:
        journal.create_sale("R1", [LINE])
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(JournalReadOnly, match="do not move"):
        Journal(path)
    assert path.exists()
    with Journal(path, read_only=True) as journal:
        assert journal.sale(1).status == "open"


def damage(path: Path) -> None:
    """Scribble over the pages after the first: SQLite then calls the file malformed."""
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):
        data[offset : offset + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


def test_a_damaged_journal_stops_payments_and_salvage_lists_the_open_attempts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        for _ in range(30):
            journal.create_sale("R1", [LINE] * 20)
        attempt = journal.begin_attempt(1, "***-**81", inserting())
        pending = replace(attempt.state, phase=Phase.PENDING, transaction_id=TX)
        journal.record(attempt.id, pending, event="InsertAccepted", point="test.pending")
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    damage(path)
    with pytest.raises(JournalDamaged, match="pos recover --salvage"), Journal(path) as journal:
        journal.recent_sales(100)
    report = salvage(path)
    copied = sorted(p.name for p in report.copied_to.iterdir())
    assert "journal.sqlite3" in copied
    assert report.copied_to.stat().st_mode & 0o777 == 0o700
    assert path.exists()  # the original stays where recovery looks for it
    assert report.recovered is not None, report.problem
    assert [(a.reference.endswith("-1-1"), a.transaction_id) for a in report.open_attempts] in (
        [(True, TX)],
        [],  # the page holding the attempt may itself be the damaged one
    )
