"""Manager mode settles what the till could not: an unknown payment as unpaid, a found
reservation released; each through the shell's code path and audited; Esc waits for money still in flight."""

from __future__ import annotations

import asyncio

import pytest

from pos.core.checkout import Phase
from pos.journal import Journal
from pos.journal.audit import entries
from pos.ui.screens.confirm import ConfirmScreen
from pos.ui.screens.manager_reports import parse_count
from pos.ui.screens.sale import SaleScreen
from tests.services.refund_support import found_reservation

from .conftest import SIZE, Counter, screen_text, type_line, until
from .test_manager_mode import (
    add_people,
    enter_manager_mode,
    journal_attempt_ended_in,
    people_app,
    until_sale_screen,
)


async def test_an_unknown_payment_is_settled_unpaid_with_a_reason(counter: Counter) -> None:
    reference = journal_attempt_ended_in(counter, Phase.UNKNOWN_ABANDONED)
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await until(pilot, lambda: "óvíst, spyrja viðskiptavin" in screen_text(app))
        await pilot.press("f3")  # unpaid
        await until(pilot, lambda: "ÓGREIDD" in screen_text(app))
        await pilot.press("enter")  # no reason: nothing happens
        assert not isinstance(app.screen, ConfirmScreen)
        await type_line(pilot, "Appið sýnir enga greiðslu")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # not now: nothing settled
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert "óvíst, spyrja viðskiptavin" in screen_text(app)
        await pilot.press("f3")
        await type_line(pilot, "Appið sýnir enga greiðslu")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: "gerð upp: ÓGREIDD" in screen_text(app))
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        assert journal.sale(1).status == "unpaid"
        settled = [row for row in entries(journal) if row.action == "sale.settled"]
        assert [(r.actor, r.details["reference"], r.details["outcome"]) for r in settled] == [
            ("manager:Anna", reference, "unpaid")
        ]


async def test_a_found_reservation_is_released_from_f9(counter: Counter) -> None:
    counter.data_dir.mkdir(parents=True, exist_ok=True)
    with Journal(counter.settings.journal_file) as journal:
        reference = await found_reservation(counter.sandbox, journal)
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await until(pilot, lambda: "frátekið, ekki greitt" in screen_text(app))
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("j")
        await until(pilot, lambda: "Frátekningu sleppt" in screen_text(app))
        await until(pilot, lambda: "Ekkert óuppgert" in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    assert [cart["Status"] for cart in counter.carts()] == ["cancelled"]
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        attempt = journal.attempt_by_reference(reference)
        assert attempt is not None and attempt.state.phase is Phase.CANCELLED
        decided = [row for row in entries(journal) if row.action == "reservation.release"]
        assert [(row.actor, row.details["outcome"]) for row in decided] == [
            ("manager:Anna", "released")
        ]


async def test_manager_mode_waits_for_money_in_flight_before_it_closes(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    answered = asyncio.Event()

    async def netgiro_still_answering() -> None:  # stands in for a refund awaiting Netgíró
        await answered.wait()

    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        screen = await enter_manager_mode(pilot, app)
        screen._run(netgiro_still_answering(), "refund", guard=True)
        await pilot.press("escape")
        await until(pilot, lambda: "Augnablik" in screen_text(app))
        assert app.screen is screen
        answered.set()
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))


@pytest.mark.parametrize("typed", ["0", "00", "0.000", "0 kr."])
def test_an_empty_drawer_is_a_count(typed: str) -> None:
    assert parse_count(typed) == 0


@pytest.mark.parametrize("typed", ["10.900", "10900"])
def test_a_count_in_kronur(typed: str) -> None:
    assert parse_count(typed) == 10900
