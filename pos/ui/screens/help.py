"""The help screen: every key of every screen, with the keys the keymap gave them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.core.keymap import ACTION_KEYS
from pos.ui.keys import description_key, key_label
from pos.ui.text import Messages


class HelpScreen(ModalScreen[None]):
    """Lists each screen's actions; F1 or Esc closes it."""

    BINDINGS = [Binding("escape,f1", "close", "keys.help.close", priority=True)]  # noqa: RUF012

    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self.say = messages

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            # On the border: in view at 80×24, where the list scrolls.
            box.border_subtitle = self.say("help.close")
            yield Static(self.say("help.title"), id="help-title")
            yield Static(self._table(), id="help-keys")
            yield Static(self.say("help.typing"), id="help-typing")

    def _table(self) -> str:
        keymap = self.app._keymap
        rows = []
        for screen, actions in ACTION_KEYS.items():
            title = f"help.screen.{screen}"
            if title not in self.say:  # screens added later keep their words in their own table
                title = f"{screen}.help_title"
            rows.append(f"[b]{self.say(title)}[/b]")
            for binding_id, default in actions:
                keys = keymap.get(binding_id, default)
                shown = ", ".join(key_label(key) for key in keys.split(","))
                rows.append(f"  {shown:<10} {self.say(description_key(binding_id))}")
        return "\n".join(rows)

    def action_close(self) -> None:
        self.dismiss()
