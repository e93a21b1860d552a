"""Refunds by line end to end over real loopback: a paid sale found by its receipt, VAT split by
rate, cash from the drawer capped by the cash taken, a split sale refunded cash first, Netgíró
parts through the sandbox's Partner API and the fault proxy, one slip queued for printing, and
the journal, the sandbox and the audit chain agreeing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos.core.errors import ConfigError
from pos.core.receipt_layout import text_lines
from pos.core.refund_plan import RefundPlanError
from pos.core.refund_slip import layout_refund_slip
from pos.journal import Journal, sales
from pos.journal.audit import entries, verify
from pos.journal.print_jobs import jobs
from pos.journal.refund_slips import SlipRecord, slips
from pos.journal.refund_totals import RefundTotal, refund_totals, unknown_refunds
from pos.journal.refunds import RefundRefused, refunds, requested_to_unknown
from pos.netgiro.client import Timeouts
from pos.netgiro.partner import PartnerClient
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.people import PeopleFile, Person, hash_pin
from pos.services.line_refunds import LineRefunds, cash_paid_out
from pos.services.manager_auth import ManagerAuth, NeedsManager, Session
from pos.services.refunds import NetgiroRefunds
from tests.services.refund_support import (
    APP,
    LINE_SALE_TOTAL,
    line_sale,
    netgiro_pays,
    paid_cart,
    sandbox_refunds,
)
from tests.support.fault_proxy import Fault, FaultProxy

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = (T0 - timedelta(hours=12), T0 + timedelta(hours=12))
FAST = Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0)
REYKJAVIK = UTC  # Atlantic/Reykjavik is UTC all year; the layout reads no zone files


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxSettings(state_file=tmp_path / "sandbox.sqlite3", port=0)) as run:
        yield run


@pytest.fixture
def proxy(sandbox: RunningSandbox) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", sandbox.port) as running:
        yield running


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    header = {"name": "Búðin ehf.", "address": "Laugavegi 1", "kennitala": "", "vsk_number": ""}
    with Journal(tmp_path / "journal.sqlite3", store_id="S1", receipt_header=header) as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


@pytest.fixture
def anna(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


@pytest.fixture
async def partner(proxy: FaultProxy) -> AsyncIterator[PartnerClient]:
    async with PartnerClient(proxy.base_url("/partner/"), APP.secret_key, timeouts=FAST) as client:
        yield client


@pytest.fixture
def service(journal: Journal, partner: PartnerClient, auth: ManagerAuth) -> LineRefunds:
    return LineRefunds(journal, partner, auth)


async def netgiro_sale(sandbox: RunningSandbox, journal: Journal, cash: int = 0) -> int:
    """The line sale: ``cash`` krónur in cash first (if any), the balance by a sandbox cart."""
    sale_id = line_sale(journal)
    if cash:
        assert not sales.take_cash(journal, sale_id, cash, cash).paid
    transaction_id = await paid_cart(sandbox, LINE_SALE_TOTAL - cash)
    netgiro_pays(journal, sale_id, transaction_id)
    assert sales.load_sale(journal, sale_id).status == "paid"
    return sale_id


def receipt_of(journal: Journal, sale_id: int) -> int:
    number = sales.load_sale(journal, sale_id).receipt_no
    assert number is not None
    return number


def slip_jobs(journal: Journal) -> list[dict[str, object]]:
    return [job.snapshot for job in jobs(journal) if job.kind == "refund_slip"]


def by_tender(record: SlipRecord) -> dict[str, tuple[int, str]]:
    return {r.tender: (r.amount, r.status) for r in record.refunds}


def audit_actions(journal: Journal) -> list[str]:
    return [row.action for row in entries(journal) if row.action.startswith("refund.")]


async def test_a_netgiro_sale_is_refunded_by_line_with_vat_split_by_rate(
    service: LineRefunds,
    anna: Session,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    sale_id = await netgiro_sale(sandbox, journal)
    code = f"S1-R1-R{receipt_of(journal, sale_id)}"
    record = await service.refund(anna, code, [(1, 1000), (2, 2000)], "Skilað")
    # one shirt 1 000 kr. (24 %), two of three milks 458 kr. (11 %): one Netgíró refund
    assert by_tender(record) == {"netgiro": (1458, "DONE")}
    (taken,) = sandbox_refunds(sandbox)
    assert (taken["refundAmount"], taken["reason"]) == (1458, "Skilað")
    assert refund_totals(journal._db, *DAY) == [
        RefundTotal("netgiro", 24, 1000, 1),
        RefundTotal("netgiro", 11, 458, 1),
    ]
    (slip,) = slip_jobs(journal)
    assert slip["vat"] == [
        {"rate": 24, "gross": 1000, "vat": 194},
        {"rate": 11, "gross": 458, "vat": 45},
    ]
    assert (slip["receipt_code"], slip["total"], slip["manager"]) == (code, 1458, "manager:Anna")
    assert audit_actions(journal) == ["refund.requested", "refund.done"]
    assert verify(journal).ok
    # what is left: one shirt and one milk; asking for two shirts more is refused before sending
    with pytest.raises(RefundPlanError, match="more than is left"):
        await service.refund(anna, code, [(1, 2000)], "Again")
    rest = await service.refund(anna, code, [(1, None), (2, None)], "The rest")
    assert by_tender(rest) == {"netgiro": (LINE_SALE_TOTAL - 1458, "DONE")}
    assert sum(int(str(r["refundAmount"])) for r in sandbox_refunds(sandbox)) == LINE_SALE_TOTAL
    assert len([e for e in proxy.log if e.path.endswith("/partner/refund")]) == 2


async def test_a_cash_refund_comes_from_the_drawer_capped_by_the_cash_taken(
    journal: Journal, auth: ManagerAuth, anna: Session, tmp_path: Path
) -> None:
    service = LineRefunds(journal, ConfigError("no Partner API on this register"), auth)
    sale_id = line_sale(journal)
    assert sales.take_cash(journal, sale_id, LINE_SALE_TOTAL, 5000).paid  # 2 313 kr. change
    number = str(receipt_of(journal, sale_id))
    record = await service.refund(anna, number, [(1, None), (2, None)], "Skilað")
    assert by_tender(record) == {"cash": (LINE_SALE_TOTAL, "DONE")}
    assert cash_paid_out(record) == LINE_SALE_TOTAL  # not the 5 000 handed over
    assert refund_totals(journal._db, *DAY) == [
        RefundTotal("cash", 24, 2000, 1),
        RefundTotal("cash", 11, 687, 1),
    ]
    with pytest.raises(RefundPlanError, match="more than is left"):
        await service.refund(anna, number, [(2, 1000)], "Again")
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    try:  # the schema itself refuses one króna more, whatever writes it
        with pytest.raises(sqlite3.IntegrityError, match="exceed the cash"):
            db.execute(
                "INSERT INTO refunds (sale_id, tender, amount, idempotency_key, reason, manager, "
                "created_at, updated_at) VALUES (?, 'cash', 1, 'raw', 'r', 'm', 'x', 'x')",
                (sale_id,),
            )
    finally:
        db.close()
    assert verify(journal).ok


async def test_a_split_sale_is_refunded_cash_first_then_netgiro(
    service: LineRefunds, anna: Session, sandbox: RunningSandbox, journal: Journal
) -> None:
    sale_id = await netgiro_sale(sandbox, journal, cash=1500)
    number = str(receipt_of(journal, sale_id))
    first = await service.refund(anna, number, [(1, 1000)], "Skilað")
    assert by_tender(first) == {"cash": (1000, "DONE")}  # cash covers it: no Netgíró call
    assert sandbox_refunds(sandbox) == []
    second = await service.refund(anna, number, [(1, 1000), (2, 1000)], "Skilað")
    assert by_tender(second) == {"cash": (500, "DONE"), "netgiro": (729, "DONE")}
    assert [r["refundAmount"] for r in sandbox_refunds(sandbox)] == [729]
    third = await service.refund(anna, number, [(2, None)], "Skilað")
    assert by_tender(third) == {"netgiro": (458, "DONE")}
    assert refund_totals(journal._db, *DAY) == [
        RefundTotal("cash", 24, 1500, 2),
        RefundTotal("netgiro", 24, 500, 1),
        RefundTotal("netgiro", 11, 687, 2),
    ]
    assert len(slip_jobs(journal)) == 3


async def test_a_failed_netgiro_part_holds_the_cash_back_and_prints_nothing(
    service: LineRefunds,
    anna: Session,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    sale_id = await netgiro_sale(sandbox, journal, cash=500)
    proxy.arm("/partner/refund", Fault.UNAUTHORIZED)
    record = await service.refund(anna, str(receipt_of(journal, sale_id)), [(1, None)], "Skilað")
    assert by_tender(record) == {"cash": (500, "FAILED"), "netgiro": (1500, "FAILED")}
    assert cash_paid_out(record) == 0
    assert slip_jobs(journal) == [] and sandbox_refunds(sandbox) == []
    again = await service.refund(anna, str(receipt_of(journal, sale_id)), [(1, None)], "Skilað")
    assert by_tender(again) == {"cash": (500, "DONE"), "netgiro": (1500, "DONE")}


async def test_a_lost_answer_leaves_netgiro_unknown_the_cash_paid_and_the_slip_says_so(
    service: LineRefunds,
    partner: PartnerClient,
    auth: ManagerAuth,
    anna: Session,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    sale_id = await netgiro_sale(sandbox, journal, cash=500)
    proxy.arm("/partner/refund", Fault.ANSWER_DROPPED)
    record = await service.refund(anna, str(receipt_of(journal, sale_id)), [(1, None)], "Skilað")
    assert by_tender(record) == {"cash": (500, "DONE"), "netgiro": (1500, "REFUND_UNKNOWN")}
    assert refund_totals(journal._db, *DAY) == [RefundTotal("cash", 24, 500, 1)]
    (unknown,) = unknown_refunds(journal._db)
    assert (unknown.amount, unknown.receipt_no) == (1500, receipt_of(journal, sale_id))
    (slip,) = slip_jobs(journal)
    text = "\n".join(text_lines(layout_refund_slip(slip, width=42, tz=REYKJAVIK)))
    assert "ÓSTAÐFEST" in text
    netgiro = next(r for r in record.refunds if r.tender == "netgiro")
    settled = NetgiroRefunds(journal, partner, auth).settle(
        anna, netgiro.id, "DONE", "Portal: 1 500 kr. refunded"
    )
    assert settled.status == "DONE"
    assert len(sandbox_refunds(sandbox)) == 1
    assert sum(r.amount for r in refunds(journal) if r.status == "DONE") == 2000
    assert verify(journal).ok


@pytest.mark.parametrize(
    ("fault", "status", "reached_netgiro"),
    [
        (Fault.REFUSED, "FAILED", False),
        (Fault.CONNECT_TIMEOUT, "FAILED", False),
        (Fault.ANSWER_DROPPED, "REFUND_UNKNOWN", True),
        (Fault.TRUNCATED_BODY, "REFUND_UNKNOWN", True),
        (Fault.RESET_MID_ANSWER, "REFUND_UNKNOWN", True),
        (Fault.HTTP_500, "REFUND_UNKNOWN", True),
        (Fault.MALFORMED_JSON, "DONE", True),
        (Fault.UNAUTHORIZED, "FAILED", False),
    ],
)
async def test_the_fault_matrix_on_a_line_refund_never_refunds_twice_nor_loses_one(
    service: LineRefunds,
    anna: Session,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
    fault: Fault,
    status: str,
    reached_netgiro: bool,
) -> None:
    sale_id = await netgiro_sale(sandbox, journal)
    if fault in (Fault.REFUSED, Fault.CONNECT_TIMEOUT):
        proxy.arm_connect_fault(fault, hold_s=None)
    else:
        proxy.arm("/partner/refund", fault)
    record = await service.refund(anna, str(receipt_of(journal, sale_id)), [(2, 1000)], "Skilað")
    proxy.reopen()
    assert by_tender(record) == {"netgiro": (229, status)}
    taken = sandbox_refunds(sandbox)
    assert len(taken) == int(reached_netgiro)
    done = sum(r.amount for r in refunds(journal) if r.status == "DONE")
    unknown = sum(r.amount for r in refunds(journal) if r.status == "REFUND_UNKNOWN")
    assert done + unknown == sum(int(str(r["refundAmount"])) for r in taken)
    assert len(slip_jobs(journal)) == (0 if status == "FAILED" else 1)
    assert verify(journal).ok


async def test_a_receipt_from_another_register_or_unpaid_is_refused(
    service: LineRefunds, anna: Session, journal: Journal
) -> None:
    sale_id = line_sale(journal)
    assert sales.take_cash(journal, sale_id, LINE_SALE_TOTAL, LINE_SALE_TOTAL).paid
    number = receipt_of(journal, sale_id)
    with pytest.raises(RefundRefused, match="another store or register"):
        await service.refund(anna, f"S1-R9-R{number}", [(1, 1000)], "Skilað")
    with pytest.raises(RefundRefused, match="not in this register's journal"):
        await service.refund(anna, str(number + 1), [(1, 1000)], "Skilað")
    assert slips(journal) == []


async def test_only_a_manager_refunds_and_nothing_is_journaled_otherwise(
    service: LineRefunds, auth: ManagerAuth, anna: Session, journal: Journal
) -> None:
    sale_id = line_sale(journal)
    assert sales.take_cash(journal, sale_id, LINE_SALE_TOTAL, LINE_SALE_TOTAL).paid
    number = str(receipt_of(journal, sale_id))
    shift = auth.sign_in_cashier("Jón", "4826")
    with pytest.raises(NeedsManager):
        await service.refund(shift, number, [(1, 1000)], "Skilað")
    with pytest.raises(RefundPlanError, match="no line 3"):
        await service.refund(anna, number, [(3, 1000)], "Skilað")
    assert slips(journal) == [] and refunds(journal) == []


CHILD = """
import asyncio, sys
from pathlib import Path
from pos.journal import Journal
from pos.netgiro.partner import PartnerClient
from pos.people import PeopleFile
from pos.services.manager_auth import ManagerAuth
from pos.services.line_refunds import LineRefunds

journal_file, people_file, base_url, secret, receipt = sys.argv[1:]

async def main() -> None:
    with Journal(Path(journal_file)) as journal:
        auth = ManagerAuth(PeopleFile(Path(people_file)), journal)
        async with PartnerClient(base_url, secret) as partner:
            service = LineRefunds(journal, partner, auth)
            session = auth.enter_manager_mode("Anna", "480263")
            print(await service.refund(session, receipt, [(1, None)], "Returned"))

asyncio.run(main())
"""


@pytest.mark.parametrize(
    ("point", "sent", "cash_after_restart"),
    [
        ("journal.refund_requested", 0, "FAILED"),
        ("netgiro.refund.before_send", 0, "FAILED"),
        ("netgiro.refund.after_receive", 1, "FAILED"),
        ("journal.refund_finished", 1, "DONE"),
    ],
)
async def test_a_kill_at_each_step_pays_no_cash_unrecorded_and_sends_netgiro_once(
    journal: Journal,
    auth: ManagerAuth,
    sandbox: RunningSandbox,
    tmp_path: Path,
    point: str,
    sent: int,
    cash_after_restart: str,
) -> None:
    sale_id = await netgiro_sale(sandbox, journal, cash=500)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(tmp_path / "journal.sqlite3"),
            str(tmp_path / "people.json"),
            f"{sandbox.root_url}partner/",
            APP.secret_key,
            str(receipt_of(journal, sale_id)),
        ],
        env={**os.environ, "POS_CRASH_AT": point},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()  # SIGKILL at the armed point
    requested_to_unknown(journal, at=T0)  # what every manager command does first
    (slip,) = slips(journal)
    assert by_tender(slip)["cash"] == (500, cash_after_restart)
    netgiro = by_tender(slip)["netgiro"]
    assert netgiro == (1500, "DONE" if cash_after_restart == "DONE" else "REFUND_UNKNOWN")
    assert len(sandbox_refunds(sandbox)) == sent
    assert len(slip_jobs(journal)) == (1 if cash_after_restart == "DONE" else 0)
    assert verify(journal).ok
