"""Recall a parked sale: a list of parked sales; Enter recalls the highlighted one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pos.services.till_views import ParkedSale
from pos.ui.format import grouped
from pos.ui.text import Messages


class RecallScreen(ModalScreen[int | None]):
    """Dismisses with the chosen sale's id, or None on Esc."""

    BINDINGS = [Binding("escape", "close", "keys.recall.close", priority=True)]  # noqa: RUF012

    def __init__(self, messages: Messages, parked: list[ParkedSale]) -> None:
        super().__init__()
        self.say = messages
        self.parked = parked

    def compose(self) -> ComposeResult:
        with Vertical(id="recall-box"):
            yield Static(self.say("recall.title"))
            yield OptionList(
                *[
                    Option(
                        self.say(
                            "recall.row",
                            sale=sale.sale_id,
                            total=grouped(sale.total),
                            lines=sale.line_count,
                            when=sale.parked_at[11:16],
                        ),
                        id=str(sale.sale_id),
                    )
                    for sale in self.parked
                ],
                id="recall-list",
            )
            yield Static(self.say("recall.keys"))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_close(self) -> None:
        self.dismiss(None)
