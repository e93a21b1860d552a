"""The bottom lines: every action key of the screen on show, in the screen's language."""

from __future__ import annotations

from rich.cells import cell_len
from rich.markup import escape
from textual.widgets import Static

from pos.core.keymap import known_ids
from pos.ui.keys import key_label
from pos.ui.text import Messages


class KeyBar(Static):
    """Renders the active, shown bindings as ``F2 Netgíró``; the keymap decides the keys."""

    DEFAULT_CSS = (
        "KeyBar { dock: bottom; height: auto; max-height: 2; background: $panel; padding: 0 1; }"
    )

    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self._messages = messages

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focus_moved, init=False)

    def _focus_moved(self) -> None:
        self.refresh()

    def render(self) -> str:
        shown: dict[str, tuple[int, tuple[str, str]]] = {}
        order = known_ids()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or not active.enabled or binding.id not in order:
                continue
            if binding.id in shown:
                continue
            label = key_label(binding.key_display or key)
            describe = getattr(self.screen, "describe_key", None)
            description = (describe(binding.id) if describe else None) or binding.description
            shown[binding.id] = (order.index(binding.id), (label, self._messages(description)))
        return self._lines([item for _, item in sorted(shown.values())])

    def _lines(self, items: list[tuple[str, str]]) -> str:
        """Items side by side, a new line only between two: "F8" never ends a line whose
        "Copy" starts the next (a plain word wrap split them in English at 80 columns)."""
        width = self.content_size.width or self.app.size.width
        lines: list[str] = []
        used = 0
        for label, words in items:
            size = cell_len(f"{label} {words}")
            text = f"[b]{escape(label)}[/b] {escape(words)}"
            if lines and used + 2 + size <= width:
                lines[-1] += "  " + text
                used += 2 + size
            else:
                lines.append(text)
                used = size
        return "\n".join(lines)
