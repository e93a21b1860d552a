"""The serial scanner in the till: its reader thread's codes and states as app messages.

Rules kept: only the till, holding the register lock (its session is open), opens the port;
the reader thread never touches a widget, it posts messages (``post_message`` is thread-safe);
each code goes to the screen on top exactly as a keyboard-wedge scan would (its
``take_scan``), and a screen without one says the scan was ignored; the state (ok /
reconnecting / fault) is shown in every status bar and said once when it changes.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message

from pos.services.devices import scanner_state
from pos.ui.text import Messages
from pos.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from pos.devices.protocols import Scanner
    from pos.devices.status import DeviceStatus

ScannerFactory = Callable[[], "Scanner | None"]


class ScannerCode(Message):
    """One code the serial scanner read (its suffix already stripped)."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class ScannerChanged(Message):
    """The serial scanner's state changed: ok, reconnecting, fault or unknown."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


def start_serial_scanner(app: App[Any], make: ScannerFactory | None, exits: AsyncExitStack) -> bool:
    """Start the configured serial scanner's reader (none for a wedge); it stops with ``exits``."""
    scanner = make() if make is not None else None
    if scanner is None:
        return False

    def on_code(code: str) -> None:
        _post(app, ScannerCode(code))

    def on_status(status: DeviceStatus) -> None:
        _post(app, ScannerChanged(scanner_state(status)))

    scanner.start(on_code, on_status)
    exits.callback(scanner.stop)
    return True


def _post(app: App[Any], message: Message) -> None:
    # From the reader thread: an app already closing has no loop to take it (the scan is moot).
    with contextlib.suppress(RuntimeError):
        app.post_message(message)


SCREEN_WAIT_S = 5.0
"""How long a scan waits for a screen that is pushed but not yet built (then: said, dropped)."""
RETRY_S = 0.05


class ScanRelay:
    """Hands each code to the screen on top, in order, as a wedge scan would come.

    A scanner fires whenever it likes: a code that arrives while the screen on top is pushed
    but not yet built (its fields missing) is kept, with any after it, until the screen can
    take it. A screen without ``take_scan`` says the scan was ignored.
    """

    def __init__(self, app: App[Any], say: Messages) -> None:
        self.app, self.say = app, say
        self.pending: deque[tuple[str, float]] = deque()

    def take(self, code: str) -> None:
        self.pending.append((code, time.monotonic()))
        self.drain()

    def drain(self) -> None:
        while self.pending:
            code, since = self.pending[0]
            screen = self.app.screen
            take: Callable[[str], None] | None = getattr(screen, "take_scan", None)
            try:
                if take is None:
                    screen.notify(self.say("devices.scan_ignored"), severity="warning")
                else:
                    take(code)
            except NoMatches:  # pushed, not yet composed: keep it (and those after it)
                if time.monotonic() - since < SCREEN_WAIT_S:
                    self.app.set_timer(RETRY_S, self.drain)
                    return
                screen.notify(self.say("devices.scan_ignored"), severity="warning")
            self.pending.popleft()


def show_scanner_state(app: App[Any], state: str, say: Messages) -> None:
    """Every status bar shows the state; an unplugged or broken scanner is said once."""
    for screen in app.screen_stack:
        for bar in screen.query(StatusBar):
            bar.set_scanner(state)
    if state in ("reconnecting", "fault"):
        app.notify(say(f"devices.scanner_{state}_notice"), severity="warning")
