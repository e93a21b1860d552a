"""The cash screen: amount tendered (typed or a quick key), then the change in large type."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Digits, Input, Static

from pos.core.errors import InputError, PosError
from pos.core.keymap import CASH
from pos.core.money import parse_amount
from pos.services.till_views import CashResult, DrawerKicked
from pos.ui.context import TillContext
from pos.ui.explain import explain
from pos.ui.format import grouped
from pos.ui.keys import bindings
from pos.ui.messages import TillUpdated
from pos.ui.widgets.big_word import BigWord
from pos.ui.widgets.entry_line import EntryLine
from pos.ui.widgets.key_bar import KeyBar

ACTIONS = {
    "cash_exact": "quick(0)",
    "cash_note1": "quick(1)",
    "cash_note2": "quick(2)",
    "cash_note3": "quick(3)",
    "cash_note4": "quick(4)",
    "cash_back": "back",
}


class CashScreen(Screen[None]):
    """Takes cash for the balance due (or part of it: the rest can go on Netgíró)."""

    BINDINGS = bindings(CASH, ACTIONS)

    def __init__(self, context: TillContext) -> None:
        super().__init__()
        self.context = context
        self.session = context.session
        self.say = context.messages
        self.suggestions = self.session.cash_suggestions()
        self.done = False
        self.said = ""

    def compose(self) -> ComposeResult:
        say = self.say
        due = self.session.view.sale.balance_due
        yield Static(say("cash.title"), id="cash-title")
        yield Static(say("sale.balance_due"), classes="label")
        yield Digits(grouped(due), id="cash-due")
        yield EntryLine(placeholder=say("cash.placeholder"), id="tendered")
        yield Static(self._quick_keys(), id="cash-quick")
        yield BigWord("", id="cash-word")
        yield Static("", id="cash-change-label", classes="label")
        yield Digits("", id="cash-change")
        yield Static("", id="cash-notice")
        yield KeyBar(say)

    def on_mount(self) -> None:
        for name in ("#cash-word", "#cash-change-label", "#cash-change"):
            self.query_one(name).display = False
        self.query_one("#tendered", EntryLine).focus()

    def describe_key(self, binding_id: str) -> str | None:
        if binding_id == "cash_back" and self.done:
            return "keys.cash.done"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quick":
            index = parameters[0] if parameters else 0
            return not self.done and isinstance(index, int) and index < len(self.suggestions)
        return True

    def _quick_keys(self) -> str:
        return self.say(
            "cash.quick_hint", amounts="  ".join(grouped(amount) for amount in self.suggestions)
        )

    def action_quick(self, index: int) -> None:
        if not self.done and index < len(self.suggestions):
            self._take(self.suggestions[index])

    @on(Input.Submitted, "#tendered")
    def tendered(self, event: Input.Submitted) -> None:
        text, _times = self.query_one("#tendered", EntryLine).take()
        if self.done or not text.strip():
            return
        try:
            amount = parse_amount(text)
        except InputError:
            self._notice(self.say("cash.not_an_amount", text=text.strip()))
            return
        self._take(amount)

    def _take(self, tendered: int) -> None:
        try:
            result = self.session.pay_cash(tendered)
        except PosError as exc:
            self._notice(explain(self.say, exc))
            return
        self._show(result, tendered)

    def _show(self, result: CashResult, tendered: int) -> None:
        say = self.say
        by_key = " " + say("devices.open_with_key") if result.drawer_problem else ""
        if not result.paid:
            rest = grouped(result.view.sale.balance_due)
            self._notice(say("cash.partial", tendered=grouped(tendered), rest=rest) + by_key)
            self.query_one("#cash-due", Digits).update(rest)
            return
        self.done = True
        self.query_one("#tendered").display = False
        self.query_one("#cash-quick").display = False
        word = self.query_one("#cash-word", BigWord)
        word.update(say("result.paid"))
        word.set_classes("outcome-paid")
        label = self.query_one("#cash-change-label", Static)
        label.update(say("cash.change", tendered=grouped(tendered)))
        self.query_one("#cash-change", Digits).update(grouped(result.change))
        for name in ("#cash-word", "#cash-change-label", "#cash-change"):
            self.query_one(name).display = True
        receipt = result.receipt_no if result.receipt_no is not None else "-"
        self._notice(say("cash.done", receipt=receipt) + by_key)
        self.refresh_bindings()
        self.query_one(KeyBar).refresh()

    def _notice(self, text: str) -> None:
        self.said = text
        self.query_one("#cash-notice", Static).update(text)

    @on(TillUpdated)
    def updated(self, message: TillUpdated) -> None:
        """The drawer's kick ends after the sale (off the screen's thread): a failed one is said."""
        update = message.update
        if isinstance(update, DrawerKicked) and update.problem:
            self._notice(f"{self.said} {self.say('devices.open_with_key')}".strip())

    def action_back(self) -> None:
        self.dismiss()
