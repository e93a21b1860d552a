"""What every part of manager mode shares: the session, the input line's one question at a time,
yes/no questions, the notice line and the print run. The keys live in ManagerScreen and the
report and refund parts it is made of."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from pos.journal.refunds import RefundRecord
from pos.journal.store import Outcome
from pos.services.manager_auth import Session
from pos.services.printing import JobFailed
from pos.services.status import Unsettled
from pos.services.till_manager import TillManager
from pos.ui.context import TillContext
from pos.ui.explain import say_worker_failure
from pos.ui.screens import manager_work as work
from pos.ui.widgets.entry_line import EntryLine
from pos.ui.workers import PrintsDone, print_receipts


@dataclass(frozen=True)
class Prompt:
    """What the input line is asking for: a reason, a receipt, a count, a name, a setting."""

    kind: str
    item: Unsettled | None = None
    outcome: Outcome = "paid"
    void_open: bool = False
    refund: RefundRecord | None = None


class ManagerBase(Screen[str | None]):
    """One manager's session on screen; dismisses with a line for the sale screen's notice."""

    def __init__(self, context: TillContext, manager: TillManager, session: Session) -> None:
        super().__init__()
        self.context = context
        self.say = context.messages
        self.manager = manager
        self.session = session
        self.items: list[Unsettled] = []
        self.unknown_refunds: list[RefundRecord] = []
        self.prompt: Prompt | None = None
        self.ending = False
        self.closed = False
        self.guarded: set[Worker[None]] = set()
        """Workers talking to Netgíró for money (a refund, a reservation): manager mode waits
        for them before it closes, so none is cancelled half way."""
        self.end_waiting: bool | None = None
        """Manager mode ended (idle: True) while a guarded worker ran: closes when it is done."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        say_worker_failure(self, self.say, event)
        if event.worker in self.guarded and event.worker.is_finished:
            self.guarded.discard(event.worker)
            if not self.guarded and self.end_waiting is not None:
                self.post_message(work.ManagerEnded(idle=self.end_waiting))

    def _run(self, coroutine: Coroutine[Any, Any, None], name: str, *, guard: bool = False) -> None:
        worker = self.run_worker(coroutine, name=name, exit_on_error=False)
        if guard:
            self.guarded.add(worker)

    def _ask(self, prompt: Prompt, question: str) -> None:
        self.prompt = prompt
        entry = self.query_one("#manager-entry", EntryLine)
        entry.take()
        entry.border_title = question
        entry.border_subtitle = self.say("manager.keys_prompt")
        entry.display = True
        entry.focus()
        self.notice("")
        self.refresh_bindings()

    def _end_prompt(self) -> None:
        self.prompt = None
        entry = self.query_one("#manager-entry", EntryLine)
        entry.take()
        entry.display = False
        self.query_one("#manager-list").focus()
        self.refresh_bindings()

    def _confirm(self, question: str, then: Callable[[bool | None], None]) -> None:
        from pos.ui.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(self.say, question), then)

    def notice(self, text: str, *, error: bool = False) -> None:
        notice = self.query_one("#manager-notice", Static)
        notice.update(text)
        notice.set_class(error, "error")

    def _reload(self) -> None:
        self._run(work.load_unsettled(self, self.manager), "manager-list")

    def _print(self) -> None:
        queue = self.context.printing
        if queue is not None:
            self._run(print_receipts(self, queue), "manager-print")

    @on(PrintsDone)
    def printed(self, message: PrintsDone) -> None:
        failed = [event for event in message.events if isinstance(event, JobFailed)]
        if failed:
            self.notice(self.say("manager.print_failed", reason=failed[-1].reason), error=True)
