"""Z reports and cash movements on real journal files: numbering, frozen rows, refusals that write
nothing, the period's watermark, the X beside the open till, backups and the CSV."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.core.checkout import CustomerKind, start
from pos.core.result_codes import ConfirmationType
from pos.core.sale import Discount, DiscountKind, DiscountLimit, Sale
from pos.journal import Journal, JournalError, sales
from pos.journal import z_reports as zdb
from pos.journal.audit import entries, verify
from pos.journal.z_reports import ZRefused
from pos.people import PeopleFile, Person, hash_pin
from pos.services import cash, reports
from pos.services.cash import CashError
from pos.services.manager_auth import ManagerAuth, NeedsManager, Session
from pos.services.wiring import register_lock

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RATES = (24, 11, 0)
LIMIT = DiscountLimit(percent=20, amount=10_000_000)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal)


@pytest.fixture
def manager(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


def cash_sale(journal: Journal, *amounts: int, tendered: int | None = None) -> int:
    sale = Sale()
    for amount in amounts:
        sale = sale.add_open_price(amount, 24)
    sale_id = sales.save_sale(journal, "R1", sale)
    assert sales.take_cash(journal, sale_id, sale.total, tendered or sale.total).paid
    return sale_id


def close(
    auth: ManagerAuth, manager: Session, journal: Journal, tmp_path: Path, counted: int, **kw: bool
) -> reports.ZClosed:
    return reports.close_z(
        auth, manager, journal, counted=counted, backup_dir=tmp_path / "bk", **kw
    )


def raw(path: Path, sql: str, args: tuple[object, ...] = ()) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(sql, args)
        db.commit()
    finally:
        db.close()


def test_two_zs_on_one_date_are_addressed_by_number_and_split_the_sales(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.opening_float(auth, manager, journal, 10_000)
    cash_sale(journal, 1000)
    first = close(auth, manager, journal, tmp_path, 11_000)
    cash.opening_float(auth, manager, journal, 5_000)
    cash_sale(journal, 700)
    cash_sale(journal, 300, tendered=500)
    second = close(auth, manager, journal, tmp_path, 6_100)

    assert (first.z.number, second.z.number) == (1, 2)
    one, two = reports.z_report(journal, 1), reports.z_report(journal, 2)
    assert (one["sales"], one["total"], one["cash"]["expected"], one["cash"]["over_short"]) == (
        1,
        1000,
        11_000,
        0,
    )
    assert (two["sales"], two["total"], two["cash"]["expected"], two["cash"]["over_short"]) == (
        2,
        1000,
        6_000,
        100,
    )
    assert two["opened_at"] == one["closed_at"]
    assert [m.amount for m in zdb.movements(journal, z_number=1)] == [10_000]
    assert [m.amount for m in zdb.movements(journal, z_number=2)] == [5_000]
    # both on one day: the files are told apart by number
    assert first.csv and second.csv and first.csv.name[:6] == "Z00001"
    assert second.csv.name[:6] == "Z00002" and first.csv.name[6:] == second.csv.name[6:]
    with pytest.raises(JournalError, match="no Z report 3: the last is Z 2"):
        reports.z_report(journal, 3)


def test_a_closed_z_and_a_stamped_movement_never_change(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.paid_in(auth, manager, journal, 500, "Skiptimynt")
    close(auth, manager, journal, tmp_path, 500)
    cash.opening_float(auth, manager, journal, 1000)
    cash.paid_out(auth, manager, journal, 200, "Frímerki")
    path = journal.path
    for sql in (
        "UPDATE z_reports SET counted = 0",
        "DELETE FROM z_reports",
        "UPDATE cash_movements SET amount = 1 WHERE z_number = 1",
        "UPDATE cash_movements SET z_number = NULL WHERE z_number = 1",
        "UPDATE cash_movements SET amount = 1 WHERE z_number IS NULL",
        "DELETE FROM cash_movements",
        "INSERT INTO z_reports VALUES (3, 'a', 'b', 0, 0, 0, 0, 'h', 'm', '{}')",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            raw(path, sql)
    with pytest.raises(sqlite3.IntegrityError):  # a paid-out needs its reason
        raw(
            path,
            "INSERT INTO cash_movements (kind, amount, reason, who, at) "
            "VALUES ('paid_out', 5, ' ', 'x', 'now')",
        )


def test_a_parked_sale_refuses_the_z_and_nothing_is_written(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash_sale(journal, 1000)
    parked = sales.park_sale(journal, "R1", Sale().add_open_price(459, 11))
    audit_before = len(entries(journal))
    with pytest.raises(ZRefused, match=f"sales {parked} are parked"):
        close(auth, manager, journal, tmp_path, 1000)
    assert zdb.z_reports(journal) == []
    assert len(entries(journal)) == audit_before
    assert sales.load_sale(journal, parked).status == "parked"
    assert not (tmp_path / "bk").exists()
    assert reports.z_blockers(journal).parked_sales == (parked,)

    closed = close(auth, manager, journal, tmp_path, 1000, void_open=True)
    assert closed.voided == (parked,) and sales.load_sale(journal, parked).status == "voided"
    assert (closed.snapshot["voided"], closed.snapshot["voided_at_close"]) == (1, 1)


def test_a_live_payment_is_never_voided_by_a_z(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(990, 24))
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    with pytest.raises(ZRefused, match=f"a payment is running \\({attempt.reference}\\)"):
        close(auth, manager, journal, tmp_path, 0, void_open=True)
    assert zdb.z_reports(journal) == []


def test_a_part_paid_sale_walked_away_from_is_voided_with_its_cash_handed_back(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.opening_float(auth, manager, journal, 2000)
    sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(2000, 24))
    sales.take_cash(journal, sale_id, 1000, 1000)  # then the customer takes it back and goes
    with pytest.raises(ZRefused, match=f"sales {sale_id} are open"):
        close(auth, manager, journal, tmp_path, 2000)
    closed = close(auth, manager, journal, tmp_path, 2000, void_open=True)
    assert closed.voided == (sale_id,) and closed.snapshot["cash"]["expected"] == 2000
    assert sales.load_sale(journal, sale_id).sale.paid == 0  # its cash tender reversed
    z_row = [e for e in entries(journal) if e.action == "z.closed"][-1]
    assert z_row.details["cash_given_back_at_close"] == 1000


def test_only_a_manager_closes_a_z_or_moves_cash(
    tmp_path: Path, journal: Journal, auth: ManagerAuth
) -> None:
    cashier = auth.sign_in_cashier("Jón", "4826")
    with pytest.raises(NeedsManager):
        close(auth, cashier, journal, tmp_path, 0)
    with pytest.raises(NeedsManager):
        cash.paid_out(auth, cashier, journal, 100, "Kaffi")
    assert zdb.movements(journal) == [] and zdb.z_reports(journal) == []


def test_cash_movements_are_checked_audited_and_a_no_sale_kicks_the_drawer(
    journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    class Drawer:
        kicks = 0

        def kick(self) -> tuple[bool, str]:
            Drawer.kicks += 1
            return False, "No drawer is connected: open the drawer with the key."

    for bad in (
        lambda: cash.paid_in(auth, manager, journal, 100, "  "),
        lambda: cash.paid_out(auth, manager, journal, 0, "Kaffi"),
        lambda: cash.opening_float(auth, manager, journal, -5),
        lambda: cash.paid_out(auth, manager, journal, 100, "x" * 101),
    ):
        with pytest.raises(CashError):
            bad()
    cash.opening_float(auth, manager, journal, 5000)
    with pytest.raises(CashError, match=r"more than the drawer should hold \(5000 kr\.\)"):
        cash.paid_out(auth, manager, journal, 5001, "Vörur")
    moved = cash.no_sale(auth, manager, journal, drawer=Drawer())
    assert Drawer.kicks == 1 and "with the key" in moved.drawer_problem
    out = cash.paid_out(auth, manager, journal, 1200, "Mjólk  fyrir\tkaffistofu")
    assert out.movement.reason == "Mjólk fyrir kaffistofu"
    rows = [(e.actor, e.action, e.details.get("amount")) for e in entries(journal)][-3:]
    assert rows == [
        ("manager:Anna", "cash.no_sale", 0),
        ("manager:Anna", "drawer.open_with_key", None),  # the kick that could not be sent
        ("manager:Anna", "cash.paid_out", 1200),
    ]
    assert [m.kind for m in cash.open_movements(journal)] == ["float", "no_sale", "paid_out"]


def test_the_x_reads_beside_the_open_till_and_changes_nothing(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.opening_float(auth, manager, journal, 10_000)
    cash_sale(journal, 1500, tendered=2000)
    # the till is open: it holds the lock, and the X opens the journal read-only beside it
    with register_lock(tmp_path), Journal(journal.path, read_only=True) as reader:
        x = reports.x_report(reader)
        with pytest.raises(JournalError, match="read-only"):
            close(auth, manager, reader, tmp_path, 0)
    assert (x["kind"], x["next_z"], x["sales"], x["total"]) == ("X", 1, 1, 1500)
    assert (x["cash"]["expected"], x["cash"]["counted"], x["change_given"]) == (11_500, None, 500)
    assert zdb.z_reports(journal) == [] and len(zdb.movements(journal)) == 1


def test_the_x_on_a_journal_from_before_z_reports_says_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Journal(path):
        pass
    raw(path, "DROP TABLE z_reports")
    with (
        Journal(path, read_only=True) as reader,
        pytest.raises(JournalError, match="predates Z reports"),
    ):
        reports.x_report(reader)


def test_the_backup_opens_on_its_own_and_a_failed_backup_never_undoes_the_z(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash_sale(journal, 990)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    closed = reports.close_z(auth, manager, journal, counted=990, backup_dir=blocked)
    assert closed.backup is None and closed.csv is None
    assert len(closed.problems) == 2 and "backup was not written" in closed.problems[0]
    assert zdb.last_z(journal) is not None and zdb.last_z(journal).number == 1  # type: ignore[union-attr]

    cash_sale(journal, 1990)
    second = close(auth, manager, journal, tmp_path, 1990)
    assert second.problems == () and second.backup is not None
    with Journal(second.backup, read_only=True) as copy:
        assert [z.number for z in zdb.z_reports(copy)] == [1, 2]
        assert verify(copy, second.z.audit_head).ok
        assert [s.total for s in copy.recent_sales()] == [1990, 990]


def test_the_csv_for_the_accountant(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    sale = Sale().add_open_price(1240, 24).add_open_price(1110, 11).add_open_price(300, 0)
    sale_id = sales.save_sale(journal, "R1", sale)
    sales.take_cash(journal, sale_id, 2650, 3000)
    closed = close(auth, manager, journal, tmp_path, 2650)
    assert closed.csv is not None
    text = closed.csv.read_text(encoding="utf-8")
    stamp = closed.z.closed_at
    # 1 240 at 24 % holds 240 VAT; 1 110 at 11 % holds 110; 300 at 0 % none
    assert list(csv.reader(text.splitlines())) == [
        ["z_number", "closed_at", "section", "key", "gross", "vat", "net"],
        ["1", stamp, "sales_vat", "24", "1240", "240", "1000"],
        ["1", stamp, "sales_vat", "11", "1110", "110", "1000"],
        ["1", stamp, "sales_vat", "0", "300", "0", "300"],
        ["1", stamp, "net_vat", "24", "1240", "240", "1000"],
        ["1", stamp, "net_vat", "11", "1110", "110", "1000"],
        ["1", stamp, "net_vat", "0", "300", "0", "300"],
        ["1", stamp, "sales_tender", "cash", "2650", "", ""],
        ["1", stamp, "sales_tender", "netgiro", "0", "", ""],
        ["1", stamp, "refunds_tender", "cash", "0", "", ""],
        ["1", stamp, "refunds_tender", "netgiro", "0", "", ""],
        ["1", stamp, "total", "sales", "2650", "", ""],
    ]
    assert closed.csv.read_bytes().endswith(b"\r\n")


def test_a_sale_paid_with_a_clock_stepped_back_still_lands_in_the_next_z(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    close(auth, manager, journal, tmp_path, 0)
    sale_id = cash_sale(journal, 750)
    raw(
        journal.path,
        "UPDATE sales SET paid_at = '2000-01-01T00:00:00.000+00:00' WHERE id = ?",
        (sale_id,),
    )
    assert reports.x_report(journal)["total"] == 750
    assert close(auth, manager, journal, tmp_path, 750).snapshot["sales"] == 1


def test_reprinting_a_z_queues_an_afrit_copy_and_is_audited(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    closed = close(auth, manager, journal, tmp_path, 0)
    copy_id = reports.reprint_z(auth, manager, journal, 1)
    from pos.journal import print_jobs as jobs_db

    original, copy = jobs_db.job(journal, closed.job_id), jobs_db.job(journal, copy_id)
    assert (original.kind, copy.kind, copy.copy_no) == ("report", "copy", 1)
    assert copy.snapshot == original.snapshot and copy.snapshot["number"] == 1
    assert entries(journal)[-1].action == "z.reprinted"
    x_job = reports.print_x(journal, reports.x_report(journal))
    assert jobs_db.job(journal, x_job).snapshot["kind"] == "X"
    with pytest.raises(ZRefused):
        reports.print_x(journal, closed.snapshot)


@st.composite
def rung_sales(draw: st.DrawFn) -> list[Sale]:
    """Sales with lines at random rates, line and sale discounts (within the cashier's limits)."""
    found = []
    for _ in range(draw(st.integers(1, 5))):
        sale = Sale()
        for _ in range(draw(st.integers(1, 4))):
            sale = sale.add_open_price(draw(st.integers(1, 50_000)), draw(st.sampled_from(RATES)))
            if draw(st.booleans()):
                percent = draw(st.integers(1, 20))
                sale = sale.discount_line(None, Discount(DiscountKind.PERCENT, percent, "x"), LIMIT)
        if draw(st.booleans()):
            sale = sale.discount_sale(
                Discount(DiscountKind.PERCENT, draw(st.integers(1, 20)), "y"), LIMIT
            )
        if sale.total > 0:
            found.append(sale)
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rung_sales(), st.integers(0, 3))
def test_a_z_of_any_day_adds_up_by_rate_and_by_tender_to_its_total(
    day: list[Sale], change: int
) -> None:
    with tempfile.TemporaryDirectory() as folder, Journal(Path(folder) / "j.sqlite3") as journal:
        for sale in day:
            sale_id = sales.save_sale(journal, "R1", sale)
            sales.take_cash(journal, sale_id, sale.total, sale.total + change)
        z = zdb.close_z(journal, counted=0, manager="manager:Anna", at=NOW).z.snapshot
    total = sum(sale.total for sale in day)
    assert z["total"] == total
    assert sum(rate["gross"] for rate in z["by_rate"]) == total
    assert sum(z["by_tender"].values()) == total
    assert z["change_given"] == change * len(day)
    for rate in z["by_rate"]:
        assert rate["vat"] == (rate["gross"] * rate["rate"] + (100 + rate["rate"]) // 2) // (
            100 + rate["rate"]
        )


CLOSE_IN_A_CHILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from pos.journal import Journal
from pos.journal import z_reports as zdb
with Journal(Path(sys.argv[1])) as journal:
    zdb.close_z(journal, counted=int(sys.argv[2]), manager="manager:Anna", at=datetime.now(UTC))
print("closed")
"""


def test_a_kill_right_after_the_z_commits_leaves_a_whole_z_and_the_next_z_heals_its_csv(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    cash.opening_float(auth, manager, journal, 5000)
    cash_sale(journal, 1200)
    child = subprocess.run(
        [sys.executable, "-c", CLOSE_IN_A_CHILD, str(journal.path), "6200"],
        env={**os.environ, "POS_CRASH_AT": "journal.z_closed"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL and "closed" not in child.stdout
    [z] = zdb.z_reports(journal)  # all of it: the row, the stamps, the job, the audit row
    assert (z.number, z.expected, z.over_short) == (1, 6200, 0)
    assert [m.z_number for m in zdb.movements(journal, z_number=1)] == [1]
    assert zdb.z_job(journal, 1) is not None
    assert entries(journal)[-1].hash == z.audit_head and verify(journal, z.audit_head).ok

    second = close(auth, manager, journal, tmp_path, 0)
    assert sorted(p.name[:6] for p in (tmp_path / "bk").glob("*.csv")) == ["Z00001", "Z00002"]
    assert second.backup is not None


def test_voids_and_ended_payments_count_in_one_z_however_the_clock_steps(
    tmp_path: Path, journal: Journal, auth: ManagerAuth, manager: Session
) -> None:
    first_void = sales.park_sale(journal, "R1", Sale().add_open_price(300, 24))
    sales.void_sale(journal, first_void)
    z1 = close(auth, manager, journal, tmp_path, 0)
    assert z1.snapshot["voided"] == 1
    second_void = sales.park_sale(journal, "R1", Sale().add_open_price(400, 24))
    sales.void_sale(journal, second_void)
    raw(
        journal.path,
        "UPDATE sales SET status_at = '2000-01-01T00:00:00.000+00:00' WHERE id = ?",
        (second_void,),
    )  # voided while the clock was behind the last Z
    assert reports.x_report(journal)["voided"] == 1
    assert close(auth, manager, journal, tmp_path, 0).snapshot["voided"] == 1
    assert reports.x_report(journal)["voided"] == 0


def test_the_step_stamps_what_the_zs_before_it_counted(
    tmp_path: Path, auth: ManagerAuth, manager: Session, journal: Journal
) -> None:
    void = sales.park_sale(journal, "R1", Sale().add_open_price(300, 24))
    sales.void_sale(journal, void)
    close(auth, manager, journal, tmp_path, 0)
    path = journal.path
    db = sqlite3.connect(path)
    for drop in (  # as the journal was before step 0012 (and the index steps after it)
        "TABLE z_counted",
        "INDEX attempts_pending",
        "INDEX attempt_events_settled",
        "INDEX sales_voided",
        "INDEX attempts_ended",
    ):
        db.execute(f"DROP {drop}")
    db.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Journal(path) as upgraded:
        assert reports.x_report(upgraded)["voided"] == 0  # Z 1 counted it: not again
        stamped = upgraded._db.execute("SELECT kind, row_id, z_number FROM z_counted").fetchall()
        assert [tuple(row) for row in stamped] == [("void", void, 1)]


class CountingDrawer:
    """A drawer that opens, or one that cannot (a printer offline), counting its kicks."""

    def __init__(self, opens: bool) -> None:
        self.opens, self.kicks = opens, 0

    def kick(self) -> tuple[bool, str]:
        self.kicks += 1
        return (
            (True, "") if self.opens else (False, "The printer is offline: open it with the key.")
        )


@pytest.mark.parametrize("opens", [True, False])
def test_a_cash_movement_kicks_the_drawer_and_audits_the_kick_as_the_till_does(
    journal: Journal, auth: ManagerAuth, manager: Session, opens: bool
) -> None:
    """`pos cash nosale` kicked the drawer without the `drawer.kicked` / `drawer.open_with_key`
    row every till kick writes (the movement itself was audited)."""
    drawer = CountingDrawer(opens)
    moved = cash.no_sale(auth, manager, journal, reason="Skipt í smápeninga", drawer=drawer)
    assert drawer.kicks == 1
    assert moved.drawer_problem == (
        "" if opens else "The printer is offline: open it with the key."
    )
    action = "drawer.kicked" if opens else "drawer.open_with_key"
    [row] = entries(journal, actions=(action,))
    assert row.actor == manager.actor and row.details["why"] == "no_sale"
