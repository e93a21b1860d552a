"""Sale statuses follow their attempts in the same commit; a paid sale stays paid; settling."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.checkout import Checkout, CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, JournalError, SaleLine, SaleNotPayable

LINE = SaleLine("123", "Kaffi", 450, 2000, 900)
TX = "0f6f2d0e-9c2b-4b7e-9d0a-5b7c3f1e2a11"


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def inserting() -> Checkout:
    return start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]


def end(journal: Journal, sale_id: int, phase: Phase) -> Checkout:
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    final = replace(attempt.state, phase=phase, transaction_id=TX, live=False)
    return journal.record(attempt.id, final, event="CheckAnswered", point="test.final")


def receipts(journal: Journal, sale_id: int) -> int:
    return sum(1 for job in journal.print_jobs() if job.sale_id == sale_id)


@pytest.mark.parametrize(
    ("phase", "status", "payable"),
    [
        (Phase.CANCELLED, "unpaid", True),
        (Phase.DECLINED, "unpaid", True),
        (Phase.FAILED, "unpaid", True),
        (Phase.ABANDONED, "unpaid", True),
        (Phase.UNKNOWN_ABANDONED, "unknown", False),
        (Phase.RESERVED_UNCHARGED, "manager", False),
        (Phase.NEEDS_REVIEW, "manager", False),
        (Phase.PAID, "paid", False),
    ],
)
def test_an_attempts_final_phase_sets_its_sales_status(
    journal: Journal, phase: Phase, status: str, payable: bool
) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, phase)
    assert journal.sale(sale_id).status == status
    assert journal.sale(sale_id).payable is payable
    if payable:
        journal.begin_attempt(sale_id, "***-**81", inserting())
    else:
        with pytest.raises(SaleNotPayable, match="nothing was sent"):
            journal.begin_attempt(sale_id, "***-**81", inserting())


def test_a_live_attempt_keeps_the_sale_open(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, Phase.CANCELLED)
    journal.begin_attempt(sale_id, "***-**81", inserting())
    assert journal.sale(sale_id).status == "open"


def test_a_sale_once_paid_is_never_shown_as_anything_else(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id=TX, invoice_number=7)
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    journal._db.execute("UPDATE attempts SET live = 0")  # what a later, wrong write could try:
    with journal._commit("test.status") as db:
        journal._set_sale_status(db, sale_id, "unpaid")
    assert journal.sale(sale_id).status == "paid"


def test_an_unpaid_sale_that_turns_out_paid_becomes_paid_with_one_receipt(
    journal: Journal,
) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    cancelled = replace(attempt.state, phase=Phase.CANCELLED, transaction_id=TX)
    journal.record(attempt.id, cancelled, event="CheckAnswered", point="test.cancelled")
    assert journal.sale(sale_id).status == "unpaid"
    paid = replace(cancelled, phase=Phase.PAID, invoice_number=9)
    journal.record(attempt.id, paid, event="Recover", point="test.paid")
    assert (journal.sale(sale_id).status, receipts(journal, sale_id)) == ("paid", 1)


def test_recording_paid_twice_queues_one_receipt(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id=TX, invoice_number=7)
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    assert receipts(journal, sale_id) == 1


def test_the_schema_refuses_a_second_receipt_for_a_sale(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, Phase.PAID)
    with pytest.raises(sqlite3.IntegrityError):
        journal._db.execute(
            "INSERT INTO print_jobs (sale_id, kind, snapshot, created_at) "
            "VALUES (?, 'receipt', '{}', 'now')",
            (sale_id,),
        )


def test_a_second_paid_attempt_on_a_paid_sale_is_flagged_as_a_double_charge(
    journal: Journal,
) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    first = journal.begin_attempt(sale_id, "***-**81", inserting())
    # Two attempts can only both be paid if the journal was bypassed; force the second one in.
    journal._db.execute("UPDATE attempts SET live = 0 WHERE id = ?", (first.id,))
    journal._db.execute("UPDATE sales SET status = 'unpaid' WHERE id = ?", (sale_id,))
    second = journal.begin_attempt(sale_id, "***-**81", inserting())
    paid = replace(first.state, phase=Phase.PAID, transaction_id=TX, invoice_number=1)
    journal.record(first.id, paid, event="CheckAnswered", point="test.paid")
    later = replace(second.state, phase=Phase.PAID, transaction_id=TX[:-1] + "2")
    committed = journal.record(second.id, later, event="CheckAnswered", point="test.paid")
    assert committed.phase is Phase.NEEDS_REVIEW
    assert "double charge" in committed.note
    assert journal.attempt(second.id).state.phase is Phase.NEEDS_REVIEW
    assert journal.sale(sale_id).status == "paid"
    assert receipts(journal, sale_id) == 1
    events = [e["event"] for e in journal.attempt_events(second.id)]
    assert events[-1] == "CheckAnswered+double_charge"


def test_settling_an_unknown_sale_as_paid_queues_its_receipt(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, Phase.UNKNOWN_ABANDONED)
    reference = journal.sale(sale_id).attempts[0].reference
    sale = journal.settle(reference, "paid", "the app shows it paid", "cli")
    assert (sale.status, receipts(journal, sale_id)) == ("paid", 1)
    last = journal.attempt_events(sale.attempts[0].id)[-1]
    assert (last["event"], last["note"]) == (
        "settled_paid",
        "settled paid by cli: the app shows it paid",
    )


def test_settling_a_needs_review_sale_as_unpaid_frees_it_for_a_new_attempt(
    journal: Journal,
) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, Phase.NEEDS_REVIEW)
    reference = journal.sale(sale_id).attempts[0].reference
    assert journal.settle(reference, "unpaid", "portal shows no payment", "cli").status == (
        "unpaid"
    )
    journal.begin_attempt(sale_id, "***-**81", inserting())


def test_only_unsettled_kinds_settle_and_a_reason_is_required(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    live = journal.begin_attempt(sale_id, "***-**81", inserting())
    with pytest.raises(JournalError, match="only unknown"):
        journal.settle(live.reference, "paid", "why", "cli")
    with pytest.raises(JournalError, match="No payment"):
        journal.settle("S1-R1-nope", "paid", "why", "cli")
    other = journal.create_sale("R1", [LINE])
    end(journal, other, Phase.UNKNOWN_ABANDONED)
    with pytest.raises(JournalError, match="Say why"):
        journal.settle(journal.sale(other).attempts[0].reference, "paid", "  ", "cli")
    assert journal.sale(other).status == "unknown"


def test_a_reference_too_long_for_netgiro_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    with Journal(tmp_path / "j.sqlite3", store_id="STORE99999") as journal:
        sale_id = journal.create_sale("REGISTER99", [LINE])
        with pytest.raises(JournalError, match="store_id / register_id"):
            journal.begin_attempt(sale_id, "***-**81", inserting())
        assert journal.open_attempts() == []


def test_sales_by_status_lists_every_unsettled_sale_oldest_first(journal: Journal) -> None:
    wanted = []
    for phase in (Phase.UNKNOWN_ABANDONED, Phase.CANCELLED, Phase.NEEDS_REVIEW, Phase.PAID):
        sale_id = journal.create_sale("R1", [LINE])
        end(journal, sale_id, phase)
        if phase in {Phase.UNKNOWN_ABANDONED, Phase.NEEDS_REVIEW}:
            wanted.append(sale_id)
    assert [s.id for s in journal.sales_by_status("unknown", "manager")] == wanted


def test_an_attempt_is_found_by_its_cart_in_any_case(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    end(journal, sale_id, Phase.CANCELLED)
    found = journal.attempt_by_transaction(TX.upper())
    assert found is not None and found.sale_id == sale_id


def test_one_undecodable_open_attempt_does_not_hide_the_others(journal: Journal) -> None:
    first = journal.begin_attempt(journal.create_sale("R1", [LINE]), "***-**81", inserting())
    second = journal.begin_attempt(journal.create_sale("R1", [LINE]), "***-**81", inserting())
    journal._db.execute(
        'UPDATE attempts SET state_json = \'{"phase": "NEWER"}\', transaction_id = ? WHERE id = ?',
        (TX, first.id),
    )
    readable, unreadable = journal.open_attempts_row_by_row()
    assert [a.id for a in readable] == [second.id]
    assert [(u.reference, u.transaction_id) for u in unreadable] == [(first.reference, TX)]


def test_callbacks_are_looked_up_by_reference(journal: Journal) -> None:
    journal.record_callback(TX, "S1-R1-a-1-1", "0" * 64, "accepted")
    journal.record_callback(TX, "S1-R1-a-2-1", "1" * 64, "accepted")
    assert [c["reference"] for c in journal.callbacks_about("S1-R1-a-2-1")] == ["S1-R1-a-2-1"]


def test_a_netgiro_paid_on_a_sale_already_paid_otherwise_is_a_double_charge(
    journal: Journal,
) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    # the sale got paid some other way while this attempt was live (cash, or a settlement)
    journal._db.execute("UPDATE sales SET status = 'paid' WHERE id = ?", (sale_id,))
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id=TX, invoice_number=3)
    committed = journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    assert committed.phase is Phase.NEEDS_REVIEW
    assert journal.sale(sale_id).status == "paid"
    assert receipts(journal, sale_id) == 0  # the sale's own receipt came with its own payment


def test_a_double_charge_cannot_be_settled_paid_a_second_time(journal: Journal) -> None:
    """A double charge is NEEDS_REVIEW on a sale already paid: settling it "paid" would add a
    second Netgíró tender to the sale, and the Z would count the customer's overpayment as
    takings. It is refused with what to do instead; the sale's tenders stay its total."""
    sale_id = journal.create_sale("R1", [LINE])
    first = journal.begin_attempt(sale_id, "***-**81", inserting())
    journal._db.execute("UPDATE attempts SET live = 0 WHERE id = ?", (first.id,))
    journal._db.execute("UPDATE sales SET status = 'unpaid' WHERE id = ?", (sale_id,))
    second = journal.begin_attempt(sale_id, "***-**81", inserting())
    paid = replace(first.state, phase=Phase.PAID, transaction_id=TX, invoice_number=1)
    journal.record(first.id, paid, event="CheckAnswered", point="test.paid")
    later = replace(second.state, phase=Phase.PAID, transaction_id=TX[:-1] + "2")
    journal.record(second.id, later, event="CheckAnswered", point="test.paid")
    with pytest.raises(JournalError, match=r"double charge.*refund send"):
        journal.settle(second.reference, "paid", "portal shows it paid", "manager:Anna")
    taken = journal._db.execute(
        "SELECT SUM(amount) FROM tenders WHERE sale_id = ?", (sale_id,)
    ).fetchone()[0]
    assert taken == 900
    assert journal.attempt(second.id).state.phase is Phase.NEEDS_REVIEW
