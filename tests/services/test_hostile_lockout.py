"""A hostile cashier and the managers' PIN locks (found by a hostile pass), on a real journal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.journal import Journal
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, PersonLocked, PinRejected

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MANAGERS = {"Anna": "480263", "Gunnar": "582047"}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def test_a_cashier_naming_each_manager_in_turn_cannot_lock_every_manager_out(
    tmp_path: Path, journal: Journal
) -> None:
    people = PeopleFile(tmp_path / "people.json")
    for name, pin in MANAGERS.items():
        people.add(Person(name, "manager", hash_pin(pin, log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    auth = ManagerAuth(people, journal, clock=lambda: T0)
    for name in MANAGERS:  # the cashier guesses at F9, ten times per manager
        for _ in range(10):
            with pytest.raises((PinRejected, PersonLocked)):
                auth.enter_manager_mode(name, "000000")
    entered = []
    for name, pin in MANAGERS.items():
        with contextlib.suppress(PersonLocked):
            entered.append(auth.enter_manager_mode(name, pin).person.name)
    assert entered, "every manager is locked out: nobody can unlock, refund or close the Z"
