"""Manager mode's X, Z and cash keys: the screen side of pos/ui/screens/manager_reports.py."""

from __future__ import annotations

from textual import on

from pos.core.errors import InputError
from pos.ui.format import grouped
from pos.ui.screens import manager_reports as reports
from pos.ui.screens.manager_base import ManagerBase, Prompt
from pos.ui.widgets.entry_line import EntryLine


class ReportKeys(ManagerBase):
    """F9 X, F10 Z (a blind count), F12 float and paid-in/out."""

    def action_x_report(self) -> None:
        self._run(reports.show_x(self, self.manager, self.session), "manager-x")

    @on(reports.XReady)
    def x_ready(self, message: reports.XReady) -> None:
        snapshot = message.snapshot

        def closed(print_it: bool | None) -> None:
            if print_it:
                self._run(reports.print_x(self, self.manager, self.session, snapshot), "x-print")

        text = reports.paper_text(snapshot)
        screen = reports.ReportScreen(self.say, self.say("manager.x_title"), text, printable=True)
        self.app.push_screen(screen, closed)

    @on(reports.XQueued)
    def x_queued(self, message: reports.XQueued) -> None:
        self.notice(self.say("manager.x_printed"))
        self._print()

    def action_z_report(self) -> None:
        self._run(reports.check_z(self, self.manager), "manager-z")

    @on(reports.ZChecked)
    def z_checked(self, message: reports.ZChecked) -> None:
        blockers = message.blockers
        if blockers.live_references:
            refs = ", ".join(blockers.live_references)
            self.notice(self.say("manager.z_live", references=refs), error=True)
            return
        if blockers.money_taken:
            sales = ", ".join(str(sale) for sale in blockers.money_taken)
            self.notice(self.say("manager.z_money_taken", sales=sales), error=True)
            return
        if blockers.empty:
            self._ask(Prompt("count"), self.say("manager.count_prompt"))
            return
        sales = ", ".join(str(sale) for sale in blockers.voidable)

        def answered(yes: bool | None) -> None:
            if yes:
                self._ask(Prompt("count", void_open=True), self.say("manager.count_prompt"))

        self._confirm(self.say("manager.z_void_question", sales=sales), answered)

    def _count(self, text: str, void_open: bool) -> None:
        try:
            counted = reports.parse_count(text)
        except InputError:
            self.notice(self.say("manager.not_an_amount", text=text), error=True)
            self.query_one("#manager-entry", EntryLine).take()
            return
        self._end_prompt()

        def answered(yes: bool | None) -> None:
            if yes:
                self.notice(self.say("manager.working"))
                worker = reports.close_z(self, self.manager, self.session, counted, void_open)
                self._run(worker, "manager-z-close")

        self._confirm(self.say("manager.z_question", counted=grouped(counted)), answered)

    @on(reports.ZDone)
    def z_done(self, message: reports.ZDone) -> None:
        closed = message.closed
        summary = reports.z_summary(self.say, closed)
        lines = [summary, *(self.say("manager.z_problem", detail=p) for p in closed.problems)]
        self.notice("\n".join(lines), error=bool(closed.problems))
        text = reports.paper_text(closed.snapshot)
        title = f"{self.say('manager.z_title', number=closed.z.number)} · {summary}"
        screen = reports.ReportScreen(self.say, title, text, printable=False)
        self.app.push_screen(screen)
        self._print()
        self._reload()

    def action_cash(self) -> None:
        def entered(entry: reports.CashEntry | None) -> None:
            if entry is not None:
                worker = reports.move_cash(
                    self, self.manager, self.session, entry.kind, entry.amount, entry.reason
                )
                self._run(worker, "manager-cash")

        self.app.push_screen(reports.CashMoveScreen(self.say), entered)

    @on(reports.CashDone)
    def cash_done(self, message: reports.CashDone) -> None:
        movement = message.moved.movement
        kind = self.say(f"manager.cash_kind.{message.kind}")
        text = self.say("manager.cash_done", kind=kind, amount=grouped(movement.amount))
        problem = message.moved.drawer_problem
        if problem:
            text += " " + self.say("manager.drawer_problem", problem=problem)
        self.notice(text, error=bool(problem))
