"""One command's session: its signals, its terminal and the durable outcome it reports."""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Any

from pos.cli.early import early_catcher

if TYPE_CHECKING:  # asyncio alone is ~50 ms of `pos --help` (benchmarks/startup.py)
    import asyncio

    from pos.services.checkout_runner import CheckoutRunner
    from pos.services.status import CheckoutView

EXIT_ERROR = 2  # pos.services.payment.EXIT_ERROR, not imported here: start-up stays light
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGNALLED_COMMANDS = frozenset({"pay", "recover"})


class Session:
    """One command's signals, terminal and durable outcome."""

    def __init__(self, command: str = "") -> None:
        self.command = command
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runner: CheckoutRunner | None = None
        self.stage = "starting"  # starting, recovering, paying, done
        self.interrupts = 0
        self.stopping = False
        self.dont_start = False
        self.terminal_gone = False
        self.view: CheckoutView | None = None
        """The payment's last durable state, as the runner published it after its commit."""
        self.outcome_printed = False
        self.call_total_s = 20.0

    def on_signal(self, signum: int, frame: object) -> None:
        """The process's handler: act in the event loop when there is one."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self.handle, signum)
                return
            except RuntimeError:  # the loop closed meanwhile
                pass
        self.handle(signum)

    def handle(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            self.terminal_gone = True  # every later write is dropped, never raised
        first_ctrl_c = signum == signal.SIGINT and self.interrupts == 0 and not self.stopping
        if signum == signal.SIGINT:
            self.interrupts += 1
        if first_ctrl_c and self.command == "pay":
            self._first_ctrl_c()
            return
        self.dont_start = True
        if not self.stopping:
            self.stopping = True
            if self.runner is not None:
                self.runner.stop()
            self.say(
                f"Stopping: an unfinished payment stays in the journal for `pos recover` "
                f"(at most {self.call_total_s + 2:g} s)."
            )

    def _first_ctrl_c(self) -> None:
        if self.stage == "paying" and self.runner is not None and self.runner.press_cancel():
            self.say("Cancelling this sale's payment… (Ctrl-C again stops and leaves it open)")
            return
        self.dont_start = True
        self.say(
            "Ctrl-C: the new sale will not start; the payments being recovered are finished "
            "first (Ctrl-C again stops now)."
        )

    def say(self, line: str) -> None:
        self.write(line, sys.stderr)

    def write(self, line: str, stream: Any) -> None:
        """A line to the terminal; a dead terminal (EIO, a closed pipe) is ignored from then on."""
        if self.terminal_gone:
            return
        try:
            print(line, file=stream, flush=True)
        except (OSError, ValueError):
            self.terminal_gone = True


SESSIONS = [Session()]
"""The running command's session, last; one a process, a list only so that tests may run many."""


def current_session() -> Session:
    return SESSIONS[-1]


def say(line: str) -> None:
    current_session().say(line)


def out(line: str) -> None:
    current_session().write(line, sys.stdout)


def install_signals(session: Session) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for signum in HANDLED_SIGNALS:
        previous[signum] = signal.signal(signum, session.on_signal)
    return previous


def without_early(previous: dict[int, Any]) -> dict[int, Any]:
    """The handlers to restore, with the start-up catcher replaced by the default ones."""
    return {
        signum: (signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        if handler is early_catcher
        else handler
        for signum, handler in previous.items()
    }


def restore_signals(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
