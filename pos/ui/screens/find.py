"""Find an item by name or PLU: type to narrow the list; Down to move into it; Enter adds."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pos.core.catalog import CatalogItem
from pos.ui.context import TillContext
from pos.ui.format import grouped
from pos.ui.widgets.entry_line import EntryLine


class FindScreen(ModalScreen[CatalogItem | None]):
    """Dismisses with the chosen catalog item, or None on Esc."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "keys.find.close", priority=True),
        Binding("down", "into_list", show=False),
    ]

    def __init__(self, context: TillContext) -> None:
        super().__init__()
        self.context = context
        self.say = context.messages
        self.found: list[CatalogItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="find-box"):
            yield Static(self.say("find.title"))
            yield EntryLine(placeholder=self.say("find.placeholder"), id="find-text")
            yield OptionList(id="find-list")
            yield Static(self.say("find.keys"), id="find-keys")

    def on_mount(self) -> None:
        self.query_one("#find-text").focus()

    @on(Input.Changed, "#find-text")
    def narrowed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.found = self.context.session.find_items(text) if text else []
        options = self.query_one("#find-list", OptionList)
        options.clear_options()
        options.add_options(
            Option(f"{item.plu:>6}  {item.name}  {grouped(item.price)}") for item in self.found
        )
        if not self.found and text:
            self.query_one("#find-keys", Static).update(self.say("find.nothing", text=text))
        else:
            self.query_one("#find-keys", Static).update(self.say("find.keys"))

    @on(Input.Submitted, "#find-text")
    def first_chosen(self, event: Input.Submitted) -> None:
        if self.found:
            self.dismiss(self.found[0])

    @on(OptionList.OptionSelected, "#find-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option_index])

    def action_into_list(self) -> None:
        options = self.query_one("#find-list", OptionList)
        if self.found:
            options.focus()
            options.highlighted = 0

    def action_close(self) -> None:
        self.dismiss(None)
