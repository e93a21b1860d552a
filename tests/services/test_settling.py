"""A manager settles a NEEDS_REVIEW and an UNKNOWN_ABANDONED payment: the journal and the audit
chain both record who and why; a cashier cannot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.journal.audit import chain_settlements, entries, verify
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, NeedsManager
from pos.services.settling import settle_sale

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


def ended_in(journal: Journal, phase: Phase) -> str:
    sale = journal.create_sale("R1", [SaleLine("1", "Kaffi", 900, 1000, 900)])
    state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
    attempt = journal.begin_attempt(sale, "***-**81", state)
    journal.record(
        attempt.id,
        replace(state, phase=phase, live=False, transaction_id=None),
        event="ended",
        point="test.ended",
    )
    return attempt.reference


def test_needs_review_and_unknown_are_settled_and_audited(
    auth: ManagerAuth, journal: Journal
) -> None:
    review = ended_in(journal, Phase.NEEDS_REVIEW)
    unknown = ended_in(journal, Phase.UNKNOWN_ABANDONED)
    anna = auth.enter_manager_mode("Anna", "480263")
    assert settle_sale(auth, anna, journal, review, "paid", "Portal: paid").status == "paid"
    assert settle_sale(auth, anna, journal, unknown, "unpaid", "App: nothing").status == "unpaid"
    settled = [row for row in entries(journal) if row.action == "sale.settled"]
    assert [(r.actor, r.details["reference"], r.details["outcome"]) for r in settled] == [
        ("manager:Anna", review, "paid"),
        ("manager:Anna", unknown, "unpaid"),
    ]
    assert settled[0].details["reason"] == "Portal: paid"
    assert chain_settlements(journal) == 0
    assert verify(journal).ok


def test_a_cashier_cannot_settle(auth: ManagerAuth, journal: Journal) -> None:
    review = ended_in(journal, Phase.NEEDS_REVIEW)
    shift = auth.sign_in_cashier("Jón", "4826")
    with pytest.raises(NeedsManager):
        settle_sale(auth, shift, journal, review, "paid", "I think so")
    assert journal.attempt_by_reference(review).state.phase is Phase.NEEDS_REVIEW  # type: ignore[union-attr]
    assert journal.sale(1).status == "manager"


def test_entering_manager_mode_chains_a_settlement_a_crash_left_out(
    auth: ManagerAuth, journal: Journal
) -> None:
    unknown = ended_in(journal, Phase.UNKNOWN_ABANDONED)
    journal.settle(unknown, "unpaid", "App: nothing", "lead")  # killed before its copy
    assert [row.action for row in entries(journal)] == []
    auth.enter_manager_mode("Anna", "480263")
    assert [(row.actor, row.action) for row in entries(journal)] == [
        ("manager:Anna", "auth.entered"),
        ("lead", "sale.settled"),
    ]
