"""The drawer at the till: a cash sale kicks the drawer on the configured printer (a real loopback
TCP printer); when no kick can be sent the cash screen says to open it with the key. Both audited."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

from pos.config.printer import PrinterSettings
from pos.journal import Journal
from pos.journal.audit import entries
from pos.ui.screens.cash import CashScreen
from pos.ui.screens.sale import SaleScreen
from tests.devices.loopback_printer import loopback_printer

from .conftest import SIZE, Counter, screen_text, type_line, until


def with_network_printer(counter: Counter, port: int, timeout_s: float = 3.0) -> None:
    printer = PrinterSettings(kind="network", host="127.0.0.1", port=port, timeout_s=timeout_s)
    counter.settings = replace(
        counter.settings, sections={**counter.settings.sections, "printer": printer}
    )


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port: int = listener.getsockname()[1]
    return port  # nothing listens there now: a connect is refused at once


def audit_rows(counter: Counter, action: str) -> list[tuple[str, dict[str, Any]]]:
    with Journal(counter.settings.journal_file) as journal:
        return [(row.actor, row.details) for row in entries(journal, actions=(action,))]


async def test_a_drawer_that_cannot_be_kicked_is_opened_with_the_key_and_audited(
    counter: Counter,
) -> None:
    with_network_printer(counter, closed_port())
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await type_line(pilot, "2137")
        await pilot.press("f3", "f3")
        await until(pilot, lambda: isinstance(app.screen, CashScreen) and app.screen.done)
        await until(pilot, lambda: "opnaðu hana með lyklinum" in " ".join(screen_text(app).split()))
    [(actor, details)] = audit_rows(counter, "drawer.open_with_key")
    assert actor == "register:R1" and details["why"] == "cash_sale"
    assert "unreachable" in details["problem"] or "did not open" in details["problem"]
    assert audit_rows(counter, "drawer.kicked") == []


async def test_a_cash_sale_kicks_the_drawer_and_the_kick_is_audited(counter: Counter) -> None:
    with loopback_printer() as listener:
        with_network_printer(counter, listener.port)
        app = counter.app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SaleScreen))
            await type_line(pilot, "2137")
            await pilot.press("f3", "f3")
            await until(pilot, lambda: isinstance(app.screen, CashScreen) and app.screen.done)
            assert "lyklinum" not in screen_text(app)
            await until(pilot, lambda: b"\x1bp" in listener.data)  # ESC p reached the printer
    [(actor, details)] = audit_rows(counter, "drawer.kicked")
    assert actor == "register:R1" and details["why"] == "cash_sale" and details["sale_id"]


class HangingConnect:
    """A loopback port whose connects hang: ``listen(0)`` and its one queue slot taken, so the
    kernel drops every further SYN (tests/support/fault_proxy.py says how, observed on Linux).
    A printer there answers nothing until the till's own timeout."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port: int = self.listener.getsockname()[1]
        self.fillers: list[socket.socket] = []
        while len(self.fillers) < 8:
            filler = socket.socket()
            filler.settimeout(0.5)
            try:
                filler.connect(("127.0.0.1", self.port))
            except OSError:  # this one hangs: the queue is full from now on
                filler.close()
                return
            self.fillers.append(filler)
        raise AssertionError("the loopback accept queue never filled")

    def close(self) -> None:
        for held in (*self.fillers, self.listener):
            held.close()


async def test_a_drawer_kick_that_hangs_never_freezes_the_screen(counter: Counter) -> None:
    hanging = HangingConnect()
    try:
        with_network_printer(counter, hanging.port, timeout_s=10.0)
        app = counter.app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SaleScreen))
            await type_line(pilot, "2137")
            await pilot.press("f3", "f3")
            await until(pilot, lambda: isinstance(app.screen, CashScreen) and app.screen.done)
            # The change is on the screen while the kick still waits for its connect: a kick on
            # the screen's thread would have held the screen until its 10 s timeout (and audited).
            assert audit_rows(counter, "drawer.open_with_key") == []
            await until(
                pilot, lambda: "opnaðu hana með lyklinum" in " ".join(screen_text(app).split())
            )
        [(_, details)] = audit_rows(counter, "drawer.open_with_key")
        assert details["why"] == "cash_sale"
    finally:
        hanging.close()


async def test_a_managers_no_sale_kick_that_hangs_never_freezes_the_manager_screen(
    counter: Counter,
) -> None:
    from .test_manager_mode import add_people, enter_manager_mode, people_app, until_sale_screen

    hanging = HangingConnect()
    try:
        with_network_printer(counter, hanging.port, timeout_s=10.0)
        add_people(counter, cashier=False)
        app = people_app(counter)
        async with app.run_test(size=SIZE) as pilot:
            await until_sale_screen(pilot, app)
            await enter_manager_mode(pilot, app)
            await pilot.press("f6")  # no sale: open the drawer
            await pilot.press("f7")  # the screen goes on while the kick waits for its connect
            await until(pilot, lambda: "Númer kvittunar" in screen_text(app))
            assert audit_rows(counter, "drawer.open_with_key") == []  # the kick has not ended
            await until(pilot, lambda: "Skúffan opnaðist ekki" in screen_text(app))
        [(actor, _)] = audit_rows(counter, "cash.no_sale")
        [(kicker, kicked)] = audit_rows(counter, "drawer.open_with_key")
        assert actor == kicker == "manager:Anna" and kicked["why"] == "no_sale"
    finally:
        hanging.close()
