"""A discount on the selected line or the whole sale: an amount or a percent, with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pos.core.errors import InputError
from pos.core.money import parse_amount
from pos.core.sale import Discount, DiscountKind
from pos.ui.text import Messages
from pos.ui.widgets.entry_line import EntryLine

MAX_PERCENT = 100


@dataclass(frozen=True)
class DiscountChoice:
    discount: Discount
    on_line: bool


def parse_discount(text: str, reason: str) -> Discount:
    """``10%`` is a percent, ``500`` krónur; refused unless it is a whole number above 0."""
    value = text.strip().replace(" ", "")
    if value.endswith("%"):
        digits = value[:-1]
        if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) <= MAX_PERCENT:
            raise InputError(text)
        return Discount(DiscountKind.PERCENT, int(digits), reason)
    return Discount(DiscountKind.AMOUNT, parse_amount(value), reason)


class DiscountScreen(ModalScreen[DiscountChoice | None]):
    """Amount or percent, then the reason; F10 switches between the line and the sale."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "keys.discount.close", priority=True),
        Binding("f10", "switch", "keys.discount.switch", priority=True),
    ]

    def __init__(self, messages: Messages, line_chosen: bool) -> None:
        super().__init__()
        self.say = messages
        self.on_line = line_chosen
        self.line_chosen = line_chosen

    def compose(self) -> ComposeResult:
        with Vertical(id="discount-box"):
            yield Static("", id="discount-target")
            yield EntryLine(placeholder=self.say("discount.value"), id="discount-value")
            yield EntryLine(placeholder=self.say("discount.reason"), id="discount-reason")
            yield Static(self.say("discount.keys"), id="discount-notice")

    def on_mount(self) -> None:
        self._target()
        self.query_one("#discount-value").focus()

    def _target(self) -> None:
        key = "discount.on_line" if self.on_line else "discount.on_sale"
        self.query_one("#discount-target", Static).update(self.say(key))

    def action_switch(self) -> None:
        self.on_line = self.line_chosen and not self.on_line
        self._target()

    @on(Input.Submitted, "#discount-value")
    def value_entered(self, event: Input.Submitted) -> None:
        self.query_one("#discount-reason").focus()

    @on(Input.Submitted, "#discount-reason")
    def reason_entered(self, event: Input.Submitted) -> None:
        value = self.query_one("#discount-value", EntryLine).value
        reason = event.value.strip()
        notice = self.query_one("#discount-notice", Static)
        if not reason:
            notice.update(self.say("discount.needs_reason"))
            return
        try:
            discount = parse_discount(value, reason)
        except InputError:
            notice.update(self.say("discount.not_a_value", text=value.strip()))
            self.query_one("#discount-value").focus()
            return
        self.dismiss(DiscountChoice(discount, self.on_line))

    def action_close(self) -> None:
        self.dismiss(None)
