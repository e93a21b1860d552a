"""TillApp: opens the session, installs the sale screen, and routes app-wide messages.

It owns no widget state. The session's listener becomes a message to every screen; Quit is
refused while a payment is live (the key, the palette and ``action_quit`` alike).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import replace
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker

from pos.core.errors import PosError
from pos.core.keymap import APP
from pos.people import PeopleFile
from pos.services.till_manager import TillManager
from pos.services.till_session import TillSession
from pos.services.till_views import TillUpdate
from pos.ui.context import ScreenSettings, TillContext
from pos.ui.demo import DemoInfo
from pos.ui.explain import say_worker_failure
from pos.ui.keys import bindings
from pos.ui.messages import TillUpdated
from pos.ui.serial_scan import (
    ScannerChanged,
    ScannerCode,
    ScanRelay,
    show_scanner_state,
    start_serial_scanner,
)
from pos.ui.text import load_messages


def with_demo(settings: ScreenSettings, session: TillSession) -> ScreenSettings:
    """Demo mode: the embedded sandbox's customer page, once the session has started it."""
    sandbox = session.till.sandbox
    if not settings.demo_from_sandbox or sandbox is None:
        return settings
    return replace(settings, demo=DemoInfo(sandbox.customer_page_url))


def _signing_in(screen: Screen[object]) -> bool:
    """A cashier's sign-in is on screen: nobody is at the till yet, so no sales are shown."""
    from pos.ui.screens.signin import PinScreen

    return isinstance(screen, PinScreen) and screen.purpose == "cashier"


SessionOpener = Callable[[], AbstractAsyncContextManager[TillSession]]


class TillApp(App[int]):
    """The till: ``TillApp(open_session, settings)``, built by the same wiring as ``pos pay``."""

    CSS_PATH = Path(__file__).with_name("till.tcss")
    BINDINGS = bindings(APP, {"app_help": "help", "app_quit": "quit"})
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, open_session: SessionOpener, settings: ScreenSettings) -> None:
        super().__init__()
        self._open_session = open_session
        self._exits = AsyncExitStack()
        self.settings = settings
        self.messages = load_messages(settings.ui.language)
        self._scans = ScanRelay(self, self.messages)
        self.context: TillContext | None = None
        self.failure: PosError | None = None
        self.title = self.messages("app.title")

    async def on_mount(self) -> None:
        self.set_keymap(dict(self.settings.ui.keymap.keys))
        try:
            session = await self._exits.enter_async_context(self._open_session())
        except PosError as exc:
            self.failure = exc
            self.exit(2, return_code=2)
            return
        self.settings = with_demo(self.settings, session)
        make_queue = self.settings.print_queue
        printing = make_queue(session.till.journal) if make_queue else None
        manager = self._till_manager(session)
        self.context = TillContext(session, self.messages, self.settings, printing, manager)
        session.set_listener(self._relay)
        from pos.ui.screens.sale import SaleScreen

        await self.push_screen(SaleScreen(self.context))
        start_serial_scanner(self, self.settings.serial_scanner, self._exits)  # the lock is ours

    @on(ScannerCode)
    def _scanned(self, message: ScannerCode) -> None:
        self._scans.take(message.code)

    @on(ScannerChanged)
    def _scanner_changed(self, message: ScannerChanged) -> None:
        show_scanner_state(self, message.state, self.messages)

    def _till_manager(self, session: TillSession) -> TillManager | None:
        """Sign-in and manager mode on the register's people file (none configured: no F9)."""
        people_file = self.settings.people_file
        if people_file is None:
            return None
        return TillManager(
            session,
            PeopleFile(people_file),
            clock=self.settings.people_clock,
            config_file=self.settings.config_file,
        )

    async def on_unmount(self) -> None:
        await self._exits.aclose()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        say_worker_failure(self, self.messages, event)

    def _relay(self, update: TillUpdate) -> None:
        """The session's one listener: a message to each screen (never a widget call)."""
        for screen in self.screen_stack:
            screen.post_message(TillUpdated(update))

    @property
    def payment_live(self) -> bool:
        return self.context is not None and self.context.session.payment_live

    async def action_quit(self) -> None:
        if self.payment_live:
            self.notify(self.messages("app.quit_refused"), severity="warning")
            return
        self.exit(0)

    def action_help(self) -> None:
        from pos.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.messages))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Only the till's own rare actions; Quit only while no payment is live."""
        say = self.messages
        yield SystemCommand(say("palette.help"), say("palette.help_help"), self.action_help)
        if self.context is not None and not _signing_in(screen):
            yield SystemCommand(say("palette.today"), say("palette.today_help"), self._show_today)
            yield SystemCommand(
                say("palette.recover"), say("palette.recover_help"), self._recover_now
            )
        yield from self._people_commands(screen)
        if not self.payment_live:
            yield SystemCommand(say("palette.quit"), say("palette.quit_help"), self.action_quit)

    def _people_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Manager mode and a change of cashier, from the sale screen only."""
        from pos.ui.screens.sale import SaleScreen

        say = self.messages
        if not isinstance(screen, SaleScreen) or self.context is None or not self.context.manager:
            return
        yield SystemCommand(
            say("manager.palette.manager"),
            say("manager.palette.manager_help"),
            screen.action_manager,
        )
        if screen.signing_in:
            yield SystemCommand(
                say("manager.palette.cashier"),
                say("manager.palette.cashier_help"),
                screen.action_change_cashier,
            )

    def _show_today(self) -> None:
        from pos.ui.screens.today import TodayScreen

        if self.context is not None:
            self.push_screen(TodayScreen(self.context))

    def _recover_now(self) -> None:
        from pos.ui.workers import recover_now

        if self.context is not None:
            self.run_worker(recover_now(self, self.context.session), exit_on_error=False)
