"""A manager's drawer openings at the open till (no-sale, float, paid-in/out, a cash refund's
pay-out): the movement journaled first, then the drawer kicked off the event loop and audited as
every kick is, with the manager as the actor.

The drawer is a counting stand-in (no USB drawer here); the journal, audit chain and sandbox are
real.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.journal import Journal
from pos.journal.audit import entries, verify
from pos.people import PeopleFile, Person, hash_pin
from pos.services.till_manager import TillManager
from tests.services.till_fixtures import Counter, counter_at, sandbox_at

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def counter(tmp_path: Path) -> AsyncIterator[Counter]:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        yield counter


def manager_of(counter: Counter, tmp_path: Path) -> TillManager:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    return TillManager(counter.session, people, clock=lambda: T0)


def audited(journal: Journal, prefix: str) -> list[tuple[str, str, object]]:
    return [
        (row.actor, row.action, row.details.get("why"))
        for row in entries(journal)
        if row.action.startswith(prefix)
    ]


async def test_no_sale_and_paid_in_kick_the_drawer_and_audit_the_manager(
    counter: Counter, tmp_path: Path
) -> None:
    till = manager_of(counter, tmp_path)
    anna = till.enter_manager_mode("Anna", "480263")
    assert await till.open_drawer(anna) == ""
    moved = await till.move_cash(anna, "paid_in", 5000, "skiptimynt úr banka")
    assert moved.movement.amount == 5000 and moved.drawer_problem == ""
    assert counter.drawer.kicks == 2
    assert audited(counter.journal, "drawer.") == [
        ("manager:Anna", "drawer.kicked", "no_sale"),
        ("manager:Anna", "drawer.kicked", "paid_in"),
    ]
    assert [a for _, a, _ in audited(counter.journal, "cash.")] == ["cash.no_sale", "cash.paid_in"]
    assert verify(counter.journal).ok


async def test_a_drawer_that_does_not_open_is_said_and_audited(
    counter: Counter, tmp_path: Path
) -> None:
    counter.drawer.opens = False
    till = manager_of(counter, tmp_path)
    anna = till.enter_manager_mode("Anna", "480263")
    problem = await till.open_drawer(anna)
    assert "did not open" in problem
    assert audited(counter.journal, "drawer.") == [
        ("manager:Anna", "drawer.open_with_key", "no_sale")
    ]
    assert [a for _, a, _ in audited(counter.journal, "cash.")] == ["cash.no_sale"]  # counted


class HeldDrawer:
    """A drawer behind a printer that hangs until its timeout (stands in for the device)."""

    def __init__(self) -> None:
        self.entered, self.gate = threading.Event(), threading.Event()

    def kick(self) -> tuple[bool, str]:
        self.entered.set()
        self.gate.wait(10)
        return True, ""


async def test_a_hanging_drawer_never_holds_the_event_loop(
    counter: Counter, tmp_path: Path
) -> None:
    held = HeldDrawer()
    counter.session._drawer = held  # the register's drawer, swapped for the hanging stand-in
    till = manager_of(counter, tmp_path)
    anna = till.enter_manager_mode("Anna", "480263")
    opening = asyncio.create_task(till.open_drawer(anna))
    await asyncio.to_thread(held.entered.wait, 10)  # the kick is under way …
    assert not opening.done()  # … and the loop runs on meanwhile (the screen is not frozen)
    held.gate.set()
    assert await opening == ""
    assert audited(counter.journal, "drawer.") == [("manager:Anna", "drawer.kicked", "no_sale")]
