"""The sale screen: the input line, the lines, the total; every key of a sale starts here.

What F2 does: ``action_netgiro`` opens PaymentScreen (pos/ui/screens/payment.py), which runs
the payment in ``workers.pay_netgiro``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from pos.core.catalog import CatalogItem
from pos.core.errors import PosError
from pos.core.keymap import SALE, default_keys
from pos.core.sale import NeedsManager
from pos.services.devices import till_actor
from pos.services.manager_auth import Session
from pos.services.printing import JobFailed
from pos.services.reprint import dismiss_job, free_reprint, reprint_uncertain, retry_job
from pos.services.status import UNKNOWN_LABEL
from pos.services.till_session import TillSession
from pos.services.till_views import (
    CheckoutUpdated,
    DrawerKicked,
    RecoveryRan,
    SaleChanged,
    SaleFinished,
    SaleView,
)
from pos.ui.context import TillContext
from pos.ui.explain import explain, say_worker_failure
from pos.ui.format import grouped
from pos.ui.format import quantity as format_quantity
from pos.ui.keys import bindings, key_label
from pos.ui.messages import StartupFinished, TillUpdated, WorkFailed
from pos.ui.screens.discount import DiscountChoice
from pos.ui.screens.print_banner import PrintBanner
from pos.ui.screens.signin import DiscountApproved
from pos.ui.widgets.entry_line import EntryLine
from pos.ui.widgets.key_bar import KeyBar
from pos.ui.widgets.sale_lines import SaleLines
from pos.ui.widgets.status_bar import StatusBar
from pos.ui.widgets.total_panel import TotalPanel
from pos.ui.workers import PrintsDone, periodic_recovery, print_receipts, start_till

PRINT_POLL_S = 3.0
"""How often the sale screen looks for jobs queued elsewhere (one indexed read)."""

ACTIONS = {
    "sale_netgiro": "netgiro",
    "sale_cash": "cash",
    "sale_void": "void",
    "sale_park": "park",
    "sale_recall": "recall",
    "sale_find": "find",
    "sale_reprint": "reprint",
    "sale_manager": "manager",
    "sale_discount": "discount",
    "sale_vat": "vat",
    "sale_clear": "clear_sale",
    "sale_print_retry": "print_retry",
    "sale_print_later": "print_later",
    "sale_print_dismiss": "print_dismiss",
    "sale_line_up": "move(-1)",
    "sale_line_down": "move(1)",
    "sale_clear_input": "clear_input",
}


class SaleScreen(Screen[None]):
    """Rings up one sale at a time; hands payment to the payment and cash screens."""

    BINDINGS = bindings(SALE, ACTIONS)

    def __init__(self, context: TillContext) -> None:
        super().__init__()
        self.context = context
        self.say = context.messages
        self.vat_rate: int | None = None
        self.started = False

        self.signing_in = False
        """The people file names cashiers: one signs in before the first sale."""
        self.shift: Session | None = None

    @property
    def session(self) -> TillSession:
        return self.context.session

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        say_worker_failure(self, self.say, event)

    def compose(self) -> ComposeResult:
        settings = self.context.settings
        yield StatusBar(self.say, settings.wall_clock, settings.facts)
        with Horizontal(id="sale-main"):
            yield SaleLines(self.say)
            yield TotalPanel(self.say)
        yield PrintBanner(self.say)
        yield Static("", id="notice")
        yield EntryLine(placeholder=self.say("sale.placeholder"), id="entry")
        yield KeyBar(self.say)

    def on_mount(self) -> None:
        self.show(self.session.view)
        self._hint()
        for problem in self.context.settings.problems:
            self.notify(problem, title=self.say("app.config_problem"), severity="warning")
        self.run_worker(start_till(self, self.session), name="startup", exit_on_error=False)
        self._ask_for_cashier()

    # --- what the session and the workers say ---------------------------------------------

    @on(StartupFinished)
    def started_up(self, message: StartupFinished) -> None:
        self.started = True
        report = message.report
        if report.resumed is not None:
            self.show(report.resumed)
        if report.interrupted or report.recovery.needs_manager or report.recovery.recovered:
            from pos.ui.screens.startup import StartupScreen

            self.app.push_screen(StartupScreen(self.context, report))
        self._print(opening=True)
        self.set_interval(PRINT_POLL_S, self._print_if_queued)
        if self.context.settings.recovery:
            self.run_worker(periodic_recovery(self.session), name="recovery", exit_on_error=False)

    @on(TillUpdated)
    def updated(self, message: TillUpdated) -> None:
        update = message.update
        if isinstance(update, SaleChanged):
            self.show(update.view)
        elif isinstance(update, SaleFinished):
            summary = update.summary
            self.say_notice(self.say("sale.finished", receipt=summary.receipt_no or "-"))
            self.show(self.session.view)
            self._print()
        elif isinstance(update, CheckoutUpdated):
            trouble = update.view.label == UNKNOWN_LABEL
            self.query_one(StatusBar).set_connection("fault" if trouble else "ok")
        elif isinstance(update, DrawerKicked) and update.problem:
            self.say_notice(self.say("devices.open_with_key"), error=True)
        elif isinstance(update, RecoveryRan) and update.report.needs_manager:
            count = len(update.report.needs_manager)
            self.say_notice(self.say("sale.needs_manager_count", count=count))

    # --- receipts ---------------------------------------------------------------------------

    def _print(
        self, *, opening: bool = False, prepare: Callable[[], object] | None = None, note: str = ""
    ) -> None:
        queue = self.context.printing
        if queue is not None:
            work = print_receipts(self, queue, opening=opening, prepare=prepare, note=note)
            self.run_worker(work, name="print", exit_on_error=False)

    def _print_if_queued(self) -> None:
        """Documents other screens queue (a Z, a refund slip) print within seconds; not while
        the printer is at fault (the banner waits for a person) or a print run is going."""
        queue, status = self.context.printing, self.query_one(StatusBar).facts
        if queue is None or (status is not None and status.printer == "fault"):
            return
        running = (WorkerState.PENDING, WorkerState.RUNNING)
        if any(w.name == "print" and w.state in running for w in self.app.workers):
            return
        if queue.has_queued():
            self._print()

    @on(PrintsDone)
    def printed(self, message: PrintsDone) -> None:
        status = self.query_one(StatusBar)
        failed = [e for e in message.events if isinstance(e, JobFailed)]
        if failed:
            status.set_printer("fault", message.waiting)
        elif message.events:
            status.set_printer("ok", message.waiting)
        else:
            status.set_printer(status.facts.printer if status.facts else "unknown", message.waiting)
        self.query_one(PrintBanner).offer(message.offers, self._banner_keys())
        if message.note:
            self.say_notice(message.note)
        self._banner_changed()

    def _banner_keys(self) -> dict[str, str]:
        return {
            "retry": self._key_of("sale_print_retry"),
            "later": self._key_of("sale_print_later"),
            "dismiss": self._key_of("sale_print_dismiss"),
        }

    def _banner_changed(self) -> None:
        self.refresh_bindings()
        self.query_one(KeyBar).refresh()

    def _key_of(self, binding_id: str) -> str:
        keys = self.app._keymap.get(binding_id, default_keys(binding_id))
        return key_label(keys.split(",")[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("print_retry", "print_later", "print_dismiss"):
            return self.query_one(PrintBanner).current is not None
        return True

    @property
    def _actor(self) -> str:
        return till_actor(self.session.cashier, self.context.settings.facts.register)

    def action_print_retry(self) -> None:
        """A failed job printed again; for an uncertain one, an AFRIT in its place (audited)."""
        banner = self.query_one(PrintBanner)
        job, queue = banner.current, self.context.printing
        if job is None or queue is None:
            return
        what = banner.what(job)
        if job.status == "uncertain":
            actor = self._actor
            self._print(
                prepare=lambda: reprint_uncertain(queue.journal, job.id, actor=actor),
                note=self.say("devices.afrit_queued", what=what),
            )
        else:
            self._print(prepare=lambda: retry_job(queue.journal, job.id))
        banner.drop(job.id, self._banner_keys())
        self._banner_changed()

    def action_print_later(self) -> None:
        """A failed job goes back in the queue: it prints with the next run that works (the next
        receipt, or the next start). An uncertain one is never printed by itself: offered again
        at the next start."""
        banner = self.query_one(PrintBanner)
        job, queue = banner.current, self.context.printing
        if job is None or queue is None:
            return
        if job.status == "uncertain":
            self.say_notice(self.say("devices.later", what=banner.what(job)))
        elif self._try(retry_job, queue.journal, job.id):
            self.say_notice(self.say("devices.later_queued", what=banner.what(job)))
        banner.drop(job.id, self._banner_keys())
        self._banner_changed()

    def action_print_dismiss(self) -> None:
        """The cashier's decision: it will not print (journaled, audited); still reprintable."""
        banner = self.query_one(PrintBanner)
        job, queue = banner.current, self.context.printing
        if job is None or queue is None:
            return
        if self._try(dismiss_job, queue.journal, job.id, actor=self._actor):
            self.say_notice(self.say("devices.dismissed", what=banner.what(job)))
        banner.drop(job.id, self._banner_keys())
        self._banner_changed()

    @on(WorkFailed)
    def work_failed(self, message: WorkFailed) -> None:
        self.say_notice(explain(self.say, message.error), error=True)

    def show(self, view: SaleView) -> None:
        self.query_one(SaleLines).show(view.sale)
        self.query_one(TotalPanel).show(view)
        self._hint()

    def say_notice(self, text: str, *, error: bool = False) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(text)
        notice.set_class(error, "error")

    def _hint(self) -> None:
        rate = self.vat_rate
        vat = self.say("sale.vat_default") if rate is None else self.say("sale.vat_rate", rate=rate)
        hint = self.say("sale.hint", vat=vat)
        quantity = self.session.view.sale.next_quantity_milli
        if quantity is not None:
            hint = self.say("sale.next_quantity", quantity=format_quantity(quantity)) + " · " + hint
        self.query_one(EntryLine).border_subtitle = hint

    # --- the input line -------------------------------------------------------------------

    @on(Input.Submitted, "#entry")
    def entered(self, event: Input.Submitted) -> None:
        keys, times = self.query_one(EntryLine).take()
        self._enter(keys, times)

    def take_scan(self, code: str) -> None:
        """A serial scan, as a wedge scan would come: after what the line holds (``3*``), Enter."""
        typed, times = self.query_one(EntryLine).take()
        at = self.context.settings.monotonic()
        self._enter(typed + code, [*times, *[at] * len(code)] if times or not typed else [])

    def _enter(self, keys: str, times: list[float]) -> None:
        if not keys.strip():
            return
        try:
            self.session.enter(keys, times, vat_rate=self.vat_rate)
        except PosError as exc:
            self.say_notice(explain(self.say, exc, text=keys.strip()), error=True)
            return
        self.say_notice("")
        if self.vat_rate is not None:  # a VAT key choice is for the next line only
            self.vat_rate = None
            self._hint()

    def action_clear_input(self) -> None:
        self.query_one(EntryLine).take()
        self.say_notice("")

    # --- the action keys ------------------------------------------------------------------

    def _try(self, call: object, *args: object, **kwargs: object) -> bool:
        try:
            call(*args, **kwargs)  # type: ignore[operator]
        except PosError as exc:
            self.say_notice(explain(self.say, exc), error=True)
            return False
        return True

    def action_move(self, step: int) -> None:
        self._try(self.session.move_selection, step)

    def action_void(self) -> None:
        if self._try(self.session.void_line):
            self.say_notice(self.say("sale.voided"))

    def action_vat(self) -> None:
        rates: list[int | None] = [None, *self.context.settings.vat_rates]
        self.vat_rate = rates[(rates.index(self.vat_rate) + 1) % len(rates)]
        self._hint()

    def action_netgiro(self) -> None:
        view = self.session.view
        if view.sale.is_empty or view.sale.balance_due <= 0:
            self.say_notice(self.say("sale.nothing_to_pay"), error=True)
            return
        from pos.ui.screens.payment import PaymentScreen

        self.app.push_screen(PaymentScreen(self.context, view.sale.balance_due))

    def action_cash(self) -> None:
        view = self.session.view
        if view.sale.is_empty or view.sale.balance_due <= 0:
            self.say_notice(self.say("sale.nothing_to_pay"), error=True)
            return
        from pos.ui.screens.cash import CashScreen

        self.app.push_screen(CashScreen(self.context))

    def action_park(self) -> None:
        try:
            sale_id = self.session.park_sale()
        except PosError as exc:
            self.say_notice(explain(self.say, exc), error=True)
            return
        self.say_notice(self.say("sale.parked", sale=sale_id))

    def action_recall(self) -> None:
        parked = self.session.parked_sales()
        if not parked:
            self.say_notice(self.say("sale.none_parked"), error=True)
            return
        from pos.ui.screens.recall import RecallScreen

        self.app.push_screen(RecallScreen(self.say, parked), self._recall)

    def _recall(self, sale_id: int | None) -> None:
        if sale_id is not None and self._try(self.session.recall_sale, sale_id):
            self.say_notice(self.say("sale.recalled", sale=sale_id))

    def action_find(self) -> None:
        from pos.ui.screens.find import FindScreen

        self.app.push_screen(FindScreen(self.context), self._found)

    def _found(self, item: CatalogItem | None) -> None:
        if item is not None:
            self._try(self.session.add_item, item)

    def action_discount(self) -> None:
        from pos.ui.screens.discount import DiscountScreen

        line_chosen = self.session.view.sale.selected is not None
        self.app.push_screen(DiscountScreen(self.say, line_chosen), self._discounted)

    def _discounted(self, chosen: object) -> None:
        if not isinstance(chosen, DiscountChoice):
            return
        try:
            if chosen.on_line:
                self.session.discount_line(chosen.discount)
            else:
                self.session.discount_sale(chosen.discount)
        except NeedsManager:
            self._approve_discount(chosen)
        except PosError as exc:
            self.say_notice(explain(self.say, exc), error=True)

    def action_clear_sale(self) -> None:
        if self.session.view.sale.is_empty:
            return
        from pos.ui.screens.confirm import ConfirmScreen

        total = grouped(self.session.view.sale.total)
        question = self.say("sale.clear_question", total=total)
        self.app.push_screen(ConfirmScreen(self.say, question), self._cleared)

    def _cleared(self, yes: bool | None) -> None:
        if yes and self._try(self.session.clear_sale):
            self.say_notice(self.say("sale.cleared"))

    def action_reprint(self) -> None:
        """The cashier's one free copy (AFRIT) of the last receipt, audited."""
        queue = self.context.printing
        if queue is None:
            self.say_notice(self.say("sale.no_printer"), error=True)
            return
        now, actor = datetime.now(UTC), self._actor  # real time: the 10 minutes are real
        self._print(
            prepare=lambda: free_reprint(queue.journal, now, actor=actor),
            note=self.say("devices.free_reprint_queued"),
        )

    # --- people: the cashier's shift, manager mode, a manager's approval ---------------------

    def _ask_for_cashier(self) -> None:
        """At start (and after a sign-out): a cashier signs in when the people file has any."""
        manager = self.context.manager
        if manager is None:
            return
        try:
            self.signing_in = manager.cashiers_configured()
        except PosError as exc:  # an unreadable people file: said, and the till runs as before
            self.say_notice(
                self.say("manager.cashier.file_problem", detail=exc.message), error=True
            )
            return
        if self.signing_in:
            from pos.ui.screens.signin import PinScreen

            self.app.push_screen(PinScreen(self.say, manager, "cashier"), self._signed_in)

    def _signed_in(self, shift: Session | None) -> None:
        if shift is None:
            return
        self.shift = shift
        self.session.cashier = shift.person.name
        self.query_one(StatusBar).set_cashier(shift.person.name)
        self.say_notice(self.say("manager.cashier.signed_in", name=shift.person.name))

    def action_change_cashier(self) -> None:
        """Sign the cashier out (audited); the next one signs in before another sale."""
        manager = self.context.manager
        if manager is None or not self.signing_in:
            return
        if not self.session.view.sale.is_empty or self.session.payment_live:
            self.say_notice(self.say("manager.cashier.sale_on_counter"), error=True)
            return
        if self.shift is not None:
            name = self.shift.person.name
            self._try(manager.leave, self.shift)
            self.say_notice(self.say("manager.cashier.signed_out", name=name))
        self.shift = None
        self.session.cashier = None
        self.query_one(StatusBar).set_cashier("")
        self._ask_for_cashier()

    def action_manager(self) -> None:
        """F9: a manager's name and PIN, then the manager screen."""
        manager = self.context.manager
        if manager is None:
            self.say_notice(self.say("manager.not_configured"), error=True)
            return
        if self.session.payment_live:
            self.say_notice(self.say("manager.payment_live"), error=True)
            return
        from pos.ui.screens.signin import PinScreen

        self.app.push_screen(PinScreen(self.say, manager, "manager"), self._manager_entered)

    def _manager_entered(self, session: Session | None) -> None:
        manager = self.context.manager
        if session is None or manager is None:
            return
        from pos.ui.screens.manager import ManagerScreen

        screen = ManagerScreen(self.context, manager, session)
        self.app.push_screen(screen, self._manager_left)

    def _manager_left(self, said: str | None) -> None:
        self.say_notice(said or "")

    def _approve_discount(self, chosen: DiscountChoice) -> None:
        """Above the cashier's limit: a manager's PIN approves it (audited), or nothing happens."""
        manager = self.context.manager
        if manager is None:
            self.say_notice(self.say("manager.not_configured"), error=True)
            return
        from pos.ui.screens.signin import PinScreen, approve_discount

        def approved(session: Session | None) -> None:
            if session is not None:
                work = approve_discount(self, manager, session, chosen.discount, chosen.on_line)
                self.run_worker(work, name="approve", exit_on_error=False)

        self.app.push_screen(PinScreen(self.say, manager, "discount"), approved)

    @on(DiscountApproved)
    def discount_approved(self, message: DiscountApproved) -> None:
        self.say_notice(self.say("manager.discount.approved", name=message.name))
