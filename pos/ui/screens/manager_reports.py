"""Manager mode's X, Z and cash: a report on screen, the Z's blind count, float and paid-in/out.

The Z asks the counted cash before any expected amount is on screen (a blind count): the
expected amount first appears in the closed Z the worker returns. Workers call TillManager (the
same services as ``pos report`` and ``pos cash``) and post one message each; none touches a
widget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pos.core.errors import InputError, PosError
from pos.core.money import parse_amount
from pos.journal.z_reports import Blockers
from pos.services.cash import CashMoved
from pos.services.manager_auth import ManagerModeEnded, Session
from pos.services.reports import ZClosed, report_text
from pos.services.till_manager import CashKind, TillManager
from pos.ui.format import grouped
from pos.ui.messages import WorkFailed
from pos.ui.screens.manager_work import ManagerEnded
from pos.ui.text import Messages
from pos.ui.widgets.entry_line import EntryLine

CASH_KINDS: tuple[CashKind, ...] = ("float", "paid_in", "paid_out")
REPORT_WIDTH = 48
ZERO = re.compile(r"0+([., ]0+)*( ?kr\.?)?")


def paper_text(snapshot: dict[str, Any]) -> str:
    """The report as its paper shows it (80 mm width), for the screen."""
    return report_text(snapshot, width=REPORT_WIDTH)


def parse_count(text: str) -> int:
    """The counted cash: whole krónur, and an empty drawer (0, 00, 0.000) is a count too."""
    if ZERO.fullmatch(text.strip()):
        return 0
    return parse_amount(text)


# --- messages and workers --------------------------------------------------------------------


class XReady(Message):
    def __init__(self, snapshot: dict[str, Any]) -> None:
        super().__init__()
        self.snapshot = snapshot


class XQueued(Message):
    """The X is in the print queue."""


class ZChecked(Message):
    def __init__(self, blockers: Blockers) -> None:
        super().__init__()
        self.blockers = blockers


class ZDone(Message):
    def __init__(self, closed: ZClosed) -> None:
        super().__init__()
        self.closed = closed


class CashDone(Message):
    def __init__(self, kind: CashKind, moved: CashMoved) -> None:
        super().__init__()
        self.kind: CashKind = kind
        self.moved = moved


def _failed(target: MessagePump, exc: PosError) -> None:
    if isinstance(exc, ManagerModeEnded):
        target.post_message(ManagerEnded(idle=True))
    else:
        target.post_message(WorkFailed(exc))


async def show_x(target: MessagePump, manager: TillManager, session: Session) -> None:
    try:
        snapshot = manager.x_report(session)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(XReady(snapshot))


async def print_x(
    target: MessagePump, manager: TillManager, session: Session, snapshot: dict[str, Any]
) -> None:
    try:
        manager.print_x(session, snapshot)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(XQueued())


async def check_z(target: MessagePump, manager: TillManager) -> None:
    try:
        blockers = manager.z_blockers()
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(ZChecked(blockers))


async def close_z(
    target: MessagePump, manager: TillManager, session: Session, counted: int, void_open: bool
) -> None:
    try:
        closed = manager.close_z(session, counted, void_open=void_open)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(ZDone(closed))


async def move_cash(
    target: MessagePump,
    manager: TillManager,
    session: Session,
    kind: CashKind,
    amount: int,
    reason: str,
) -> None:
    try:
        moved = await manager.move_cash(session, kind, amount, reason)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(CashDone(kind, moved))


# --- the screens -----------------------------------------------------------------------------


def z_summary(say: Messages, closed: ZClosed) -> str:
    """Counted, expected and over/short: said only once the Z is closed (the blind count)."""
    difference = closed.over_short
    if difference > 0:
        said = say("manager.z_over", amount=grouped(difference))
    elif difference < 0:
        said = say("manager.z_short", amount=grouped(-difference))
    else:
        said = say("manager.z_even")
    return say(
        "manager.z_result",
        counted=grouped(closed.counted),
        expected=grouped(closed.expected),
        difference=said,
    )


class ReportScreen(ModalScreen[bool]):
    """A report as the paper shows it; F2 prints it when it may be printed (an X)."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "keys.manager.leave", priority=True),
        Binding("f2", "print", "keys.manager.print", priority=True),
    ]

    def __init__(self, messages: Messages, title: str, text: str, *, printable: bool) -> None:
        super().__init__()
        self.say = messages
        self.title_text = title
        self.text = text
        self.printable = printable

    def compose(self) -> ComposeResult:
        keys = "manager.report_keys_x" if self.printable else "manager.report_keys"
        with Vertical(id="report-box"):
            yield Static(self.title_text, id="report-title")
            with VerticalScroll(id="report-scroll"):
                yield Static(self.text, id="report-text", markup=False)
            yield Static(self.say(keys), id="report-keys")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "print" or self.printable

    def action_print(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class CashEntry:
    kind: CashKind
    amount: int
    reason: str


class CashMoveScreen(ModalScreen[CashEntry | None]):
    """Float, paid-in or paid-out: the kind, the amount, the reason (a float's is optional)."""

    BINDINGS = [Binding("escape", "close", "keys.manager.leave", priority=True)]  # noqa: RUF012

    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self.say = messages

    def compose(self) -> ComposeResult:
        say = self.say
        with Vertical(id="cash-move-box"):
            yield Static(say("manager.cash_title"))
            yield OptionList(
                *[Option(say(f"manager.cash_kind.{kind}"), id=kind) for kind in CASH_KINDS],
                id="cash-kind",
            )
            yield EntryLine(placeholder=say("manager.cash_amount"), id="cash-amount")
            yield EntryLine(placeholder=say("manager.cash_reason"), id="cash-reason")
            yield Static(say("manager.cash_keys"), id="cash-move-notice")

    def on_mount(self) -> None:
        kinds = self.query_one("#cash-kind", OptionList)
        kinds.highlighted = 0
        kinds.focus()

    @on(OptionList.OptionSelected, "#cash-kind")
    def kind_chosen(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#cash-amount").focus()

    @on(Input.Submitted, "#cash-amount")
    def amount_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#cash-reason").focus()

    @on(Input.Submitted, "#cash-reason")
    def reason_entered(self, event: Input.Submitted) -> None:
        kinds = self.query_one("#cash-kind", OptionList)
        kind = CASH_KINDS[kinds.highlighted or 0]
        amount_text = self.query_one("#cash-amount", EntryLine).value
        notice = self.query_one("#cash-move-notice", Static)
        try:
            amount = parse_amount(amount_text)
        except InputError:
            notice.update(self.say("manager.not_an_amount", text=amount_text.strip()))
            self.query_one("#cash-amount").focus()
            return
        reason = event.value.strip()
        if not reason and kind != "float":
            notice.update(self.say("manager.needs_reason"))
            return
        self.dismiss(CashEntry(kind, amount, reason))

    def action_close(self) -> None:
        self.dismiss(None)
