"""The total panel: the largest text on screen, VAT per rate, paid, and the balance or change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from pos.services.till_views import SaleView
from pos.ui.format import grouped
from pos.ui.text import Messages

DIGITS_FIT = 7  # "999.999" in the 3-wide digit font fits the panel at 80 columns


class TotalPanel(Vertical):
    """Shows one SaleView's money; it is handed views, never asks for them."""

    DEFAULT_CSS = """
    TotalPanel { width: 30; border: round $primary; padding: 0 1; height: 1fr; }
    TotalPanel > #total-digits { width: auto; height: 3; }
    TotalPanel > .money { height: auto; }
    """

    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self._messages = messages

    def compose(self) -> ComposeResult:
        yield Static(self._messages("sale.total"), id="total-label")
        yield Digits("0", id="total-digits")
        yield Static("", id="total-plain", classes="money")
        yield Static("", id="total-rest", classes="money")

    def show(self, view: SaleView) -> None:
        sale = view.sale
        say = self._messages
        total = grouped(sale.total)
        digits = self.query_one("#total-digits", Digits)
        digits.update(total if len(total) <= DIGITS_FIT else "")
        digits.display = len(total) <= DIGITS_FIT
        self.query_one("#total-plain", Static).update(say("sale.total_amount", amount=total))
        rows = [_row(say("sale.vat_line", rate=line.rate), line.vat) for line in sale.vat_lines]
        if sale.discount is not None or sale.sale_discount_amount:
            rows.insert(0, _row(say("sale.sale_discount"), -sale.sale_discount_amount))
        rows.append(_row(say("sale.paid"), sale.paid))
        if sale.change:
            rows.append(_row(f"[b]{say('sale.change')}[/b]", sale.change))
        else:
            rows.append(_row(f"[b]{say('sale.balance_due')}[/b]", sale.balance_due))
        self.query_one("#total-rest", Static).update("\n".join(rows))


def _row(label: str, amount: int) -> str:
    figure = grouped(amount)
    return f"{label}{' ' * max(1, 24 - _visible(label) - len(figure))}{figure}"


def _visible(text: str) -> int:
    return len(text.replace("[b]", "").replace("[/b]", ""))
