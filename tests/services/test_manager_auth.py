"""Manager mode on a real journal and people file: lockout per person and across a restart,
idle exit, and an audit row for every entry, failure and action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos.journal import Journal
from pos.journal.audit import entries, verify
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import (
    ManagerAuth,
    ManagerModeEnded,
    NeedsManager,
    PersonLocked,
    PinRejected,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PINS = {"Anna": "480263", "Bjarni": "739154", "Jón": "4826"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    # The lowest cost the people file accepts: these tests check PINs many times over.
    return {name: hash_pin(pin, log2_n=10) for name, pin in PINS.items()}


@pytest.fixture
def people(tmp_path: Path, hashes: dict[str, str]) -> PeopleFile:
    store = PeopleFile(tmp_path / "people.json")
    store.add(Person("Anna", "manager", hashes["Anna"]))
    store.add(Person("Bjarni", "manager", hashes["Bjarni"]))
    store.add(Person("Jón", "cashier", hashes["Jón"]))
    return store


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(people: PeopleFile, journal: Journal, clock: Clock) -> ManagerAuth:
    return ManagerAuth(people, journal, clock=clock)


def actions(journal: Journal) -> list[tuple[str, str]]:
    return [(row.actor, row.action) for row in entries(journal)]


def fail(auth: ManagerAuth, name: str, times: int, *, as_cashier: bool = False) -> None:
    sign_in = auth.sign_in_cashier if as_cashier else auth.enter_manager_mode
    for _ in range(times):
        with pytest.raises((PinRejected, PersonLocked)):
            sign_in(name, "000001")


def test_a_manager_enters_with_the_right_pin_and_it_is_audited(
    auth: ManagerAuth, journal: Journal
) -> None:
    session = auth.enter_manager_mode("anna", PINS["Anna"])
    assert session.person.name == "Anna"
    auth.record(session, "refund.requested", {"sale_id": 7, "amount": 990})
    auth.leave(session)
    assert actions(journal) == [
        ("manager:Anna", "auth.entered"),
        ("manager:Anna", "refund.requested"),
        ("manager:Anna", "auth.left"),
    ]
    with pytest.raises(ManagerModeEnded, match="signed out"):
        auth.record(session, "x", {})
    assert verify(journal).ok


def test_ten_failures_lock_that_manager_for_thirty_minutes(
    auth: ManagerAuth, journal: Journal, clock: Clock
) -> None:
    for n in range(9):
        with pytest.raises(PinRejected, match=f"{9 - n} tries left"):
            auth.enter_manager_mode("Anna", "000001")
        clock.advance(0.1)
    with pytest.raises(PersonLocked, match="locked for 30 more minutes"):
        auth.enter_manager_mode("Anna", "000001")
    locked_at = clock.now
    clock.advance(29)
    with pytest.raises(PersonLocked, match="1 more minutes"):
        auth.enter_manager_mode("Anna", PINS["Anna"])  # the right PIN is not even checked
    assert actions(journal)[-2:] == [
        ("manager:Anna", "auth.locked"),
        ("manager:Anna", "auth.refused_locked"),
    ]
    clock.now = locked_at + timedelta(minutes=30)
    assert auth.enter_manager_mode("Anna", PINS["Anna"]).person.name == "Anna"
    failed = [a for a in actions(journal) if a == ("manager:Anna", "auth.pin_failed")]
    assert len(failed) == 10


def test_the_count_and_the_lock_survive_a_restart(
    people: PeopleFile, tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as first:
        fail(ManagerAuth(people, first, clock=clock), "Anna", 6)
    with Journal(path) as second:
        auth = ManagerAuth(people, second, clock=clock)
        assert auth.lockout(people.find("Anna"), clock.now).failures == 6  # type: ignore[arg-type]
        fail(auth, "Anna", 4)
    clock.advance(10)
    with Journal(path) as third:
        with pytest.raises(PersonLocked):
            ManagerAuth(people, third, clock=clock).enter_manager_mode("Anna", PINS["Anna"])
        assert verify(third).ok


def test_a_cashier_cannot_lock_out_every_manager(auth: ManagerAuth, journal: Journal) -> None:
    fail(auth, "Jón", 12, as_cashier=True)  # the cashier's own sign-in locks only the cashier
    fail(auth, "Nobody", 11)  # a name nobody has counts against nobody
    fail(auth, "Jón", 3)  # a cashier at the manager prompt is refused, not counted
    assert auth.enter_manager_mode("Anna", PINS["Anna"]).person.name == "Anna"
    fail(auth, "Bjarni", 10)  # naming one manager locks that one manager
    assert auth.enter_manager_mode("Anna", PINS["Anna"]).person.name == "Anna"
    with pytest.raises(PersonLocked):
        auth.sign_in_cashier("Jón", PINS["Jón"])
    assert ("unknown:Nobody", "auth.pin_failed") in actions(journal)
    assert ("cashier:Jón", "auth.not_a_manager") in actions(journal)


def test_a_success_clears_the_count(auth: ManagerAuth) -> None:
    fail(auth, "Anna", 9)
    auth.enter_manager_mode("Anna", PINS["Anna"])
    fail(auth, "Anna", 9)
    assert auth.enter_manager_mode("Anna", PINS["Anna"]).person.name == "Anna"


def test_another_manager_unlocks_and_it_is_audited(auth: ManagerAuth, journal: Journal) -> None:
    fail(auth, "Anna", 10)
    bjarni = auth.enter_manager_mode("Bjarni", PINS["Bjarni"])
    auth.unlock(bjarni, "Anna")
    assert auth.enter_manager_mode("Anna", PINS["Anna"]).person.name == "Anna"
    unlock = [row for row in entries(journal) if row.action == "auth.unlocked"]
    assert [(row.actor, row.details) for row in unlock] == [
        ("manager:Anna", {"by": "manager:Bjarni"})
    ]


def test_manager_mode_ends_after_fifteen_idle_minutes(
    auth: ManagerAuth, journal: Journal, clock: Clock
) -> None:
    session = auth.enter_manager_mode("Anna", PINS["Anna"])
    clock.advance(14)
    auth.record(session, "report.x", {})  # an action restarts the 15 minutes
    clock.advance(14.9)
    assert not auth.end_if_idle(session)
    clock.advance(0.1)
    assert auth.end_if_idle(session)
    with pytest.raises(ManagerModeEnded):
        auth.record(session, "refund.requested", {})
    assert actions(journal)[-1] == ("manager:Anna", "auth.idle_exit")
    assert [a for _, a in actions(journal)].count("auth.idle_exit") == 1


def test_an_action_after_idle_time_is_refused_and_audited(
    auth: ManagerAuth, journal: Journal, clock: Clock
) -> None:
    session = auth.enter_manager_mode("Anna", PINS["Anna"])
    clock.advance(15)
    with pytest.raises(ManagerModeEnded, match="15 minutes"):
        auth.record(session, "refund.requested", {"amount": 1})
    assert actions(journal)[-1] == ("manager:Anna", "auth.idle_exit")


def test_a_cashier_session_is_not_manager_mode(auth: ManagerAuth) -> None:
    shift = auth.sign_in_cashier("Jón", PINS["Jón"])
    with pytest.raises(NeedsManager):
        auth.record(shift, "refund.requested", {})


def test_no_pin_reaches_the_journal(auth: ManagerAuth, tmp_path: Path, journal: Journal) -> None:
    fail(auth, "Anna", 3)
    auth.enter_manager_mode("Anna", PINS["Anna"])
    auth.sign_in_cashier("Jón", PINS["Jón"])
    journal.close()
    for file in tmp_path.iterdir():
        data = file.read_bytes()
        for pin in [*PINS.values(), "000001"]:
            assert pin.encode() not in data, file


def test_with_no_manager_yet_the_message_says_how_to_add_one(
    tmp_path: Path, journal: Journal
) -> None:
    auth = ManagerAuth(PeopleFile(tmp_path / "nobody.json"), journal)
    with pytest.raises(PinRejected, match="pos manager add NAME"):
        auth.enter_manager_mode("Anna", "480263")
