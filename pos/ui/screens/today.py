"""Today's sales with their state, newest first (from the command palette)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.ui.context import TillContext
from pos.ui.format import grouped


class TodayScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "keys.today.close", priority=True)]  # noqa: RUF012

    def __init__(self, context: TillContext) -> None:
        super().__init__()
        self.context = context
        self.say = context.messages

    def compose(self) -> ComposeResult:
        rows = [
            self.say(
                "today.row",
                sale=sale.sale_id,
                total=grouped(sale.total),
                status=self.say(f"status_word.{sale.status}"),
                receipt=sale.receipt_no if sale.receipt_no is not None else "-",
            )
            for sale in self.context.session.today_sales()
        ]
        with VerticalScroll(id="today-box"):
            yield Static(self.say("today.title"))
            yield Static("\n".join(rows) or self.say("today.none"))
            yield Static(self.say("today.keys"))

    def action_close(self) -> None:
        self.dismiss()
