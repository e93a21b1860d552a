"""Defects found by a hostile pass over X/Z, cash and backups, each on real journal files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.checkout import CustomerKind, start
from pos.core.result_codes import ConfirmationType
from pos.core.sale import Sale
from pos.journal import Journal, sales
from pos.journal import z_reports as zdb
from pos.people import PeopleFile, Person, hash_pin
from pos.services import cash, report_commands, reports
from pos.services.cash import CashError
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.reports import ZRefused


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    return ManagerAuth(people, journal)


@pytest.fixture
def manager(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


# A child that makes the backup with the file size limit below the journal's size: the
# ``VACUUM INTO`` fails half way, as on a full disk (SIGXFSZ ignored, so writes get EFBIG).
BACKUP_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from pos.journal import Journal, JournalError
from pos.services.reports import backup_journal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
with Journal(Path(sys.argv[1])) as journal:
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
    try:
        backup_journal(journal, Path(sys.argv[2]))
    except (OSError, JournalError) as exc:
        print("refused:", exc)
"""


def test_a_backup_that_fails_half_way_leaves_no_file_that_looks_like_a_backup(
    tmp_path: Path, journal: Journal
) -> None:
    for amount in range(100, 140):  # a journal of several pages, larger than the limit
        sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(amount, 24))
        sales.take_cash(journal, sale_id, amount, amount)
    target = tmp_path / "bk" / "Z00001-2026-12-02-journal.sqlite3"
    child = subprocess.run(
        [sys.executable, "-c", BACKUP_ON_A_FULL_DISK, str(journal.path), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ},
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("refused:"), child.stdout  # the disk really was "full"
    assert not target.exists(), f"{target.stat().st_size} bytes left behind as a backup"
    assert list(target.parent.iterdir()) == []  # nor a partial copy under another name


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    built = Settings(RegisterSettings(), NetgiroSettings(), TimingSettings(), data_dir=tmp_path)
    PeopleFile(built.people_file).add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    return built


def an_orphaned_payment(settings: Settings) -> str:
    """A PENDING attempt whose ``pos pay`` was killed: nothing drives it any more."""
    with Journal(settings.journal_file) as journal:
        sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(3000, 24))
        attempt = journal.begin_attempt(
            sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
        )
    return attempt.reference


@pytest.mark.parametrize("void_open", [False, True])
def test_a_z_at_the_shell_blocked_by_a_dead_payment_says_to_run_pos_recover(
    settings: Settings, void_open: bool
) -> None:
    reference = an_orphaned_payment(settings)
    answers = iter(["480263", "0"])
    with pytest.raises(ZRefused) as refused:
        report_commands.close_z_at_shell(
            settings, "Anna", lambda prompt: next(answers), void_open=void_open, say=print
        )
    assert reference in refused.value.message
    assert "pos recover" in refused.value.message, refused.value.message
    assert "wait for its end" not in refused.value.message


def test_a_paid_out_larger_than_the_drawer_holds_is_refused(
    journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.opening_float(auth, manager, journal, 10_000)
    sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(1990, 24))
    sales.take_cash(journal, sale_id, 1990, 1990)
    # 5 000 000 typed for 5 000: the drawer should hold 11 990
    with pytest.raises(CashError):
        cash.paid_out(auth, manager, journal, 5_000_000, "Vörur frá birgja")
    assert reports.x_report(journal)["cash"]["expected"] == 11_990
    assert zdb.z_reports(journal) == []


def test_a_z_can_close_after_a_customer_walks_away_from_a_part_paid_sale(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(5000, 24))
    assert not sales.take_cash(journal, sale_id, 1000, 1000).paid  # 1 000 of 5 000, then gone
    # the manager hands the 1 000 back and closes the day; the Z must not stay blocked
    closed = reports.close_z(
        auth, manager, journal, counted=0, backup_dir=tmp_path / "bk", void_open=True
    )
    assert closed.voided == (sale_id,)
    assert closed.z.snapshot["cash"]["expected"] == 0
