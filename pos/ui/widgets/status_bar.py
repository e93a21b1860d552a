"""The top line: store and register, sandbox or live, connection, printer, scanner, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from textual.reactive import reactive
from textual.widgets import Static

from pos.ui.text import Messages

CLOCK_FORMAT = "%H:%M"


@dataclass(frozen=True)
class StatusFacts:
    """What the status bar says; ``connection`` and ``printer`` are ok / fault / unknown."""

    store: str
    register: str
    sandbox: bool
    connection: str = "unknown"
    printer: str = "unknown"
    pending_prints: int = 0
    scanner: str = "keyboard"
    """A wedge ("keyboard"), or a serial scanner's ok / reconnecting / fault / unknown."""

    cashier: str = ""
    """The signed-in cashier ("" without sign-in)."""


class StatusBar(Static):
    """One line of facts; the clock comes from the app (frozen in tests)."""

    DEFAULT_CSS = "StatusBar { height: 1; background: $primary-background; padding: 0 1; }"
    facts: reactive[StatusFacts | None] = reactive(None)

    def __init__(
        self, messages: Messages, clock: Callable[[], datetime], facts: StatusFacts
    ) -> None:
        super().__init__()
        self._messages = messages
        self._clock = clock
        self.facts = facts

    def on_mount(self) -> None:
        self.set_interval(15, self.refresh)

    def set_printer(self, state: str, pending: int) -> None:
        if self.facts is not None:
            self.facts = replace(self.facts, printer=state, pending_prints=pending)

    def set_scanner(self, state: str) -> None:
        if self.facts is not None and self.facts.scanner != state:
            self.facts = replace(self.facts, scanner=state)

    def set_cashier(self, name: str) -> None:
        if self.facts is not None:
            self.facts = replace(self.facts, cashier=name)

    def set_connection(self, state: str) -> None:
        if self.facts is not None and self.facts.connection != state:
            self.facts = replace(self.facts, connection=state)

    def render(self) -> str:
        facts = self.facts
        if facts is None:
            return ""
        say = self._messages
        mode = say("status.sandbox") if facts.sandbox else say("status.live")
        left = say("status.where", store=facts.store, register=facts.register, mode=mode)
        if facts.cashier:
            left += " · " + say("manager.cashier.status", name=facts.cashier)
        marks = {"ok": "✓", "fault": "✗", "unknown": "?"}
        parts = [
            say("status.pending_prints", count=facts.pending_prints)
            if facts.pending_prints
            else "",
            f"{say('status.connection')} {marks[facts.connection]}",
            f"{say('status.printer')} {marks[facts.printer]}",
            self._scanner(facts.scanner),
            self._clock().strftime(CLOCK_FORMAT),
        ]
        room = self.size.width - 2 - len(left) - 1
        right = "  ".join(part for part in parts if part)
        if len(right) > room:  # a narrow terminal spares a scanner that works, else the clock
            spare = parts[3] if facts.scanner in ("keyboard", "ok") else parts[4]
            right = "  ".join(part for part in parts if part and part != spare)
        gap = max(1, self.size.width - 2 - len(left) - len(right))
        return left + " " * gap + right

    def _scanner(self, state: str) -> str:
        if state == "keyboard":
            return self._messages("status.scanner")
        return self._messages(f"devices.scanner_{state}")
