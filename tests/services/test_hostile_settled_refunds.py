"""Refunding a sale a manager settled as paid (found by a hostile pass), on a real journal."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.errors import ConfigError
from pos.core.refund_plan import RefundPlanError
from pos.core.result_codes import ConfirmationType
from pos.core.sale import TenderKind
from pos.journal import Journal, SaleLine, sales
from pos.journal.refund_slips import record_slip
from pos.journal.refunds import RefundRefused, request_refund
from pos.netgiro.partner import PartnerClient
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.people import PeopleFile, Person, hash_pin
from pos.services.line_refunds import LineRefunds
from pos.services.manager_auth import ManagerAuth
from pos.services.settling import settle_sale
from tests.services.refund_support import (
    APP,
    LINE_SALE_TOTAL,
    line_sale,
    paid_cart,
    sandbox_refunds,
)

TRANSACTION = "a6a00924-8ed0-44cd-b78d-9137f4570a0d"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3", store_id="S1") as opened:
        yield opened


def settled_paid_sale(
    tmp_path: Path, journal: Journal, phase: Phase, transaction_id: str | None
) -> ManagerAuth:
    """A 900 kr. sale whose payment ended ``phase`` and a manager settled paid (receipt 1)."""
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    auth = ManagerAuth(people, journal)
    sale = journal.create_sale("R1", [SaleLine("1", "Kaffi", 900, 1000, 900)])
    state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
    attempt = journal.begin_attempt(sale, "***-**81", state)
    ended = replace(state, phase=phase, live=False, transaction_id=transaction_id)
    journal.record(attempt.id, ended, event="ended", point="test.ended")
    anna = auth.enter_manager_mode("Anna", "480263")
    assert settle_sale(auth, anna, journal, attempt.reference, "paid", "Portal: paid").status == (
        "paid"
    )
    return auth


@pytest.mark.parametrize(
    ("phase", "transaction_id"),
    [(Phase.NEEDS_REVIEW, TRANSACTION), (Phase.UNKNOWN_ABANDONED, TRANSACTION)],
    ids=["needs-review", "unknown-abandoned"],
)
def test_a_sale_settled_paid_with_a_transaction_is_refunded_through_netgiro(
    tmp_path: Path, journal: Journal, phase: Phase, transaction_id: str
) -> None:
    """DEFECT 8 (hostile): the money is at Netgíró under its TransactionId, as for any sale."""
    auth = settled_paid_sale(tmp_path, journal, phase, transaction_id)
    service = LineRefunds(journal, ConfigError("no Partner API in this test"), auth)
    basis, plan = service.plan("1", [(1, None)])
    ((part),) = plan.parts
    assert (plan.total, part.kind, part.amount) == (900, TenderKind.NETGIRO, 900)
    assert basis.transaction_ids[part.attempt_id or 0] == TRANSACTION
    slip = record_slip(
        journal, basis, plan, manager="manager:Anna", reason="x", keys=["k-1"], at=T0
    )
    (row,) = slip.refunds
    assert (row.transaction_id, row.amount, row.status) == (TRANSACTION, 900, "REQUESTED")


@pytest.mark.parametrize(
    ("phase", "transaction_id"),
    [(Phase.NEEDS_REVIEW, None), (Phase.UNKNOWN_ABANDONED, None)],
    ids=["needs-review", "unknown-abandoned"],
)
def test_a_sale_settled_paid_with_no_transaction_is_refused_in_true_words(
    tmp_path: Path, journal: Journal, phase: Phase, transaction_id: str | None
) -> None:
    auth = settled_paid_sale(tmp_path, journal, phase, transaction_id)
    service = LineRefunds(journal, ConfigError("no Partner API in this test"), auth)
    with pytest.raises(RefundPlanError) as refused:
        service.plan("1", [(1, None)])
    said = refused.value.message
    assert "settled by hand with no Netgíró transaction" in said, said
    assert "refund it in Netgíró's portal" in said
    assert "earlier refund" not in said
    with pytest.raises(RefundRefused) as by_amount:  # `pos refund send 1 900`: the same words
        request_refund(
            journal,
            sale_id=1,
            amount=900,
            reason="x",
            manager="manager:Anna",
            idempotency_key="k-1",
            at=T0,
        )
    assert "settled by hand with no Netgíró transaction" in by_amount.value.message
    assert "no paid Netgíró payment" not in by_amount.value.message


@pytest.mark.parametrize("phase", [Phase.NEEDS_REVIEW, Phase.UNKNOWN_ABANDONED])
def test_a_sale_settled_paid_with_a_transaction_is_refunded_by_amount_too(
    tmp_path: Path, journal: Journal, phase: Phase
) -> None:
    """The hostile's shell case: `pos refund send 6 1147` said 'no paid Netgíró payment'."""
    settled_paid_sale(tmp_path, journal, phase, TRANSACTION)
    asked = request_refund(
        journal,
        sale_id=1,
        amount=900,
        reason="x",
        manager="manager:Anna",
        idempotency_key="k-1",
        at=T0,
    )
    assert (asked.transaction_id, asked.amount, asked.status) == (TRANSACTION, 900, "REQUESTED")
    with pytest.raises(RefundRefused, match="more than is left"):
        request_refund(
            journal,
            sale_id=1,
            amount=1,
            reason="x",
            manager="manager:Anna",
            idempotency_key="k-2",
            at=T0,
        )


def test_the_trigger_takes_a_refund_of_a_settled_payment_up_to_what_it_took(
    tmp_path: Path, journal: Journal
) -> None:
    """Raw SQL, past the Python rule: step 0015's trigger says the same."""
    settled_paid_sale(tmp_path, journal, Phase.NEEDS_REVIEW, TRANSACTION)
    insert = (
        "INSERT INTO refunds (sale_id, tender, attempt_id, transaction_id, amount, "
        "idempotency_key, reason, manager, created_at, updated_at) "
        "VALUES (1, 'netgiro', 1, ?, ?, ?, 'x', 'manager:Anna', '2026', '2026')"
    )
    db = sqlite3.connect(tmp_path / "journal.sqlite3", isolation_level=None)
    try:
        db.execute(insert, (TRANSACTION, 600, "k-1"))
        with pytest.raises(sqlite3.IntegrityError, match="exceed"):
            db.execute(insert, (TRANSACTION, 301, "k-2"))
        db.execute(insert, (TRANSACTION, 300, "k-3"))
        with pytest.raises(sqlite3.IntegrityError, match="exceed"):
            db.execute(insert, ("another-transaction", 1, "k-4"))
    finally:
        db.close()


def test_the_trigger_refuses_a_payment_settled_paid_with_no_transaction(
    tmp_path: Path, journal: Journal
) -> None:
    settled_paid_sale(tmp_path, journal, Phase.UNKNOWN_ABANDONED, None)
    db = sqlite3.connect(tmp_path / "journal.sqlite3", isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="exceed"):
            db.execute(
                "INSERT INTO refunds (sale_id, tender, attempt_id, transaction_id, amount, "
                "idempotency_key, reason, manager, created_at, updated_at) "
                "VALUES (1, 'netgiro', 1, 'made-up', 1, 'k-1', 'x', 'manager:Anna', '2026', "
                "'2026')"
            )
    finally:
        db.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxSettings(state_file=tmp_path / "sandbox.sqlite3", port=0)) as run:
        yield run


async def test_a_split_sale_settled_paid_is_refunded_cash_first_then_through_netgiro(
    tmp_path: Path, journal: Journal, sandbox: RunningSandbox
) -> None:
    """End to end: 1 000 kr. cash, the rest by a Netgíró cart whose answer was lost (NEEDS_REVIEW,
    its TransactionId known); a manager read the portal and settled it paid. All of it back:
    the cash from the drawer, the rest to that TransactionId through the Partner API."""
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    auth = ManagerAuth(people, journal, clock=lambda: T0)
    anna = auth.enter_manager_mode("Anna", "480263")
    sale_id = line_sale(journal)
    assert not sales.take_cash(journal, sale_id, 1000, 1000).paid
    cart = await paid_cart(sandbox, LINE_SALE_TOTAL - 1000)
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    lost = replace(attempt.state, phase=Phase.NEEDS_REVIEW, transaction_id=cart, live=False)
    journal.record(attempt.id, lost, event="answer_lost", point="test.lost")
    settle_sale(auth, anna, journal, attempt.reference, "paid", "Portal: paid")
    receipt = sales.load_sale(journal, sale_id).receipt_no
    async with PartnerClient(f"{sandbox.root_url}partner/", APP.secret_key) as partner:
        service = LineRefunds(journal, partner, auth)
        slip = await service.refund(anna, str(receipt), [(1, None), (2, None)], "Skilað")
    assert [(r.tender, r.amount, r.status) for r in slip.refunds] == [
        ("cash", 1000, "DONE"),
        ("netgiro", LINE_SALE_TOTAL - 1000, "DONE"),
    ]
    (sent,) = sandbox_refunds(sandbox)
    assert (sent["transactionId"], sent["refundAmount"]) == (cart, LINE_SALE_TOTAL - 1000)
