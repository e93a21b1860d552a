"""The sale's lines, numbered, the selected one marked; the newest always in view."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from pos.core.sale import Sale, SaleLine
from pos.ui.format import grouped, quantity
from pos.ui.text import Messages


class SaleLines(Widget):
    """Renders the lines of one Sale; scrolls by rendering the window around the selection."""

    DEFAULT_CSS = "SaleLines { height: 1fr; border: round $primary; padding: 0 1; }"

    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self._messages = messages
        self._sale = Sale()
        self.border_title = messages("sale.title")

    def show(self, sale: Sale) -> None:
        self._sale = sale
        self.refresh()

    def render(self) -> Table:
        table = Table.grid(expand=True, padding=(0, 1))
        table.add_column(justify="right", width=3)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        # Wide enough that "2 × 229" never runs into the amount (it read as "229 458").
        table.add_column(justify="right", no_wrap=True, min_width=9)
        lines = self._sale.lines
        if not lines:
            table.add_row("", Text(self._messages("sale.empty"), style="dim"), "", "")
            return table
        for number, line in self._window(lines):
            marked = number - 1 == self._sale.selected
            style = "reverse" if marked else ""
            table.add_row(
                Text(str(number), style=style),
                Text(self._line_name(line), style=style),
                Text(self._how_many(line), style=style),
                Text(grouped(line.amount), style=style),
            )
        return table

    def _window(self, lines: tuple[SaleLine, ...]) -> list[tuple[int, SaleLine]]:
        height = max(1, self.content_size.height)
        focus = self._sale.selected if self._sale.selected is not None else len(lines) - 1
        start = max(0, min(focus - height + 1, len(lines) - height))
        start = max(0, min(start, focus))
        return [(start + i + 1, line) for i, line in enumerate(lines[start : start + height])]

    def _line_name(self, line: SaleLine) -> str:
        name = line.name
        if line.open_price:
            name = self._messages("sale.open_price", rate=line.vat_rate)
        if line.discount is not None:
            name += " " + self._messages("sale.discounted", amount=grouped(line.discount_amount))
        return name

    @staticmethod
    def _how_many(line: SaleLine) -> str:
        if line.quantity_milli == 1000:
            return ""
        return f"{quantity(line.quantity_milli)} × {grouped(line.unit_price)}"
