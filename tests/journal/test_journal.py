"""The journal on a real SQLite file: durability settings, one live attempt, atomic PAID."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.checkout import Checkout, CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import AttemptAlreadyLive, Journal, JournalDamaged, JournalError, SaleLine

LINE = SaleLine("123", "Kaffi", 450, 2000, 900)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def inserting() -> Checkout:
    return start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]


def test_the_journal_is_durable_wal_with_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    with Journal(path) as journal:
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_sale_keeps_its_lines_and_total(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE, LINE])
    sale = journal.sale(sale_id)
    assert (sale.total, sale.status) == (1800, "open")
    assert journal.sale_lines(sale_id) == [LINE, LINE]


def test_a_sale_has_at_most_one_live_attempt(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    journal.begin_attempt(sale_id, "***-**81", inserting())
    with pytest.raises(AttemptAlreadyLive, match="already has a payment in progress"):
        journal.begin_attempt(sale_id, "***-**81", inserting())


def test_the_schema_itself_refuses_a_second_live_attempt(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    journal.begin_attempt(sale_id, "***-**81", inserting())
    with pytest.raises(sqlite3.IntegrityError):
        journal._db.execute(
            "INSERT INTO attempts (sale_id, attempt_no, reference, amount, customer_masked, "
            "phase, live, state_json, created_at, updated_at) "
            "VALUES (?, 9, 'x', 900, 'm', 'PENDING', 1, '{}', 'now', 'now')",
            (sale_id,),
        )


def test_a_new_attempt_after_a_final_one_gets_a_new_reference(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    first = journal.begin_attempt(sale_id, "***-**81", inserting())
    cancelled = replace(first.state, phase=Phase.CANCELLED)
    journal.record(first.id, cancelled, event="CheckAnswered", point="test.cancelled")
    second = journal.begin_attempt(sale_id, "***-**81", inserting())
    assert second.reference != first.reference
    assert second.reference == f"S1-R1-{journal.journal_id}-{sale_id}-2"
    assert [a.state.phase for a in journal.open_attempts()] == [Phase.INSERTING]


def test_paid_marks_the_sale_and_queues_its_receipt_in_one_commit(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id="tx", invoice_number=77)
    journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    assert journal.sale(sale_id).status == "paid"
    [job] = journal.print_jobs("queued")
    assert job.snapshot["invoice_number"] == 77
    assert job.snapshot["customer"] == "***-**81"
    assert journal.open_attempts() == []
    with pytest.raises(JournalError, match="already paid"):
        journal.begin_attempt(sale_id, "***-**81", inserting())


def test_a_failed_commit_changes_nothing(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    journal._db.execute("DROP TABLE print_jobs")  # make the PAID commit fail half-way
    paid = replace(attempt.state, phase=Phase.PAID, transaction_id="tx")
    with pytest.raises(JournalError, match="no such table"):
        journal.record(attempt.id, paid, event="CheckAnswered", point="test.paid")
    assert journal.sale(sale_id).status == "open"
    assert journal.attempt(attempt.id).state.phase is Phase.INSERTING


def test_every_state_comes_back_exactly_as_committed(journal: Journal) -> None:
    sale_id = journal.create_sale("R1", [LINE])
    attempt = journal.begin_attempt(sale_id, "***-**81", inserting())
    state = replace(
        attempt.state, phase=Phase.NEEDS_CODE, transaction_id="t", unsure=True, code_tries_left=2
    )
    journal.record(attempt.id, state, event="CheckAnswered", point="test.code")
    assert journal.attempt(attempt.id).state == state
    events = journal.attempt_events(attempt.id)
    assert [e["crash_point"] for e in events] == ["journal.attempt_started", "test.code"]


def test_nonce_blocks_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        journal.reserve_nonces(5_000)
    with Journal(path) as journal:
        assert journal.nonce_floor() == 5_000


def test_a_file_that_is_not_a_journal_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalDamaged, match="pos recover --salvage"):
        Journal(path)
