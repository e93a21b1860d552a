"""A yes/no question that a scanner cannot answer: no Enter binding, no buttons, only J/Y or N/Esc."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.ui.text import Messages


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses True on J or Y, False on N or Esc; Enter does nothing."""

    BINDINGS = [  # noqa: RUF012
        Binding("j,y", "answer(True)", "keys.confirm.yes", priority=True),
        Binding("n,escape", "answer(False)", "keys.confirm.no", priority=True),
        Binding("enter", "ignore_enter", show=False, priority=True),
    ]

    def __init__(self, messages: Messages, question: str) -> None:
        super().__init__()
        self.say = messages
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static(self.say("confirm.keys"), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_ignore_enter(self) -> None:
        self.query_one("#confirm-keys", Static).update(self.say("confirm.enter_ignored"))
