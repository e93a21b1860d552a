"""Found reservations against the sandbox over loopback: a manager confirms one (PAID with its
receipt job), releases one, meets a refused release and a lost answer; each audited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from pos.core.checkout import Phase
from pos.core.errors import InputError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.journal import Journal
from pos.journal.audit import entries, verify
from pos.netgiro.client import NetgiroClient, Timeouts
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, NeedsManager, Session
from pos.services.reservations import NotAReservation, Reservations, found_reservations
from tests.services.refund_support import found_reservation
from tests.support.fault_proxy import Fault, FaultProxy

APP = FIRST_TEST_APPLICATION
TOTAL = 1990
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=[False, True], ids=["cancel-allowed", "cancel-refused"])
def sandbox(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    settings = SandboxSettings(
        state_file=tmp_path / "sandbox.sqlite3", port=0, refuse_cancel_reserved=request.param
    )
    with RunningSandbox(settings) as running:
        yield running


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
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


@pytest.fixture
def anna(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


@pytest.fixture
async def client(proxy: FaultProxy) -> AsyncIterator[NetgiroClient]:
    timeouts = Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0)
    async with NetgiroClient(
        proxy.base_url(), APP.app_key, APP.secret_key, timeouts=timeouts
    ) as running:
        yield running


@pytest.fixture
def reservations(journal: Journal, client: NetgiroClient, auth: ManagerAuth) -> Reservations:
    return Reservations(journal, client, auth)


def cart_status(sandbox: RunningSandbox, transaction_id: str) -> str:
    carts = httpx.get(f"{sandbox.root_url}sandbox/carts").json()
    return str(next(c["Status"] for c in carts if c["TransactionId"] == transaction_id))


def audited(journal: Journal) -> list[tuple[str, str]]:
    return [
        (row.action, row.details["outcome"])
        for row in entries(journal)
        if row.action.startswith("reservation.")
    ]


async def test_a_manager_confirms_a_found_reservation(
    reservations: Reservations, anna: Session, sandbox: RunningSandbox, journal: Journal
) -> None:
    reference = await found_reservation(sandbox, journal)
    assert [u.reference for u in found_reservations(journal)] == [reference]
    decided = await reservations.confirm(anna, reference)
    assert (decided.outcome, decided.state.phase) == ("paid", Phase.PAID)
    attempt = journal.attempt_by_reference(reference)
    assert attempt is not None and attempt.state.phase is Phase.PAID
    assert journal.sale(attempt.sale_id).status == "paid"
    assert [job.kind for job in journal.print_jobs() if job.sale_id == attempt.sale_id] == [
        "receipt"
    ]
    assert cart_status(sandbox, str(attempt.state.transaction_id)) == "paid"
    assert found_reservations(journal) == []
    assert audited(journal) == [("reservation.confirm", "paid")]
    assert verify(journal).ok


async def test_a_manager_releases_a_found_reservation(
    reservations: Reservations, anna: Session, sandbox: RunningSandbox, journal: Journal
) -> None:
    reference = await found_reservation(sandbox, journal)
    decided = await reservations.release(anna, reference)
    attempt = journal.attempt_by_reference(reference)
    assert attempt is not None
    if sandbox.settings.refuse_cancel_reserved:  # Netgíró still refuses: nothing changes
        assert (decided.outcome, attempt.state.phase) == ("unchanged", Phase.RESERVED_UNCHARGED)
        assert "lapses by itself" in decided.note
        assert journal.sale(attempt.sale_id).status == "manager"
        assert audited(journal) == [("reservation.release", "unchanged")]
    else:
        assert (decided.outcome, attempt.state.phase) == ("released", Phase.CANCELLED)
        assert journal.sale(attempt.sale_id).status == "unpaid"  # free to be paid another way
        assert cart_status(sandbox, str(attempt.state.transaction_id)) == "cancelled"
        assert audited(journal) == [("reservation.release", "released")]


async def test_a_lost_answer_changes_nothing_and_confirming_again_pays_once(
    reservations: Reservations,
    anna: Session,
    sandbox: RunningSandbox,
    journal: Journal,
    proxy: FaultProxy,
) -> None:
    reference = await found_reservation(sandbox, journal)
    proxy.arm("Checkout/ConfirmCart", Fault.ANSWER_DROPPED)
    lost = await reservations.confirm(anna, reference)
    assert (lost.outcome, lost.state.phase) == ("unchanged", Phase.RESERVED_UNCHARGED)
    again = await reservations.confirm(anna, reference)  # the cart is paid already: 10200
    assert (again.outcome, again.state.phase) == ("paid", Phase.PAID)
    carts = httpx.get(f"{sandbox.root_url}sandbox/carts").json()
    assert [c["Status"] for c in carts] == ["paid"]  # one cart, paid once
    assert audited(journal) == [
        ("reservation.confirm", "unchanged"),
        ("reservation.confirm", "paid"),
    ]


async def test_only_a_manager_decides_and_only_on_a_reservation(
    reservations: Reservations,
    auth: ManagerAuth,
    anna: Session,
    sandbox: RunningSandbox,
    journal: Journal,
) -> None:
    reference = await found_reservation(sandbox, journal)
    with pytest.raises(NeedsManager):
        await reservations.confirm(auth.sign_in_cashier("Jón", "4826"), reference)
    with pytest.raises(NotAReservation):
        await reservations.confirm(anna, "S1-R1-nope-9-9")
    await reservations.confirm(anna, reference)
    with pytest.raises(InputError, match="only a found reservation"):
        await reservations.release(anna, reference)  # paid now
