"""Manager mode (F9): what the till could not settle, the drawer, copies, settings, unlocking;
X, Z and cash from ReportKeys (manager_report_keys.py), refunds from RefundKeys.

What happens on each key, in order: the key opens a prompt (a reason, a receipt number) or a
yes/no question (never answered by Enter: a scanner sends one); the answer starts a worker in
pos/ui/screens/manager_work.py, which calls TillManager (the shell commands' code path) and posts
one message; its handler here says the result and reloads the list. Manager mode ends on Esc,
or after 15 minutes without an action (a timer asks; any action asks too).
"""

from __future__ import annotations

import logging

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pos.core.checkout import Phase
from pos.core.keymap import MANAGER
from pos.journal.refunds import RefundRecord
from pos.journal.store import Outcome
from pos.services.status import Unsettled
from pos.services.till_manager import (
    CounterNotEmpty,
    NobodyCalled,
    NoConfigFile,
    NoSuchReceipt,
    NotInTheTill,
)
from pos.ui.explain import explain
from pos.ui.format import grouped
from pos.ui.keys import bindings
from pos.ui.messages import WorkFailed
from pos.ui.screens import manager_work as work
from pos.ui.screens.manager_base import Prompt
from pos.ui.screens.manager_refund_keys import RefundKeys
from pos.ui.screens.manager_report_keys import ReportKeys
from pos.ui.widgets.entry_line import EntryLine
from pos.ui.widgets.key_bar import KeyBar

log = logging.getLogger(__name__)

ACTIONS = {
    "manager_paid": "settle('paid')",
    "manager_unpaid": "settle('unpaid')",
    "manager_confirm": "reservation(True)",
    "manager_release": "reservation(False)",
    "manager_drawer": "drawer",
    "manager_reprint": "reprint",
    "manager_settings": "settings",
    "manager_unlock": "unlock",
    "manager_x": "x_report",
    "manager_z": "z_report",
    "manager_cash": "cash",
    "manager_refund": "refund",
    "manager_leave": "leave",
}


class ManagerScreen(RefundKeys, ReportKeys):
    """Dismisses with a line for the sale screen's notice (why manager mode ended)."""

    BINDINGS = bindings(MANAGER, ACTIONS)

    def compose(self) -> ComposeResult:
        say = self.say
        yield Static(say("manager.title", name=self.session.person.name), id="manager-title")
        yield Static(say("manager.idle_hint"), id="manager-hint")
        yield Static(say("manager.unsettled"), id="manager-list-label")
        yield OptionList(id="manager-list")
        yield Static("", id="manager-notice")
        yield EntryLine(id="manager-entry")
        yield KeyBar(say)

    def on_mount(self) -> None:
        self.query_one("#manager-entry").display = False
        self.query_one("#manager-list").focus()
        self._run(work.load_unsettled(self, self.manager, recover=True), "manager-list")
        every = self.context.settings.manager_idle_check_s
        self.set_interval(every, self._check_idle, name="manager-idle")

    def on_unmount(self) -> None:
        """The till closed with manager mode open: it ends here, audited like leaving."""
        if not self.closed:
            self.closed = True
            try:
                self.manager.leave(self.session)
            except Exception:  # the journal may be closing with the till: the entry stays open
                log.exception("manager mode could not be closed in the audit log")

    def _check_idle(self) -> None:
        if not self.ending:
            self._run(work.check_idle(self, self.manager, self.session), "manager-idle")

    # --- the list ------------------------------------------------------------------------------

    @on(work.UnsettledLoaded)
    def listed(self, message: work.UnsettledLoaded) -> None:
        self.items, self.unknown_refunds = message.items, message.refunds
        options = self.query_one("#manager-list", OptionList)
        options.clear_options()
        if not self.items and not self.unknown_refunds:
            options.add_option(Option(self.say("manager.nothing"), id="none", disabled=True))
            return
        options.add_options(self._option(item) for item in self.items)
        options.add_options(self._refund_option(record) for record in self.unknown_refunds)
        options.highlighted = 0

    def _option(self, item: Unsettled) -> Option:
        phase = f"manager.phase.{item.phase.value}"
        word = self.say(phase if phase in self.say else "manager.phase.other")
        text = self.say(
            "manager.row",
            sale=item.sale_id,
            total=grouped(item.amount),
            word=word,
            reference=item.reference,
        )
        return Option(text, id=item.reference)

    def _chosen(self) -> Unsettled | None:
        """The highlighted sale (None, said, when nothing or a refund is highlighted)."""
        chosen = self._chosen_row()
        if isinstance(chosen, RefundRecord):
            self.notice(self.say("manager.refund_is_unknown"), error=True)
            return None
        return chosen

    def _chosen_row(self) -> Unsettled | RefundRecord | None:
        index = self.query_one("#manager-list", OptionList).highlighted
        rows: list[Unsettled | RefundRecord] = [*self.items, *self.unknown_refunds]
        if index is None or index >= len(rows):
            self.notice(self.say("manager.chosen_nothing"), error=True)
            return None
        return rows[index]

    # --- the action keys -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # One question at a time: while the input line asks, only Esc (back) is a key.
        return action == "leave" or (self.prompt is None and not self.ending)

    def action_settle(self, outcome: Outcome) -> None:
        item = self._chosen_row()
        if isinstance(item, RefundRecord):
            self._ask_refund_settled(item, outcome == "paid")
            return
        if item is None:
            return
        if item.phase is Phase.RESERVED_UNCHARGED:
            self.notice(self.say("manager.is_reservation"), error=True)
            return
        self._ask(
            Prompt("reason", item, outcome),
            self.say(f"manager.reason_{outcome}", sale=item.sale_id),
        )

    def action_reservation(self, confirm: bool) -> None:
        item = self._chosen()
        if item is None:
            return
        if item.phase is not Phase.RESERVED_UNCHARGED:
            self.notice(self.say("manager.not_reservation"), error=True)
            return
        key = "manager.confirm_question" if confirm else "manager.release_question"
        question = self.say(key, sale=item.sale_id, total=grouped(item.amount))

        def answered(yes: bool | None) -> None:
            if yes:
                self.notice(self.say("manager.working"))
                worker = work.decide_reservation(self, self.manager, self.session, item, confirm)
                self._run(worker, "manager-reservation", guard=True)

        self._confirm(question, answered)

    def action_drawer(self) -> None:
        self._run(work.open_drawer(self, self.manager, self.session), "manager-drawer")

    def action_reprint(self) -> None:
        if self.context.printing is None:
            self.notice(self.say("sale.no_printer"), error=True)
            return
        self._ask(Prompt("receipt"), self.say("manager.receipt_prompt"))

    def action_settings(self) -> None:
        self._ask(Prompt("setting"), self.say("manager.setting_prompt"))

    def action_unlock(self) -> None:
        self._ask(Prompt("unlock"), self.say("manager.unlock_prompt"))

    def action_leave(self) -> None:
        if self.prompt is not None:
            self._end_prompt()
            self.notice("")
            return
        if self.guarded:
            self.notice(self.say("manager.working"))
            return
        if not self.ending:
            self.ending = True
            self._run(work.leave(self, self.manager, self.session), "manager-leave")

    # --- the input line ------------------------------------------------------------------------

    @on(Input.Submitted, "#manager-entry")
    def answered(self, event: Input.Submitted) -> None:
        prompt = self.prompt
        text = event.value.strip()
        if prompt is None or not text:
            return
        if prompt.kind == "receipt":
            self._reprint(text)
        elif prompt.kind == "refund_settle" and prompt.refund is not None:
            self._settle_refund(prompt.refund, prompt.outcome == "paid", text)
        elif prompt.kind == "refund":
            self._find_sale(text)
        elif prompt.kind == "count":
            self._count(text, prompt.void_open)
        elif prompt.kind == "unlock":
            self._end_prompt()
            self._run(work.unlock(self, self.manager, self.session, text), "manager-unlock")
        elif prompt.kind == "setting":
            self._end_prompt()
            self._run(work.change_setting(self, self.manager, self.session, text), "manager-set")
        elif prompt.item is not None:
            self._settle(prompt.item, prompt.outcome, text)

    def _reprint(self, text: str) -> None:
        """``12``: a copy of receipt 12; ``Z3``: a copy of Z report 3."""
        is_z = text[:1] in ("z", "Z")
        number = text[1:].strip() if is_z else text
        if not (number.isascii() and number.isdigit()):
            self.notice(self.say("manager.not_a_number", text=text), error=True)
            self.query_one("#manager-entry", EntryLine).take()
            return
        self._end_prompt()
        if is_z:
            self._run(work.copy_z(self, self.manager, self.session, int(number)), "manager-copy")
        else:
            worker = work.copy_receipt(self, self.manager, self.session, int(number))
            self._run(worker, "manager-copy")

    def _settle(self, item: Unsettled, outcome: Outcome, reason: str) -> None:
        self._end_prompt()
        word = self.say(f"manager.word_{outcome}")
        question = self.say(
            "manager.settle_question",
            sale=item.sale_id,
            total=grouped(item.amount),
            word=word,
            reason=reason,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                worker = work.settle(self, self.manager, self.session, item, outcome, reason)
                self._run(worker, "manager-settle")

        self._confirm(question, answered)

    # --- what the workers say ------------------------------------------------------------------

    @on(work.SaleSettled)
    def settled(self, message: work.SaleSettled) -> None:
        word = self.say(f"manager.word_{message.outcome}")
        self.notice(self.say("manager.settled", sale=message.sale_id, word=word))
        self._reload()

    @on(work.ReservationDecided)
    def decided(self, message: work.ReservationDecided) -> None:
        decided = message.decided
        if decided.outcome == "paid":
            self.notice(self.say("manager.reservation_paid", sale=message.sale_id))
            self._print()
        elif decided.outcome == "released":
            self.notice(self.say("manager.reservation_released", sale=message.sale_id))
        else:
            self.notice(self.say("manager.reservation_unchanged", note=decided.note), error=True)
        self._reload()

    @on(work.DrawerOpened)
    def drawer_opened(self, message: work.DrawerOpened) -> None:
        if message.problem:
            self.notice(self.say("manager.drawer_problem", problem=message.problem), error=True)
        else:
            self.notice(self.say("manager.drawer_opened"))

    @on(work.ReceiptCopied)
    def copied(self, message: work.ReceiptCopied) -> None:
        self.notice(self.say("manager.reprinted", receipt=message.reprinted.receipt_no))
        self._print()

    @on(work.ZCopied)
    def z_copied(self, message: work.ZCopied) -> None:
        self.notice(self.say("manager.z_copied", number=message.number))
        self._print()

    @on(work.PersonUnlocked)
    def unlocked(self, message: work.PersonUnlocked) -> None:
        self.notice(self.say("manager.unlocked", name=message.name))

    @on(work.SettingChanged)
    def setting_changed(self, message: work.SettingChanged) -> None:
        change = message.change
        then = "manager.setting_restart" if change.restart_needed else "manager.setting_live"
        text = self.say(
            "manager.setting_changed", setting=change.key, old=change.old, new=change.new
        )
        self.notice(f"{text} {self.say(then)}")

    @on(WorkFailed)
    def work_failed(self, message: WorkFailed) -> None:
        error = message.error
        if isinstance(error, NoSuchReceipt):
            self.notice(self.say("manager.no_such_receipt", receipt=error.number), error=True)
        elif isinstance(error, NobodyCalled):
            self.notice(self.say("manager.nobody_called", name=error.name), error=True)
        elif isinstance(error, CounterNotEmpty):
            self.notice(self.say("manager.z_counter"), error=True)
        elif isinstance(error, NotInTheTill):
            self.notice(self.say("manager.not_in_the_till", setting=error.key), error=True)
        elif isinstance(error, NoConfigFile):
            self.notice(self.say("manager.no_config_file"), error=True)
        else:
            self.notice(explain(self.say, error), error=True)

    @on(work.ManagerEnded)
    def ended(self, message: work.ManagerEnded) -> None:
        self.ending = True
        if self.closed:
            return
        if self.guarded:  # money in flight: close once Netgíró has answered
            self.end_waiting = message.idle
            return
        self.closed = True
        while self.app.screen is not self:  # a question left open when the time ran out
            self.app.pop_screen()
        self.dismiss(self.say("manager.ended_idle" if message.idle else "manager.left"))
