"""Manager mode's refunds by line: the receipt, its lines left to refund, what and why, then yes.

The sale is found by its receipt number or the code scanned off it; the lines are chosen as
``2`` (all that is left of line 2) or ``2:1,5`` (1.5 of it), separated by spaces; nothing at all
means every line. Before anything is sent the screen shows the plan (how much through which
tender) and asks yes or no (never Enter). Workers call TillManager, the same path as
``pos refund``; none touches a widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pos.core.errors import PosError
from pos.core.refund_plan import RefundPlan, parse_line_request, show_quantity
from pos.journal.refund_slips import RefundBasis
from pos.journal.refunds import RefundRecord
from pos.services.line_refunds import LineRequest
from pos.services.manager_auth import ManagerModeEnded, Session
from pos.services.till_manager import Refunded, TillManager
from pos.ui.format import grouped
from pos.ui.messages import WorkFailed
from pos.ui.screens.manager_work import ManagerEnded
from pos.ui.text import Messages
from pos.ui.widgets.entry_line import EntryLine


@dataclass(frozen=True)
class RefundRequest:
    receipt: str
    lines: tuple[LineRequest, ...]
    reason: str


def parse_lines(text: str, basis: RefundBasis) -> tuple[LineRequest, ...]:
    """``2 3:1,5`` → line 2 (all left), 1.5 of line 3; empty → every line with something left."""
    tokens = text.split()
    if not tokens:
        return tuple((line.line_no, None) for line in basis.lines if line.left_milli > 0)
    return tuple(parse_line_request(token) for token in tokens)


# --- messages and workers --------------------------------------------------------------------


class BasisFound(Message):
    def __init__(self, receipt: str, basis: RefundBasis) -> None:
        super().__init__()
        self.receipt = receipt
        self.basis = basis


class PlanMade(Message):
    def __init__(self, request: RefundRequest, plan: RefundPlan) -> None:
        super().__init__()
        self.request = request
        self.plan = plan


class RefundEnded(Message):
    def __init__(self, refunded: Refunded) -> None:
        super().__init__()
        self.refunded = refunded


class RefundSettled(Message):
    def __init__(self, record: RefundRecord) -> None:
        super().__init__()
        self.record = record


def _failed(target: MessagePump, exc: PosError) -> None:
    if isinstance(exc, ManagerModeEnded):
        target.post_message(ManagerEnded(idle=True))
    else:
        target.post_message(WorkFailed(exc))


async def find_sale(
    target: MessagePump, manager: TillManager, session: Session, receipt: str
) -> None:
    try:
        basis = manager.refund_basis(session, receipt)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(BasisFound(receipt, basis))


async def make_plan(
    target: MessagePump, manager: TillManager, session: Session, request: RefundRequest
) -> None:
    try:
        plan = manager.refund_plan(session, request.receipt, request.lines)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(PlanMade(request, plan))


async def refund(
    target: MessagePump, manager: TillManager, session: Session, request: RefundRequest
) -> None:
    """The refund itself: the network (Netgíró's part), so a worker."""
    try:
        refunded = await manager.refund(session, request.receipt, request.lines, request.reason)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(RefundEnded(refunded))


async def settle_unknown(
    target: MessagePump,
    manager: TillManager,
    session: Session,
    refund_id: int,
    done: bool,
    portal_shows: str,
) -> None:
    try:
        record = manager.settle_refund(
            session, refund_id, "DONE" if done else "FAILED", portal_shows
        )
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(RefundSettled(record))


# --- what the screen says --------------------------------------------------------------------


def plan_question(say: Messages, receipt: str, plan: RefundPlan) -> str:
    parts = ", ".join(
        say(f"manager.refund_part.{part.kind}", amount=grouped(part.amount)) for part in plan.parts
    )
    return say("manager.refund_question", total=grouped(plan.total), receipt=receipt, parts=parts)


def refund_result(say: Messages, refunded: Refunded) -> tuple[str, bool]:
    """The slip's end in words, and whether a manager must look again (not all DONE)."""
    statuses = {row.status for row in refunded.slip.refunds}
    if statuses == {"DONE"}:
        text = say("manager.refund_done", sale=refunded.slip.sale_id)
    elif "REFUND_UNKNOWN" in statuses:
        text = say("manager.refund_unknown", sale=refunded.slip.sale_id)
    else:
        text = say("manager.refund_failed", sale=refunded.slip.sale_id)
    if refunded.cash_out:
        text += " " + say("manager.refund_cash", amount=grouped(refunded.cash_out))
    if refunded.drawer_problem:
        text += " " + say("manager.drawer_problem", problem=refunded.drawer_problem)
    return text, statuses != {"DONE"} or bool(refunded.drawer_problem)


class RefundScreen(ModalScreen[RefundRequest | None]):
    """The lines of one paid sale; which to refund and why. Dismisses with the request."""

    BINDINGS = [Binding("escape", "close", "keys.manager.leave", priority=True)]  # noqa: RUF012

    def __init__(self, messages: Messages, receipt: str, basis: RefundBasis) -> None:
        super().__init__()
        self.say = messages
        self.receipt = receipt
        self.basis = basis

    def compose(self) -> ComposeResult:
        say = self.say
        rows = [
            say(
                "manager.refund_row",
                line=line.line_no,
                name=line.name,
                paid=grouped(line.paid),
                left=show_quantity(line.left_milli),
            )
            for line in self.basis.lines
        ]
        with Vertical(id="refund-box"):
            yield Static(
                say("manager.refund_title", receipt=self.basis.receipt_no), id="refund-title"
            )
            yield Static("\n".join(rows), id="refund-lines", markup=False)
            yield EntryLine(placeholder=say("manager.refund_lines"), id="refund-which")
            yield EntryLine(placeholder=say("manager.refund_reason"), id="refund-reason")
            yield Static(say("manager.refund_keys"), id="refund-notice")

    def on_mount(self) -> None:
        self.query_one("#refund-which").focus()

    @on(Input.Submitted, "#refund-which")
    def which_entered(self, event: Input.Submitted) -> None:
        if self._lines() is not None:
            self.query_one("#refund-reason").focus()

    @on(Input.Submitted, "#refund-reason")
    def reason_entered(self, event: Input.Submitted) -> None:
        lines = self._lines()
        if lines is None:
            return
        reason = event.value.strip()
        if not reason:
            self.query_one("#refund-notice", Static).update(self.say("manager.needs_reason"))
            return
        self.dismiss(RefundRequest(self.receipt, lines, reason))

    def _lines(self) -> tuple[LineRequest, ...] | None:
        typed = self.query_one("#refund-which", EntryLine).value
        try:
            return parse_lines(typed, self.basis)
        except PosError:
            notice = self.query_one("#refund-notice", Static)
            notice.update(self.say("manager.refund_not_lines", text=typed.strip()[:24]))
            self.query_one("#refund-which").focus()
            return None

    def action_close(self) -> None:
        self.dismiss(None)
