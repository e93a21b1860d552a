"""At start: what recovery settled, what needs a manager, and how an interrupted sale ended.

Shown before a new sale begins; Esc (never a bare Enter, a scanner sends one) closes it.
Keys typed or scanned while it is up go nowhere, and it says so: the cashier reads it first,
then types or scans again on the sale screen.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.services.till_views import SaleSummary, StartupReport
from pos.ui.context import TillContext
from pos.ui.format import grouped
from pos.ui.outcome import OUTCOMES


class StartupScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "keys.startup.close", priority=True)]  # noqa: RUF012

    def __init__(self, context: TillContext, report: StartupReport) -> None:
        super().__init__()
        self.say = context.messages
        self.report = report

    def compose(self) -> ComposeResult:
        say = self.say
        rows = [f"[b]{say('startup.title')}[/b]"]
        for sale in self.report.interrupted:
            rows.append(self._sale_row("startup.interrupted", sale))
            hint = self._what_now(sale)
            if hint:
                rows.append("  " + hint)
        listed = {sale.sale_id for sale in self.report.interrupted}
        for item in self.report.recovery.recovered:
            if item.sale_id in listed:
                continue  # its sale's row above says how it ended
            outcome = OUTCOMES.get(item.after.value, "checking")
            rows.append(
                say("startup.recovered", reference=item.reference, word=say(f"result.{outcome}"))
            )
        for sale in self.report.recovery.needs_manager:
            rows.append(self._sale_row("startup.needs_manager", sale))
        rows.append(say("startup.keys"))
        with VerticalScroll(id="startup-box"):
            yield Static("\n".join(rows), id="startup-text")
            yield Static("", id="startup-notice")

    def on_key(self, event: events.Key) -> None:
        if event.is_printable or event.key in ("enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.query_one("#startup-notice", Static).update(self.say("refusals.typing.startup"))

    def _what_now(self, sale: SaleSummary) -> str:
        """For an interrupted sale nothing was taken for: where it is now."""
        if sale.status not in ("open", "unpaid"):
            return ""  # paid: its receipt prints; unknown or a manager's: the row below says
        resumed = self.report.resumed
        if resumed is not None and resumed.sale_id == sale.sale_id:
            return self.say("engine.startup.resumed")
        return self.say("engine.startup.rekey")

    def _sale_row(self, key: str, sale: SaleSummary) -> str:
        outcome = OUTCOMES.get(sale.phase or "", "checking") if sale.status != "paid" else "paid"
        return self.say(
            key,
            sale=sale.sale_id,
            total=grouped(sale.total),
            word=self.say(f"result.{outcome}"),
            status=self.say(f"status_word.{sale.status}"),
        )

    def action_close(self) -> None:
        self.dismiss()
