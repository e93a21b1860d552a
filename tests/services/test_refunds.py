"""Netgíró refunds end to end over real loopback: the sandbox's Partner API, the fault proxy, the
journal and its audit chain. A refund is journaled before it is sent, sent once, and a lost
answer leaves it REFUND_UNKNOWN until a manager records what Netgíró's portal shows."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.errors import ConfigError, InputError
from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_APPLICATIONS
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.journal.audit import entries, verify
from pos.journal.refunds import RefundRefused, refunds, request_refund
from pos.netgiro.client import Timeouts
from pos.netgiro.errors import AnswerSaysNo, Refused
from pos.netgiro.partner import PartnerClient, RefundRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, NeedsManager, Session
from pos.services.refunds import NetgiroRefunds, partner_base_url
from tests.services.refund_support import journal_paid_sale, paid_cart, sandbox_refunds
from tests.support.fault_proxy import Fault, FaultProxy

APP = FIRST_TEST_APPLICATION
TOTAL = 1990
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FAST = Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0)


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
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Bjarni", "manager", hash_pin("739154", log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


@pytest.fixture
async def partner(proxy: FaultProxy) -> AsyncIterator[PartnerClient]:
    async with PartnerClient(proxy.base_url("/partner/"), APP.secret_key, timeouts=FAST) as client:
        yield client


@pytest.fixture
def refunds_service(journal: Journal, partner: PartnerClient, auth: ManagerAuth) -> NetgiroRefunds:
    return NetgiroRefunds(journal, partner, auth)


@pytest.fixture
def anna(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


@dataclass
class PaidSale:
    sale_id: int
    transaction_id: str


@pytest.fixture
async def paid(sandbox: RunningSandbox, journal: Journal) -> PaidSale:
    transaction_id = await paid_cart(sandbox)
    return PaidSale(journal_paid_sale(journal, transaction_id), transaction_id)


def refund_calls(proxy: FaultProxy) -> list[Any]:
    return [event for event in proxy.log if event.path.endswith("/partner/refund")]


def audit_actions(journal: Journal) -> list[str]:
    return [row.action for row in entries(journal) if row.action.startswith("refund.")]


# --- end to end ---------------------------------------------------------------------------------


async def test_a_refund_is_journaled_sent_once_and_done(
    refunds_service: NetgiroRefunds,
    anna: Session,
    paid: PaidSale,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    done = await refunds_service.refund(anna, paid.sale_id, 990, "Peysan skilað")
    assert (done.status, done.amount, done.manager) == ("DONE", 990, "manager:Anna")
    (taken,) = sandbox_refunds(sandbox)
    assert taken["transactionId"] == paid.transaction_id
    assert (taken["refundAmount"], taken["idempotencyKey"]) == (990, done.idempotency_key)
    assert taken["reason"] == "Peysan skilað"
    assert len(refund_calls(proxy)) == 1
    assert refunds_service.left_to_refund(paid.sale_id) == TOTAL - 990
    assert audit_actions(journal) == ["refund.requested", "refund.done"]
    assert verify(journal).ok
    info = await refunds_service.look_up(anna, paid.transaction_id)
    assert (info.status, info.is_refundable) == ("Paid", True)  # a partial refund does not show


async def test_an_answer_dropped_is_refund_unknown_never_resent_and_settled_by_a_manager(
    refunds_service: NetgiroRefunds,
    auth: ManagerAuth,
    anna: Session,
    paid: PaidSale,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    proxy.arm("/partner/refund", Fault.ANSWER_DROPPED)
    unknown = await refunds_service.refund(anna, paid.sale_id, 990, "Returned")
    assert unknown.status == "REFUND_UNKNOWN"
    assert "check the refund in Netgíró's portal" in unknown.note
    assert proxy.faults_applied("/partner/refund") == [Fault.ANSWER_DROPPED]
    assert len(refund_calls(proxy)) == 1  # sent once
    assert refunds_service.recover() == []  # nothing resends it, and no start-up step either
    assert len(refund_calls(proxy)) == 1
    assert [r["idempotencyKey"] for r in sandbox_refunds(sandbox)] == [unknown.idempotency_key]
    # The unknown refund still counts against what is left: no second refund of the same money.
    with pytest.raises(RefundRefused, match="more than is left"):
        await refunds_service.refund(anna, paid.sale_id, 1500, "Again")
    assert len(refund_calls(proxy)) == 1
    bjarni = auth.enter_manager_mode("Bjarni", "739154")
    settled = refunds_service.settle(bjarni, unknown.id, "DONE", "Portal: refund 990 kr. taken")
    assert (settled.status, settled.settled_by) == ("DONE", "manager:Bjarni")
    done = [r for r in refunds(journal) if r.status == "DONE"]
    assert sum(r.amount for r in done) == sum(r["refundAmount"] for r in sandbox_refunds(sandbox))
    assert audit_actions(journal) == ["refund.requested", "refund.unknown", "refund.settled"]
    settled_row = next(row for row in entries(journal) if row.action == "refund.settled")
    assert settled_row.actor == "manager:Bjarni"
    assert settled_row.details["outcome"] == "DONE"
    assert verify(journal).ok
    with pytest.raises(RefundRefused, match="only an unknown refund"):
        refunds_service.settle(bjarni, unknown.id, "FAILED", "changed my mind")


@pytest.mark.parametrize(
    ("fault", "status", "reached_netgiro"),
    [
        (Fault.REFUSED, "FAILED", False),
        (Fault.CONNECT_TIMEOUT, "FAILED", False),
        (Fault.ANSWER_DROPPED, "REFUND_UNKNOWN", True),
        (Fault.TRUNCATED_BODY, "REFUND_UNKNOWN", True),
        (Fault.RESET_MID_ANSWER, "REFUND_UNKNOWN", True),
        (Fault.HTTP_500, "REFUND_UNKNOWN", True),
        (Fault.MALFORMED_JSON, "DONE", True),  # success is HTTP 200; the body is ignored
        (Fault.UNAUTHORIZED, "FAILED", False),
    ],
)
async def test_the_fault_matrix_never_refunds_twice_nor_loses_one(
    refunds_service: NetgiroRefunds,
    anna: Session,
    paid: PaidSale,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
    fault: Fault,
    status: str,
    reached_netgiro: bool,
) -> None:
    if fault in (Fault.REFUSED, Fault.CONNECT_TIMEOUT):
        proxy.arm_connect_fault(fault, hold_s=None)
    else:
        proxy.arm("/partner/refund", fault)
    record = await refunds_service.refund(anna, paid.sale_id, 500, "Returned")
    proxy.reopen()
    assert record.status == status
    taken = sandbox_refunds(sandbox)
    assert len(taken) == int(reached_netgiro)  # at most once, whatever the fault
    assert len(refund_calls(proxy)) <= 1
    assert refunds_service.recover() == []  # nothing is resent at start either
    assert len(sandbox_refunds(sandbox)) == len(taken)
    if record.status == "REFUND_UNKNOWN":  # only the portal can tell: the manager records it
        refunds_service.settle(anna, record.id, "DONE", "Portal: 500 kr. refunded")
    done = sum(r.amount for r in refunds(journal) if r.status == "DONE")
    assert done == sum(int(str(r["refundAmount"])) for r in taken)  # journal and sandbox agree
    assert verify(journal).ok


async def test_a_refund_that_never_left_is_failed_and_may_be_made_again(
    refunds_service: NetgiroRefunds,
    anna: Session,
    paid: PaidSale,
    sandbox: RunningSandbox,
    proxy: FaultProxy,
    journal: Journal,
) -> None:
    proxy.arm_connect_fault(Fault.REFUSED, hold_s=None)
    failed = await refunds_service.refund(anna, paid.sale_id, 990, "Returned")
    assert failed.status == "FAILED"
    assert "nothing was refunded" in failed.note and "You may refund again" in failed.note
    assert sandbox_refunds(sandbox) == []
    assert refunds_service.left_to_refund(paid.sale_id) == TOTAL
    proxy.reopen()
    again = await refunds_service.refund(anna, paid.sale_id, 990, "Returned")
    assert again.status == "DONE" and again.idempotency_key != failed.idempotency_key
    assert audit_actions(journal) == [
        "refund.requested",
        "refund.failed",
        "refund.requested",
        "refund.done",
    ]


async def test_a_refund_netgiro_says_no_to_is_failed_with_its_words(
    refunds_service: NetgiroRefunds,
    anna: Session,
    paid: PaidSale,
    sandbox: RunningSandbox,
) -> None:
    # Someone refunded 1500 kr. in Netgíró's portal; the journal does not know.
    async with PartnerClient(f"{sandbox.root_url}partner/", APP.secret_key) as portal:
        await portal.refund(RefundRequest(paid.transaction_id, 1500, "portal-1", "In the portal"))
    failed = await refunds_service.refund(anna, paid.sale_id, 990, "Returned")
    assert failed.status == "FAILED"
    assert "HTTP 400" in failed.note and "more than is left" in failed.note
    assert len(sandbox_refunds(sandbox)) == 1


async def test_a_wrong_secret_is_refused_and_nothing_refunded(
    journal: Journal, auth: ManagerAuth, anna: Session, paid: PaidSale, sandbox: RunningSandbox
) -> None:
    async with PartnerClient(f"{sandbox.root_url}partner/", "not-the-secret") as wrong:
        failed = await NetgiroRefunds(journal, wrong, auth).refund(anna, paid.sale_id, 990, "x")
    assert failed.status == "FAILED" and "HTTP 401" in failed.note
    assert sandbox_refunds(sandbox) == []


async def test_a_crash_between_journal_and_answer_leaves_it_unknown_at_start(
    refunds_service: NetgiroRefunds, paid: PaidSale, journal: Journal, proxy: FaultProxy
) -> None:
    left = request_refund(
        journal,
        sale_id=paid.sale_id,
        amount=990,
        reason="Returned",
        manager="manager:Anna",
        idempotency_key="k-1",
        at=T0,
    )
    (recovered,) = refunds_service.recover()
    assert (recovered.id, recovered.status) == (left.id, "REFUND_UNKNOWN")
    assert refund_calls(proxy) == []  # recovery never sends


async def test_only_a_manager_refunds_and_the_input_is_checked_first(
    refunds_service: NetgiroRefunds,
    auth: ManagerAuth,
    anna: Session,
    paid: PaidSale,
    journal: Journal,
    proxy: FaultProxy,
) -> None:
    shift = auth.sign_in_cashier("Jón", "4826")
    with pytest.raises(NeedsManager):
        await refunds_service.refund(shift, paid.sale_id, 990, "Returned")
    with pytest.raises(InputError, match="at most 100"):
        await refunds_service.refund(anna, paid.sale_id, 990, "x" * 101)
    with pytest.raises(InputError, match="above 0"):
        await refunds_service.refund(anna, paid.sale_id, 0, "Returned")
    with pytest.raises(RefundRefused, match="more than is left"):
        await refunds_service.refund(anna, paid.sale_id, TOTAL + 1, "Returned")
    assert refunds(journal) == [] and refund_calls(proxy) == []


async def test_a_sale_without_a_netgiro_payment_has_nothing_to_refund(
    refunds_service: NetgiroRefunds, anna: Session, journal: Journal
) -> None:
    open_sale = journal.create_sale("R1", [SaleLine("1", "Peysa", 500, 1000, 500)])
    with pytest.raises(RefundRefused, match="no paid Netgíró payment"):
        await refunds_service.refund(anna, open_sale, 100, "Returned")


# --- the schema and the Partner API on their own -----------------------------------------------


async def test_the_schema_refuses_too_much_and_backward_moves(
    paid: PaidSale, journal: Journal, tmp_path: Path
) -> None:
    first = request_refund(
        journal,
        sale_id=paid.sale_id,
        amount=TOTAL,
        reason="All of it",
        manager="manager:Anna",
        idempotency_key="k-1",
        at=T0,
    )
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="exceed"):
            db.execute(
                "INSERT INTO refunds (sale_id, attempt_id, transaction_id, amount, "
                "idempotency_key, reason, manager, created_at, updated_at) "
                "SELECT sale_id, attempt_id, transaction_id, 1, 'k-2', 'more', manager, "
                "created_at, updated_at FROM refunds WHERE id = ?",
                (first.id,),
            )
        db.execute(
            "UPDATE refunds SET status = 'DONE', done_at = updated_at WHERE id = ?", (first.id,)
        )
        with pytest.raises(sqlite3.IntegrityError, match="only moves forward"):
            db.execute("UPDATE refunds SET status = 'REQUESTED' WHERE id = ?", (first.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never changes"):
            db.execute("UPDATE refunds SET amount = 1 WHERE id = ?", (first.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            db.execute("DELETE FROM refunds")
    finally:
        db.close()


async def test_the_partner_api_checks_the_token_and_knows_only_its_own_carts(
    sandbox: RunningSandbox, paid: PaidSale
) -> None:
    base = f"{sandbox.root_url}partner/"
    other = TEST_APPLICATIONS[1]
    async with PartnerClient(base, "wrong") as wrong, PartnerClient(base, other.secret_key) as it:
        with pytest.raises(Refused):
            await wrong.transaction(paid.transaction_id)
        with pytest.raises(AnswerSaysNo, match="HTTP 404"):
            await it.transaction(paid.transaction_id)  # another application's cart
        with pytest.raises(AnswerSaysNo, match="HTTP 404"):
            await it.refund(RefundRequest(paid.transaction_id, 1, "k", "r"))
    async with PartnerClient(base, APP.secret_key) as own:
        await own.refund(RefundRequest(paid.transaction_id, TOTAL, "k", "all of it"))
        info = await own.transaction(paid.transaction_id)
        assert (info.status, info.is_refundable) == ("Paid", False)
        assert info.settlement_date is not None
        with pytest.raises(InputError, match="not a Netgíró TransactionId"):
            await own.transaction("../sandbox/carts")


async def test_the_documented_fields_only(sandbox: RunningSandbox, paid: PaidSale) -> None:
    headers = {"token": APP.secret_key}
    async with httpx.AsyncClient(base_url=sandbox.root_url, headers=headers) as raw:
        answer = await raw.get(f"partner/transaction/{paid.transaction_id}")
        assert set(answer.json()) == {"status", "isRefundable", "settlementDate"}
        body = {"transactionId": paid.transaction_id, "refundAmount": 5, "idempotencyKey": "k"}
        said = await raw.post("partner/refund", json={**body, "reason": "r" * 101})
        assert said.status_code == 400
        taken = await raw.post("partner/refund", json={**body, "reason": "ok"})
        assert (taken.status_code, taken.content) == (200, b"")


def test_the_partner_url_is_configured_or_the_sandbox_beside_v1() -> None:
    assert partner_base_url("https://api.netgiro.is/v1/", "https://api.netgiro.is/partner/") == (
        "https://api.netgiro.is/partner/"
    )
    assert partner_base_url("http://127.0.0.1:8765/v1/", None) == "http://127.0.0.1:8765/partner/"
    with pytest.raises(ConfigError, match="partner_base_url"):
        partner_base_url("https://api.test.netgiro.is/v1/", None)


# --- the secret and the PINs, and a kill at every step ----------------------------------------


async def test_the_secret_and_the_pin_stay_out_of_journal_and_log(
    refunds_service: NetgiroRefunds,
    anna: Session,
    paid: PaidSale,
    proxy: FaultProxy,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    await refunds_service.refund(anna, paid.sale_id, 100, "Returned")
    proxy.arm("/partner/refund", Fault.ANSWER_DROPPED)
    await refunds_service.refund(anna, paid.sale_id, 100, "Returned")
    assert APP.secret_key not in caplog.text
    assert "480263" not in caplog.text
    for file in (tmp_path / name for name in ("journal.sqlite3", "journal.sqlite3-wal")):
        if file.exists():
            data = file.read_bytes()
            assert APP.secret_key.encode() not in data
            assert b"480263" not in data
    assert APP.secret_key not in repr(refunds_service.partner)


CHILD = """
import asyncio, sys
from pathlib import Path
from pos.journal import Journal
from pos.netgiro.partner import PartnerClient
from pos.people import PeopleFile
from pos.services.manager_auth import ManagerAuth
from pos.services.refunds import NetgiroRefunds

journal_file, people_file, base_url, secret, sale_id = sys.argv[1:]

async def main() -> None:
    with Journal(Path(journal_file)) as journal:
        auth = ManagerAuth(PeopleFile(Path(people_file)), journal)
        async with PartnerClient(base_url, secret) as partner:
            service = NetgiroRefunds(journal, partner, auth)
            session = auth.enter_manager_mode("Anna", "480263")
            print((await service.refund(session, int(sale_id), 990, "Returned")).status)

asyncio.run(main())
"""


@pytest.mark.parametrize(
    ("point", "sent", "after_restart"),
    [
        ("journal.refund_requested", 0, "REFUND_UNKNOWN"),
        ("netgiro.refund.before_send", 0, "REFUND_UNKNOWN"),
        ("netgiro.refund.after_receive", 1, "REFUND_UNKNOWN"),
        ("journal.refund_finished", 1, "DONE"),
    ],
)
async def test_a_kill_at_each_step_never_sends_twice(
    paid: PaidSale,
    journal: Journal,
    auth: ManagerAuth,
    sandbox: RunningSandbox,
    tmp_path: Path,
    point: str,
    sent: int,
    after_restart: str,
) -> None:
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(tmp_path / "journal.sqlite3"),
            str(tmp_path / "people.json"),
            f"{sandbox.root_url}partner/",
            APP.secret_key,
            str(paid.sale_id),
        ],
        env={**os.environ, "POS_CRASH_AT": point},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()  # SIGKILL at the armed point
    async with PartnerClient(f"{sandbox.root_url}partner/", APP.secret_key) as partner:
        restarted = NetgiroRefunds(journal, partner, auth)
        restarted.recover()
        (record,) = refunds(journal)
        assert record.status == after_restart
        assert len(sandbox_refunds(sandbox)) == sent
        if record.status == "REFUND_UNKNOWN":  # the manager reads the portal and settles it
            outcome = "DONE" if sent else "FAILED"
            settled = restarted.settle(
                auth.enter_manager_mode("Anna", "480263"),
                record.id,
                outcome,
                f"Portal shows {sent} refund(s)",
            )
            assert settled.status == outcome
    done = sum(r.amount for r in refunds(journal) if r.status == "DONE")
    assert done == sum(r["refundAmount"] for r in sandbox_refunds(sandbox))
    assert verify(journal).ok


async def test_a_double_charge_is_refunded_by_its_reference(
    refunds_service: NetgiroRefunds,
    anna: Session,
    sandbox: RunningSandbox,
    journal: Journal,
) -> None:
    """Attempt 1 looked cancelled, attempt 2 paid, then attempt 1 turned out paid too: the
    journal keeps it NEEDS_REVIEW (a double charge), and the manager refunds that one."""
    first_cart, second_cart = await paid_cart(sandbox), await paid_cart(sandbox)
    sale = journal.create_sale("R1", [SaleLine("1", "Peysa", TOTAL, 1000, TOTAL)])
    state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
    first = journal.begin_attempt(sale, "***-**81", state)
    journal.record(
        first.id,
        replace(state, phase=Phase.CANCELLED, live=False, transaction_id=first_cart),
        event="gone",
        point="t.1",
    )
    second = journal.begin_attempt(sale, "***-**81", state)
    journal.record(
        second.id,
        replace(state, phase=Phase.PAID, live=False, transaction_id=second_cart),
        event="paid",
        point="t.2",
    )
    late = journal.record(
        first.id,
        replace(state, phase=Phase.PAID, live=False, transaction_id=first_cart),
        event="late",
        point="t.3",
    )
    assert late.phase is Phase.NEEDS_REVIEW
    assert refunds_service.left_to_refund(sale) == TOTAL  # the sale's own payment
    done = await refunds_service.refund(
        anna, sale, TOTAL, "Double charge", reference=first.reference
    )
    assert (done.status, done.transaction_id) == ("DONE", first_cart)
    assert [r["transactionId"] for r in sandbox_refunds(sandbox)] == [first_cart]
    assert refunds_service.left_to_refund(sale, first.reference) == 0
    assert refunds_service.left_to_refund(sale) == TOTAL
    with pytest.raises(RefundRefused, match="not a paid Netgíró payment"):
        await refunds_service.refund(anna, sale, 1, "x", reference="S1-R1-nope-1-9")
