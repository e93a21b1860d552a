"""The input line: an Input that remembers when each key came, for the scan-or-typed hint."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input


class EntryLine(Input):
    """Keys and their arrival times; ``take()`` empties it and returns both.

    A newline (ctrl+j) submits like Enter: an Enter typed while ``pos`` starts, before the
    terminal leaves line mode, arrives as a newline, and so does a scanner set to send LF.
    """

    DEFAULT_CSS = "EntryLine { border: round $accent; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+j", "submit", show=False)]

    def __init__(
        self, *, placeholder: str = "", id: str | None = None, password: bool = False
    ) -> None:
        super().__init__(placeholder=placeholder, id=id, password=password)
        self.cursor_blink = False  # steady: a till is watched all day, and snapshots stay still
        self._times: list[float] = []

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            self._times.append(event.time)
        await super()._on_key(event)

    def take(self) -> tuple[str, list[float]]:
        """What was typed, and the key times when they still match it key for key."""
        keys, times = self.value, self._times
        self.value, self._times = "", []
        return keys, times if len(times) == len(keys) else []
