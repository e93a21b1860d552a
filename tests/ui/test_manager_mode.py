"""Pilot tests of cashier sign-in and manager mode (F9) on a real journal, people file and sandbox.

The people file holds PIN hashes at a low scrypt cost (fast tests; the format is the same). The
idle limit is tested with a fake clock the test moves: nothing sleeps for 15 minutes.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.refund_plan import plan_refund
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.journal.audit import entries, verify
from pos.journal.refund_slips import record_slip, refund_basis
from pos.people import PeopleFile, Person, hash_pin
from pos.ui.app import TillApp
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.confirm import ConfirmScreen
from pos.ui.screens.manager import ManagerScreen
from pos.ui.screens.manager_refunds import RefundScreen
from pos.ui.screens.manager_reports import CashMoveScreen, ReportScreen
from pos.ui.screens.payment import PaymentScreen, Stage
from pos.ui.screens.sale import SaleScreen
from pos.ui.screens.signin import PinScreen
from pos.ui.screens.startup import StartupScreen
from tests.services.refund_support import found_reservation

from .conftest import SIZE, Counter, newest_cart, screen_text, type_line, until

ANNA, ANNA_PIN = "Anna", "480263"
BJARNI, BJARNI_PIN = "Bjarni", "739154"
JON, JON_PIN = "Jón", "4826"
T0 = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)


class FakeClock:
    """UTC now for PINs and idle minutes; the test moves it."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def add_people(counter: Counter, *, cashier: bool = True) -> None:
    people = PeopleFile(counter.settings.people_file)
    people.add(Person(ANNA, "manager", hash_pin(ANNA_PIN, log2_n=10)))
    people.add(Person(BJARNI, "manager", hash_pin(BJARNI_PIN, log2_n=10)))
    if cashier:
        people.add(Person(JON, "cashier", hash_pin(JON_PIN, log2_n=10)))


def people_app(counter: Counter, clock: FakeClock | None = None, **overrides: Any) -> TillApp:
    return counter.app(people_clock=clock or FakeClock(), **overrides)


def audit_actions(counter: Counter) -> list[tuple[str, str]]:
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        assert verify(journal).ok
        return [(row.actor, row.action) for row in entries(journal)]


def palette_titles(app: TillApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def sign_in(pilot: Pilot[Any], name: str, pin: str) -> None:
    await type_line(pilot, name)
    await type_line(pilot, pin)


async def until_sale_screen(pilot: Pilot[Any], app: TillApp) -> None:
    """The sale screen on top, once whatever start showed (recovery's report) is closed."""

    def on_top() -> bool:
        return isinstance(app.screen, SaleScreen) and app.screen.started

    async def close_startup() -> None:
        await until(pilot, lambda: on_top() or isinstance(app.screen, StartupScreen))
        if isinstance(app.screen, StartupScreen):
            await pilot.press("escape")

    await close_startup()
    await until(pilot, on_top)


async def enter_manager_mode(pilot: Pilot[Any], app: TillApp) -> ManagerScreen:
    await pilot.press("f9")
    await until(pilot, lambda: isinstance(app.screen, PinScreen))
    await sign_in(pilot, ANNA, ANNA_PIN)
    await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
    screen = app.screen
    assert isinstance(screen, ManagerScreen)
    return screen


def journal_attempt_ended_in(counter: Counter, phase: Phase) -> str:
    """A sale whose Netgíró attempt ended in ``phase`` (as the engine leaves it), before start."""
    with Journal(counter.settings.journal_file) as journal:
        sale = journal.create_sale("R1", [SaleLine("1", "Kaffi", 900, 1000, 900)])
        state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
        attempt = journal.begin_attempt(sale, "***-**81", state)
        ended = replace(state, phase=phase, live=False, transaction_id=None)
        journal.record(attempt.id, ended, event="ended", point="test.ended")
        return attempt.reference


# --- cashier sign-in -----------------------------------------------------------------------------


async def test_a_cashier_signs_in_before_the_first_sale_and_is_named_on_it(
    counter: Counter,
) -> None:
    add_people(counter)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        await pilot.press("escape")  # a shift cannot start without a sign-in
        assert isinstance(app.screen, PinScreen)
        assert "Sölur dagsins" not in palette_titles(app)  # nobody at the till yet
        await sign_in(pilot, JON, "1111")
        await until(pilot, lambda: "Rangt PIN-númer" in screen_text(app))
        assert "1111" not in screen_text(app)  # never echoed
        await sign_in(pilot, JON, JON_PIN)
        await until_sale_screen(pilot, app)
        assert "Afgr.: Jón" in screen_text(app)
        assert "Sölur dagsins" in palette_titles(app)
        await type_line(pilot, "990")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await pilot.press("f3")  # the exact amount
        await until(pilot, lambda: "GREITT" in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        receipt = counter.data_dir / "receipts" / "receipt-000001.txt"
        await until(pilot, receipt.is_file)
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        assert [tuple(row) for row in journal._db.execute("SELECT cashier FROM sales")] == [
            ("Jón",)
        ]
        receipts = [job for job in journal.print_jobs() if job.kind == "receipt"]
        assert receipts[0].snapshot["cashier"] == "Jón"
    lines = [" ".join(line.split()) for line in receipt.read_text(encoding="utf-8").splitlines()]
    assert "Afgreiðsla Jón" in lines
    actions = audit_actions(counter)
    assert ("cashier:Jón", "auth.pin_failed") in actions
    assert ("cashier:Jón", "auth.signed_in") in actions


async def test_the_cashier_signs_out_from_the_palette_and_the_next_signs_in(
    counter: Counter,
) -> None:
    add_people(counter)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        await sign_in(pilot, JON, JON_PIN)
        await until_sale_screen(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.press(*"Skipta um afgr")
        await until(pilot, lambda: "Skipta um afgreiðslumann" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        assert app.context is not None and app.context.session.cashier is None
        await sign_in(pilot, ANNA, ANNA_PIN)  # a manager may take the counter too
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert app.context.session.cashier == ANNA
        assert "Afgr.: Anna" in screen_text(app)
    assert ("cashier:Jón", "auth.left") in audit_actions(counter)


async def test_without_cashiers_the_till_opens_on_the_sale_as_before(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await type_line(pilot, "990")
        assert app.context is not None and app.context.session.cashier is None
        assert "Afgr." not in screen_text(app)


# --- manager mode: PINs, lockout, idle ----------------------------------------------------------


async def test_ten_wrong_pins_lock_that_manager_even_after_a_restart(counter: Counter) -> None:
    add_people(counter, cashier=False)
    clock = FakeClock()
    app = people_app(counter, clock)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        await type_line(pilot, ANNA)
        for wrong in range(1, 10):
            await type_line(pilot, "999999")  # the PIN field keeps the focus after a refusal
            await until(pilot, lambda n=wrong: f"{10 - n} tilraunir eftir" in screen_text(app))
        await type_line(pilot, "999999")
        await until(pilot, lambda: "læst í 30 mínútur" in screen_text(app))
    restarted = people_app(counter, clock)
    async with restarted.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, restarted)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(restarted.screen, PinScreen))
        await sign_in(pilot, ANNA, ANNA_PIN)  # the right PIN, still locked
        await until(pilot, lambda: "læst í 30 mínútur" in screen_text(restarted))
        name = restarted.screen.query_one("#pin-name", Input)
        name.value = ""
        name.focus()
        await sign_in(pilot, BJARNI, BJARNI_PIN)  # another manager is not locked out
        await until(pilot, lambda: isinstance(restarted.screen, ManagerScreen))
        await pilot.press("f11")  # and may unlock her
        await type_line(pilot, "anna")
        await until(pilot, lambda: "Anna er ekki lengur læst" in screen_text(restarted))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(restarted.screen, SaleScreen))
        await enter_manager_mode(pilot, restarted)
    actions = audit_actions(counter)
    assert actions.count(("manager:Anna", "auth.pin_failed")) == 10
    assert ("manager:Anna", "auth.locked") in actions
    assert ("manager:Anna", "auth.refused_locked") in actions
    assert ("manager:Bjarni", "auth.entered") in actions
    assert ("manager:Anna", "auth.unlocked") in actions
    assert actions[-2:] == [("manager:Anna", "auth.entered"), ("manager:Anna", "auth.left")]


async def test_manager_mode_ends_after_fifteen_idle_minutes(counter: Counter) -> None:
    add_people(counter, cashier=False)
    clock = FakeClock()
    app = people_app(counter, clock, manager_idle_check_s=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        clock.now = T0 + timedelta(minutes=14)
        await pilot.pause(0.3)
        assert isinstance(app.screen, ManagerScreen)  # 14 minutes: still on
        clock.now = T0 + timedelta(minutes=15)
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert "15 mínútur án aðgerða" in screen_text(app)
    actions = audit_actions(counter)
    assert ("manager:Anna", "auth.entered") in actions
    assert ("manager:Anna", "auth.idle_exit") in actions


# --- manager mode: what the till could not settle ----------------------------------------------


async def test_a_manager_settles_a_needs_review_sale_from_f9(counter: Counter) -> None:
    reference = journal_attempt_ended_in(counter, Phase.NEEDS_REVIEW)
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await until(pilot, lambda: reference in screen_text(app))
        assert "svör Netgíró stangast á" in screen_text(app)
        await pilot.press("f2")  # paid
        await until(pilot, lambda: "GREIDD (hvað sýnir Netgíró?)" in screen_text(app))
        await type_line(pilot, "Gátt Netgíró: greitt")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # a bare Enter never answers
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("j")
        await until(pilot, lambda: "gerð upp: GREIDD" in screen_text(app))
        await until(pilot, lambda: "Ekkert óuppgert" in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        assert journal.sale(1).status == "paid"
        settled = [row for row in entries(journal) if row.action == "sale.settled"]
        assert [(row.actor, row.details["reference"]) for row in settled] == [
            ("manager:Anna", reference)
        ]
        assert settled[0].details["reason"] == "Gátt Netgíró: greitt"
    assert ("manager:Anna", "auth.left") in audit_actions(counter)


async def test_a_manager_confirms_a_found_reservation_from_f9(counter: Counter) -> None:
    counter.data_dir.mkdir(parents=True, exist_ok=True)
    with Journal(counter.settings.journal_file) as journal:
        reference = await found_reservation(counter.sandbox, journal)
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await until(pilot, lambda: "frátekið, ekki greitt" in screen_text(app))
        await pilot.press("f2")  # settling is not how a reservation ends
        await until(pilot, lambda: "Þetta er frátekning" in screen_text(app))
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("j")
        await until(pilot, lambda: "Frátekning staðfest" in screen_text(app))
        receipt = counter.data_dir / "receipts" / "receipt-000001.txt"
        await until(pilot, receipt.is_file)  # its receipt printed from manager mode
    carts = counter.carts()
    assert [cart["Status"] for cart in carts] == ["paid"]
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        attempt = journal.attempt_by_reference(reference)
        assert attempt is not None and attempt.state.phase is Phase.PAID
        decided = [row for row in entries(journal) if row.action == "reservation.confirm"]
        assert [(row.actor, row.details["outcome"]) for row in decided] == [
            ("manager:Anna", "paid")
        ]


# --- manager mode: the drawer, copies, discounts -------------------------------------------------


async def test_open_drawer_and_a_copy_of_any_receipt_are_audited(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await type_line(pilot, "990")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen))
        await pilot.press("f3")
        await until(pilot, lambda: "GREITT" in screen_text(app))
        await pilot.press("escape")
        await enter_manager_mode(pilot, app)
        await pilot.press("f6")
        await until(pilot, lambda: "Skúffan opnuð" in screen_text(app))
        await pilot.press("f7")
        await until(pilot, lambda: "Númer kvittunar" in screen_text(app))
        await type_line(pilot, "7")
        await until(pilot, lambda: "Engin kvittun hefur númerið 7" in screen_text(app))
        await pilot.press("f7")
        await type_line(pilot, "1")
        await until(pilot, lambda: "Afrit af kvittun 1" in screen_text(app))
        copy = counter.data_dir / "receipts" / "receipt-000001-afrit-1.txt"
        await until(pilot, copy.is_file)
    actions = audit_actions(counter)
    assert ("manager:Anna", "cash.no_sale") in actions
    assert ("manager:Anna", "print.reprint") in actions
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        copies = [row.details for row in entries(journal) if row.action == "print.reprint"]
    assert [(c["why"], c["copy_no"]) for c in copies] == [("manager", 1)]
    assert "AFRIT" in copy.read_text(encoding="utf-8")


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "not-approved"])
async def test_a_discount_above_the_limit_is_approved_by_a_manager_pin(
    counter: Counter, approve: bool
) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await type_line(pilot, "1000")
        await pilot.press("f10")
        await pilot.press("f10")  # on the whole sale
        await type_line(pilot, "50%")
        await type_line(pilot, "vinur")
        await until(pilot, lambda: isinstance(app.screen, PinScreen))
        assert "Afsláttur umfram mörk" in screen_text(app)
        if approve:
            await sign_in(pilot, ANNA, ANNA_PIN)
        else:
            await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert app.context is not None
        assert app.context.session.view.sale.total == (500 if approve else 1000)
        if approve:
            assert "samþykktur af Anna" in screen_text(app)
    approved = [a for a in audit_actions(counter) if a[1] == "discount.approved"]
    assert approved == ([("manager:Anna", "discount.approved")] if approve else [])


async def test_a_manager_changes_a_counter_setting_and_it_is_audited(
    counter: Counter, tmp_path: Path
) -> None:
    config = tmp_path / "register.toml"
    config.write_text("[timing]\ndeadline_s = 30.0  # short at this counter\n", encoding="utf-8")
    add_people(counter, cashier=False)
    app = people_app(counter, config_file=config)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await pilot.press("f8")
        await until(pilot, lambda: "Stilling = gildi" in screen_text(app))
        await type_line(pilot, "register.store_id = X")  # not a counter setting: refused
        await until(pilot, lambda: "register.store_id er ekki breytt" in screen_text(app))
        await pilot.press("f8")
        await type_line(pilot, "timing.deadline_s = 120")
        await until(pilot, lambda: "Breytt: timing.deadline_s" in screen_text(app))
    assert tomllib.loads(config.read_text(encoding="utf-8"))["timing"]["deadline_s"] == 120
    assert "# short at this counter" in config.read_text(encoding="utf-8")
    assert ("manager:Anna", "config.changed") in audit_actions(counter)


# --- X, Z and cash ---------------------------------------------------------------------------


async def cash_sale(pilot: Pilot[Any], app: TillApp, amount: str) -> None:
    await type_line(pilot, amount)
    await pilot.press("f3")
    await until(pilot, lambda: isinstance(app.screen, CashScreen))
    await pilot.press("f3")  # the exact amount
    await until(pilot, lambda: "GREITT" in screen_text(app))
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))


async def test_float_x_and_a_z_with_a_blind_count_from_f9(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    reports = counter.data_dir / "receipts"
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await cash_sale(pilot, app, "990")
        await type_line(pilot, "500")  # a sale on the counter stops a Z
        await enter_manager_mode(pilot, app)
        await pilot.press("f10")
        await until(pilot, lambda: "Sala er á afgreiðsluborðinu" in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.press("ctrl+n")
        await pilot.press("j")  # clear it
        await enter_manager_mode(pilot, app)
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, CashMoveScreen))
        await pilot.press("enter")  # the opening float
        await type_line(pilot, "10000")
        await type_line(pilot, "")
        await until(pilot, lambda: "Skráð: Skiptimynt í upphafi 10.000 kr." in screen_text(app))
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert "X" in screen_text(app)
        await pilot.press("f2")  # print the X
        await until(pilot, lambda: "X-skýrsla í prentröð" in screen_text(app))
        await pilot.press("f10")
        await until(pilot, lambda: "Talið reiðufé í skúffu" in screen_text(app))
        assert "10.990" not in screen_text(app)  # a blind count: no expected amount yet
        await type_line(pilot, "10.900")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert "Z 1 lokuð" in screen_text(app)
        await until(pilot, lambda: len(list(reports.glob("report-*.txt"))) == 2)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
        assert "Talið 10.900 kr. · vænt 10.990 kr. · vantar 90 kr." in screen_text(app)
        await pilot.press("f7")  # a copy of the Z, by its number
        await type_line(pilot, "Z1")
        await until(pilot, lambda: "Afrit af Z 1 í prentröð" in screen_text(app))
        await until(pilot, lambda: len(list(reports.glob("report-*-afrit-1.txt"))) == 1)
    actions = audit_actions(counter)
    for action in ("cash.float", "report.x_printed", "z.closed", "z.reprinted"):
        assert ("manager:Anna", action) in actions, action
    assert list((counter.data_dir / "z-backups").glob("Z00001-*.csv"))


async def test_a_z_voids_a_parked_sale_when_the_manager_says_so(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await type_line(pilot, "1500")
        await pilot.press("f5")  # parked
        await until(
            pilot, lambda: app.context is not None and app.context.session.view.sale.is_empty
        )
        await enter_manager_mode(pilot, app)
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "ógildir opnar og geymdar sölur (1)" in screen_text(app)
        await pilot.press("j")
        await until(pilot, lambda: "Talið reiðufé" in screen_text(app))
        await type_line(pilot, "0")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert "stemmir" in screen_text(app)
    with Journal(counter.settings.journal_file, read_only=True) as journal:
        assert journal.sale(1).status == "voided"


async def netgiro_sale(pilot: Pilot[Any], app: TillApp, counter: Counter, amount: str) -> None:
    await type_line(pilot, amount)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, PaymentScreen))
    await type_line(pilot, "8223281")
    cart = await newest_cart(pilot, counter)
    counter.act(cart["TransactionId"], "accept")
    await until(pilot, lambda: getattr(app.screen, "stage", None) is Stage.RESULT)
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))


# --- refunds by line -----------------------------------------------------------------------------


async def refund_from_f9(
    pilot: Pilot[Any], app: TillApp, lines: str, question: tuple[str, ...]
) -> None:
    await enter_manager_mode(pilot, app)
    await pilot.press("ctrl+t")
    await until(pilot, lambda: "Kvittun til endurgreiðslu" in screen_text(app))
    await type_line(pilot, "1")
    await until(pilot, lambda: isinstance(app.screen, RefundScreen))
    assert "Endurgreiðsla af kvittun 1" in screen_text(app)
    await type_line(pilot, lines)
    await type_line(pilot, "skemmd vara")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await until(pilot, lambda: all(words in screen_text(app) for words in question))
    await pilot.press("j")


async def test_a_cash_refund_of_one_line_from_f9(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await type_line(pilot, "2*5690010000012")  # 2 × Mjólk 1 l at 229
        await cash_sale(pilot, app, "990")
        await refund_from_f9(
            pilot, app, "1:1", ("Endurgreiða 229 kr. af kvittun 1", "(reiðufé 229 kr.)?")
        )
        await until(pilot, lambda: "Greiddu út 229 kr." in screen_text(app))
        slips = counter.data_dir / "receipts"
        await until(pilot, lambda: list(slips.glob("refund-slip-*.txt")))
    slip = next((counter.data_dir / "receipts").glob("refund-slip-*.txt")).read_text(
        encoding="utf-8"
    )
    assert "Mjólk 1 l" in slip and "229" in slip
    assert any(
        actor == "manager:Anna" and action.startswith("refund")
        for actor, action in audit_actions(counter)
    )


async def test_a_netgiro_refund_from_f9_goes_back_to_netgiro(counter: Counter) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await netgiro_sale(pilot, app, counter, "2137")
        await refund_from_f9(
            pilot, app, "", ("Endurgreiða 2.137 kr. af kvittun 1", "til Netgíró 2.137")
        )
        await until(pilot, lambda: "Sala 1: endurgreitt" in screen_text(app))
        assert "Greiddu út" not in screen_text(app)  # Netgíró's share never comes back as cash
    refunds = httpx.get(counter.sandbox.root_url + "sandbox/refunds", timeout=5).json()
    assert [refund["refundAmount"] for refund in refunds] == [2137]


async def test_a_refund_a_crash_left_unknown_is_settled_from_what_the_portal_shows(
    counter: Counter,
) -> None:
    add_people(counter, cashier=False)
    app = people_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, app)
        await netgiro_sale(pilot, app, counter, "2137")
    with Journal(counter.settings.journal_file) as journal:  # the till stopped mid-refund
        basis = refund_basis(journal, 1)
        plan = plan_refund(basis.lines, {1: basis.lines[0].left_milli}, basis.tenders)
        record_slip(journal, basis, plan, manager="manager:Anna", reason="skil", keys=["k1"], at=T0)
    restarted = people_app(counter)
    async with restarted.run_test(size=SIZE) as pilot:
        await until_sale_screen(pilot, restarted)
        await enter_manager_mode(pilot, restarted)
        await until(pilot, lambda: "Endurgreiðsla 1 · sala 1" in screen_text(restarted))
        await pilot.press("f4")  # not a reservation
        await until(pilot, lambda: "óviss endurgreiðsla" in screen_text(restarted))
        await pilot.press("f2")
        await until(pilot, lambda: "TÓKST)" in screen_text(restarted))
        await type_line(pilot, "Gáttin sýnir endurgreiðslu 2.137 kr.")
        await until(pilot, lambda: isinstance(restarted.screen, ConfirmScreen))
        await pilot.press("j")
        await until(pilot, lambda: "Endurgreiðsla 1 skráð: TÓKST" in screen_text(restarted))
        await until(pilot, lambda: "Ekkert óuppgert" in screen_text(restarted))
    assert ("manager:Anna", "refund.settled") in audit_actions(counter)
