"""A cashier cannot lock out every manager (issue 19): the last manager who can enter is never
locked; ten wrong PINs under that name slow the till down instead (audited), on a real journal.

The clock is fixed: every try happens at the same instant, the worst case for a lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.journal import Journal
from pos.journal.audit import entries, verify
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, PersonLocked, PinRejected

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MANAGERS = {"Anna": "480263", "Gunnar": "582047"}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    for name, pin in MANAGERS.items():
        people.add(Person(name, "manager", hash_pin(pin, log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


def ten_wrong(auth: ManagerAuth, name: str) -> PinRejected | PersonLocked:
    last: PinRejected | PersonLocked | None = None
    for _ in range(10):
        with pytest.raises((PinRejected, PersonLocked)) as refused:
            auth.enter_manager_mode(name, "000000")
        last = refused.value
    assert last is not None
    return last


def test_naming_each_manager_in_turn_leaves_the_last_one_able_to_enter(
    auth: ManagerAuth, journal: Journal
) -> None:
    assert isinstance(ten_wrong(auth, "Anna"), PersonLocked)  # another manager can still enter
    last = ten_wrong(auth, "Gunnar")
    assert isinstance(last, PinRejected) and last.slow_down_s == 30
    entered = []
    for name, pin in MANAGERS.items():
        with contextlib.suppress(PersonLocked):
            entered.append(auth.enter_manager_mode(name, pin).person.name)
    assert entered == ["Gunnar"]
    actions = [(row.actor, row.action) for row in entries(journal)]
    assert ("manager:Anna", "auth.locked") in actions
    assert ("manager:Gunnar", "auth.lock_withheld") in actions
    assert ("manager:Gunnar", "auth.locked") not in actions
    assert verify(journal).ok


def test_the_last_manager_is_slowed_more_each_time_and_a_success_resets_it(
    auth: ManagerAuth,
) -> None:
    ten_wrong(auth, "Anna")
    assert ten_wrong(auth, "Gunnar").slow_down_s == 30  # type: ignore[union-attr]
    with pytest.raises(PinRejected) as next_try:
        auth.enter_manager_mode("Gunnar", "000000")
    assert next_try.value.slow_down_s == 30  # every try after a withheld lock waits
    assert ten_wrong(auth, "Gunnar").slow_down_s == 60  # type: ignore[union-attr]
    auth.enter_manager_mode("Gunnar", MANAGERS["Gunnar"])
    with pytest.raises(PinRejected) as after_success:
        auth.enter_manager_mode("Gunnar", "000000")
    assert after_success.value.slow_down_s == 0


def test_a_cashier_is_still_locked_after_ten_wrong_pins(auth: ManagerAuth) -> None:
    for _ in range(10):
        with pytest.raises((PinRejected, PersonLocked)):
            auth.sign_in_cashier("Jón", "0000")
    with pytest.raises(PersonLocked):
        auth.sign_in_cashier("Jón", "4826")


def test_an_empty_pin_is_asked_again_and_counts_toward_no_lock(
    auth: ManagerAuth, journal: Journal
) -> None:
    for _ in range(12):  # Enter pressed by mistake, again and again
        with pytest.raises(PinRejected):
            auth.enter_manager_mode("Anna", "")
    assert auth.enter_manager_mode("Anna", MANAGERS["Anna"]).person.name == "Anna"
    assert [row.action for row in entries(journal)] == ["auth.entered"]
