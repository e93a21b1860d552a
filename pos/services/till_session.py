"""The till session: what the sale screen drives, from the first key to the paid sale.

It holds the sale on the counter, journals it when it is parked or a tender starts, takes cash
and Netgíró tenders, and runs recovery around them. Rules kept, and why:

- Single flight: one lock guards the one ``CheckoutRunner``. A Netgíró tender holds it while it
  runs; recovery (at start, on the timer, on demand) only runs when it can take the lock at
  once, so it never runs during a checkout nor touches the sale this process drives. Pay
  pressed twice is refused while the first runs: one cart per sale at a time.
- The sale's lines are frozen once a tender is live or taken (``pos.core.sale``), and the
  Netgíró attempt asks the journal's balance due, which is the counter's balance due.
- A sale with a payment taken or running is never parked or cleared.
- A sale whose outcome is unknown, or that needs a manager, leaves the counter: it gets no new
  attempt until settled, and the next customer can be served.
- Nothing here imports Textual: the screen gets plain dataclasses through one callback, and
  every method runs on the app's event loop thread (the journal's connection is per thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from pos.config import Settings
from pos.core.catalog import Catalog, CatalogItem, UnknownCode, check_code
from pos.core.customer_ids import CustomerId
from pos.core.errors import InputError, PosError
from pos.core.input_kind import InputKind, classify_input
from pos.core.sale import Discount, DiscountLimit, Sale, cash_suggestions
from pos.core.till_settings import TillSettings
from pos.devices.protocols import Drawer
from pos.journal import AttemptRecord, Journal, sales
from pos.services import till_netgiro, till_reports
from pos.services.devices import audit_kick, kick_drawer, kick_outcome, till_actor
from pos.services.recovery import recover_open_attempts
from pos.services.status import CheckoutView, view_of
from pos.services.till_views import (
    CashResult,
    CheckoutUpdated,
    DrawerKicked,
    NetgiroResult,
    ParkedSale,
    RecoveryRan,
    RecoveryReport,
    SaleChanged,
    SaleFinished,
    SaleSummary,
    SaleView,
    StartupReport,
    TillUpdate,
)
from pos.services.wiring import Till, open_till

log = logging.getLogger(__name__)

DRAWER_WAIT_S = 15.0
"""How long closing the till waits for a drawer kick in flight (each printer call has its own,
shorter timeout: this is only a bound)."""


class NoDrawer:
    """No drawer wired (tests, headless): nothing to open, nothing to report.

    A register with a drawer passes ``pos.devices``' (``PrinterDrawer``, or its ``NoDrawer``
    that tells the cashier to use the key)."""

    def kick(self) -> tuple[bool, str]:
        return True, ""


class PaymentInProgress(PosError):
    """A Netgíró payment is running in this till; wait for its end or cancel it."""

    title = "Payment in progress"


class TillBusy(PosError):
    """Recovery is finishing an earlier payment; the new one waits a moment."""

    title = "One moment"


class TillSession:
    """The sale on the counter and every action the sale screen takes on it."""

    def __init__(
        self,
        till: Till,
        settings: TillSettings,
        catalog: Catalog,
        *,
        drawer: Drawer | None = None,
        on_update: Callable[[TillUpdate], None] | None = None,
    ) -> None:
        self._till = till
        self._journal: Journal = till.journal
        self.settings = settings
        self.catalog = catalog
        self._drawer = drawer or NoDrawer()
        self._listener: Callable[[TillUpdate], None] = on_update or (lambda update: None)
        self._sale = self._new_sale()
        self._sale_id: int | None = None
        self._flight = asyncio.Lock()
        self._paying = False
        self._recovering = False
        self._kicks: set[asyncio.Task[None]] = set()  # drawer kicks in flight (kept referenced)
        # The signed-in cashier (manager mode's sign-in sets it): named on each sale journaled
        # from now on, its receipt and the Z; None when the register runs without a people file.
        self.cashier: str | None = None

    # --- state ------------------------------------------------------------------------------

    @property
    def view(self) -> SaleView:
        return SaleView(self._sale, self._sale_id, "open", None, self._paying)

    @property
    def till(self) -> Till:
        """The register's parts (settings, sandbox, journal): read them, never drive the runner."""
        return self._till

    @property
    def payment_live(self) -> bool:
        """A Netgíró checkout is running: quitting now is refused."""
        return self._paying

    @property
    def recovery_running(self) -> bool:
        return self._recovering

    def set_listener(self, on_update: Callable[[TillUpdate], None]) -> None:
        self._listener = on_update

    def checkout_updated(self, view: CheckoutView) -> None:
        """The runner's ``on_update``: relayed to the screen as ``CheckoutUpdated``."""
        self._listener(CheckoutUpdated(view))

    # --- ringing up ---------------------------------------------------------------------------

    def enter(
        self, keys: Sequence[str] | str, times: Sequence[float] = (), vat_rate: int | None = None
    ) -> SaleView:
        """One Enter on the input line: an amount, a code or ``N*`` (content decides)."""
        found = classify_input(keys, times)
        if found.kind is InputKind.EMPTY:
            return self.view
        if found.kind is InputKind.INVALID:
            raise InputError(found.message)
        sale = self._sale
        if found.quantity_milli is not None:
            sale = sale.with_quantity(found.quantity_milli)
        if found.kind is InputKind.AMOUNT and found.amount is not None:
            sale = sale.add_open_price(found.amount, self._rate(vat_rate))
        elif found.kind is InputKind.CODE and found.code is not None:
            sale = sale.add_item(self._item(found.code))
        return self._set(sale)

    def add_amount(self, amount: int, vat_rate: int | None = None) -> SaleView:
        return self._set(self._sale.add_open_price(amount, self._rate(vat_rate)))

    def add_code(self, code: str) -> SaleView:
        """A barcode or PLU; an unknown or misread code adds nothing."""
        return self._set(self._sale.add_item(self._item(code.strip())))

    def add_item(self, item: CatalogItem) -> SaleView:
        return self._set(self._sale.add_item(item))

    def find_items(self, text: str) -> list[CatalogItem]:
        return self.catalog.find(text)

    def set_quantity(self, quantity_milli: int) -> SaleView:
        return self._set(self._sale.with_quantity(quantity_milli))

    def select_line(self, index: int | None) -> SaleView:
        return self._set(self._sale.select(index))

    def move_selection(self, step: int) -> SaleView:
        return self._set(self._sale.move_selection(step))

    def void_line(self, index: int | None = None) -> SaleView:
        return self._set(self._sale.void_line(index))

    def discount_line(
        self,
        discount: Discount | None,
        index: int | None = None,
        *,
        limit: DiscountLimit | None = None,
    ) -> SaleView:
        """``limit``: a manager's (``TillManager.approve_discount``); else the cashier's."""
        limit = limit or self.settings.discount
        return self._set(self._sale.discount_line(index, discount, limit))

    def discount_sale(
        self, discount: Discount | None, *, limit: DiscountLimit | None = None
    ) -> SaleView:
        return self._set(self._sale.discount_sale(discount, limit or self.settings.discount))

    def clear_sale(self) -> SaleView:
        """Start over (the screen asks first); refused once money is taken or running."""
        if self._sale.frozen or self._paying:
            raise PosError(
                "This sale has a payment taken or running: it cannot be cleared. Finish it, "
                "or a manager voids it.",
                "Sale",
            )
        if self._sale_id is not None:
            sales.void_sale(self._journal, self._sale_id)
        return self._reset()

    def new_sale(self) -> SaleView:
        """An empty counter after a finished sale (the session does it itself after paid)."""
        if self._sale.frozen and not self._sale.is_covered:
            raise PosError("This sale still has a balance due: take the rest first.", "Sale")
        return self._reset()

    # --- park and recall ----------------------------------------------------------------------

    def park_sale(self) -> int:
        """Keep the sale aside (journaled: it survives a restart); the counter empties."""
        if self._paying:
            raise PaymentInProgress("A payment is running for this sale: it cannot be parked.")
        if self._sale.is_empty:
            raise PosError("There is nothing to park.", "Sale")
        if self._sale.frozen:
            raise PosError(
                "A sale with a payment taken cannot be parked: take the rest first.", "Sale"
            )
        sale_id = sales.park_sale(
            self._journal, self._register_id, self._sale, self._sale_id, cashier=self.cashier
        )
        self._reset()
        return sale_id

    def parked_sales(self) -> list[ParkedSale]:
        return [
            ParkedSale(s.sale_id, s.sale.total, len(s.sale.lines), s.parked_at or s.created_at)
            for s in sales.parked_sales(self._journal)
        ]

    def recall_sale(self, sale_id: int) -> SaleView:
        """A parked sale back on the counter; refused while the counter has a sale."""
        if not self._sale.is_empty or self._paying:
            raise PosError("Park or finish the sale on the counter first.", "Sale")
        stored = sales.recall_sale(self._journal, sale_id)
        self._sale_id = sale_id
        return self._set(self._with_rates(stored.sale))

    # --- tenders ------------------------------------------------------------------------------

    def cash_suggestions(self) -> list[int]:
        return cash_suggestions(self._sale.balance_due)

    def pay_cash(self, tendered: int) -> CashResult:
        """Cash handed over: counts up to the balance due, the rest is change; the drawer opens."""
        if self._paying:
            raise PaymentInProgress("A Netgíró payment is running; wait for its end or cancel it.")
        after = self._sale.take_cash(tendered)  # refuses what cannot be taken, changes nothing
        sale_id = self._journal_for_tender()
        taken = sales.take_cash(self._journal, sale_id, after.tenders[-1].amount, tendered)
        self._sale = after
        drawer_problem = self._kick_for_cash(sale_id)
        summary = self._summary(sale_id)
        if taken.paid:
            self._finish(summary)
        else:
            self._changed()
        return CashResult(
            self.view,
            taken.amount,
            taken.change,
            taken.paid,
            taken.receipt_no,
            summary,
            drawer_problem,
        )

    async def pay_netgiro(
        self, customer: CustomerId, confirmation: str | None = None
    ) -> NetgiroResult:
        """Netgíró for the balance due, through the runner; one attempt at a time."""
        if self._paying:
            raise PaymentInProgress("A Netgíró payment is already running for this sale.")
        if self._flight.locked():
            raise TillBusy("The till is finishing an earlier payment; try again in a moment.")
        async with self._flight:
            self._paying = True
            try:
                attempt = await self._run_netgiro(customer, confirmation)
            finally:
                self._paying = False
        return self._after_netgiro(attempt)

    def cancel_payment(self) -> bool:
        """Esc on the waiting view; False when no payment of this counter is running."""
        if not self._paying:
            return False
        self._till.runner.press_cancel()
        return True

    def enter_code(self, code: str) -> bool:
        """The SMS code; False when no payment of this counter is running."""
        if not self._paying:
            return False
        self._till.runner.enter_code(code)
        return True

    # --- around the sale ------------------------------------------------------------------------

    def today_sales(self) -> list[SaleSummary]:
        """Today's sales (Reykjavik days), newest first, each with its state."""
        return till_reports.today(self._journal)

    def needs_manager(self) -> tuple[SaleSummary, ...]:
        return till_reports.needs_manager(self._journal)

    async def start(self) -> StartupReport:
        """At start: note the till open, recover, and say how interrupted sales ended."""
        killed = sales.mark_till_running(self._journal, os.getpid())
        interrupted_ids = {attempt.sale_id for attempt in self._journal.open_attempts()}
        last = sales.last_sale_id(self._journal)
        if killed and last is not None and till_reports.payment_touched(self._journal, last):
            interrupted_ids.add(last)
        report = await self.recover_now()
        interrupted = tuple(self._summary(sale_id) for sale_id in sorted(interrupted_ids))
        resumed = self._resume_unfinished()
        return StartupReport(report, killed, interrupted, resumed)

    async def recover_now(self) -> RecoveryReport:
        """Recover open attempts, unless a checkout is in flight (then skipped: ``ran=False``)."""
        if self._flight.locked():
            skipped = RecoveryReport(False, (), self.needs_manager())
            self._listener(RecoveryRan(skipped))
            return skipped
        async with self._flight:
            self._recovering = True
            try:
                recovered = await recover_open_attempts(self._till.runner, self._journal)
            finally:
                self._recovering = False
        report = RecoveryReport(True, tuple(recovered), self.needs_manager())
        self._listener(RecoveryRan(report))
        return report

    async def periodic_recovery(self) -> None:
        """Recover every ``recovery_period_s`` while the till is open (run it as a task)."""
        while True:
            await asyncio.sleep(self.settings.recovery_period_s)
            try:
                await self.recover_now()
            except PosError as exc:  # reported, and tried again next period
                log.warning("periodic recovery: %s", exc)

    @property
    def drawer(self) -> Drawer:
        """The register's drawer, for a manager's cash movements (they kick it themselves)."""
        return self._drawer

    def close(self) -> None:
        """The till closes cleanly: the next start will not report a killed till."""
        sales.mark_till_closed(self._journal)

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _register_id(self) -> str:
        return self._till.settings.register.register_id

    def _new_sale(self) -> Sale:
        return Sale(rates=self.settings.vat.rates)

    def _with_rates(self, sale: Sale) -> Sale:
        rates = tuple(dict.fromkeys((*self.settings.vat.rates, *sale.rates)))
        return Sale(sale.lines, sale.discount, sale.tenders, None, None, rates)

    def _rate(self, vat_rate: int | None) -> int:
        return self.settings.vat.default_rate if vat_rate is None else vat_rate

    def _item(self, code: str) -> CatalogItem:
        check_code(code)
        item = self.catalog.by_code(code)
        if item is None:
            raise UnknownCode(f"{code} is not in the catalog; nothing was added.")
        return item

    def _set(self, sale: Sale) -> SaleView:
        self._sale = sale
        return self._changed()

    def _changed(self) -> SaleView:
        view = self.view
        self._listener(SaleChanged(view))
        return view

    def _reset(self) -> SaleView:
        self._sale = self._new_sale()
        self._sale_id = None
        return self._changed()

    def _finish(self, summary: SaleSummary) -> None:
        self._listener(SaleFinished(summary))
        self._reset()

    def _journal_for_tender(self) -> int:
        """The sale's journal id; its lines are written before the first tender."""
        if not self._sale.frozen or self._sale_id is None:
            self._sale_id = sales.save_sale(
                self._journal, self._register_id, self._sale, self._sale_id, cashier=self.cashier
            )
        return self._sale_id

    def _kick_for_cash(self, sale_id: int) -> str:
        """The cash sale's kick, off the event loop when there is one: a printer that hangs
        until its timeout never holds the screen (the sale is journaled paid already). Its
        outcome comes as ``DrawerKicked``; "" here then."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a plain caller): the kick waits here
            return self._kick_drawer("cash_sale", sale_id)
        if isinstance(self._drawer, NoDrawer):
            return ""
        task = loop.create_task(self._kick_off_the_loop(sale_id))
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)
        return ""

    async def _kick_off_the_loop(self, sale_id: int) -> None:
        opened, message = await asyncio.to_thread(kick_outcome, self._drawer, "cash_sale")
        actor = till_actor(self.cashier, self._register_id)
        try:
            audit_kick(
                self._journal, opened, message, actor=actor, why="cash_sale", sale_id=sale_id
            )
        except Exception:  # the journal closed under a kick that outlived the till: said in the log
            log.exception("drawer kick of sale %s (%s) not audited", sale_id, message or "opened")
            return
        self._listener(DrawerKicked(sale_id, "" if opened else message))

    async def wait_for_kicks(self, timeout_s: float = DRAWER_WAIT_S) -> None:
        """Before the journal closes: let drawer kicks in flight end and be audited."""
        if self._kicks:
            await asyncio.wait(set(self._kicks), timeout=timeout_s)

    def _kick_drawer(self, why: str = "no_sale", sale_id: int | None = None) -> str:
        """Open the drawer (audited); what went wrong, for the cashier ("" when it opened)."""
        if isinstance(self._drawer, NoDrawer):
            return ""  # none wired: nothing was kicked, nothing to audit
        actor = till_actor(self.cashier, self._register_id)
        opened, message = kick_drawer(
            self._drawer, self._journal, actor=actor, why=why, sale_id=sale_id
        )
        return "" if opened else message

    async def _run_netgiro(self, customer: CustomerId, confirmation: str | None) -> AttemptRecord:
        live = self._sale.start_netgiro()  # refuses what cannot be paid, changes nothing
        sale_id = self._journal_for_tender()
        self._refuse_if_journal_differs(sale_id)
        self._sale = live
        self._changed()
        try:
            return await till_netgiro.run_tender(self._till, sale_id, live, customer, confirmation)
        except BaseException:
            self._sale = self._sale.netgiro_ended(paid=False)
            self._changed()
            raise

    def _refuse_if_journal_differs(self, sale_id: int) -> None:
        """The attempt asks the journal's balance due: it must be the one on the screen."""
        journaled = sales.load_sale(self._journal, sale_id).sale
        if (journaled.total, journaled.paid) != (self._sale.total, self._sale.paid):
            raise PosError(
                f"Sale {sale_id} in the journal ({journaled.balance_due} kr. due) is not the sale "
                f"on the screen ({self._sale.balance_due} kr. due); nothing was sent. Look it "
                "up in today's sales.",
                "Sale",
            )

    def _after_netgiro(self, attempt: AttemptRecord) -> NetgiroResult:
        summary = self._summary(attempt.sale_id)
        checkout = view_of(attempt, attempt.state)
        if summary.status == "paid":
            self._sale = self._sale.netgiro_ended(paid=True)
            self._finish(summary)
            return NetgiroResult(attempt, checkout, True, summary, True, self.view)
        if attempt.state.is_final and summary.status in sales.PAYABLE:
            self._sale = self._sale.netgiro_ended(paid=False)  # not charged: back to the counter
            return NetgiroResult(attempt, checkout, False, summary, False, self._changed())
        # Unknown, a manager's, or still live (left to recovery): no new attempt until settled.
        self._reset()
        return NetgiroResult(attempt, checkout, False, summary, True, self.view)

    def _resume_unfinished(self) -> SaleView | None:
        unfinished = sales.unfinished_sales(self._journal)
        if not unfinished or not self._sale.is_empty:
            return None
        stored = unfinished[-1]
        self._sale_id = stored.sale_id
        return self._set(self._with_rates(stored.sale))

    def _summary(self, sale_id: int) -> SaleSummary:
        return till_reports.summary(self._journal, sale_id)


class _Relay:
    """The runner's ``on_update`` before the session exists: forwards once it is attached."""

    def __init__(self) -> None:
        self.target: Callable[[CheckoutView], None] = lambda view: None

    def __call__(self, view: CheckoutView) -> None:
        self.target(view)


def _configured_drawer(settings: Settings) -> Drawer | None:
    """The drawer on the configured printer; none on the file printer (it has no drawer)."""
    from pos.config import printer as printer_section
    from pos.services.devices import drawer_from_settings
    from pos.services.receipts import configured_printer

    printer_settings = settings.get(printer_section.SECTION)
    if printer_settings.kind == "file":
        return None
    return drawer_from_settings(printer_settings, configured_printer(settings))


@asynccontextmanager
async def open_till_session(
    settings: Settings,
    till_settings: TillSettings,
    catalog: Catalog,
    *,
    drawer: Drawer | None = None,
    announce: Callable[[str], None] = lambda line: None,
) -> AsyncIterator[TillSession]:
    """The register's parts (``open_till``, as ``pos pay`` builds them) and a session on them."""
    relay = _Relay()
    if drawer is None:
        drawer = _configured_drawer(settings)
    async with open_till(settings, announce=announce, on_update=relay) as till:
        session = TillSession(till, till_settings, catalog, drawer=drawer)
        relay.target = session.checkout_updated
        try:
            yield session
        finally:
            await session.wait_for_kicks()
            with contextlib.suppress(PosError):
                session.close()


__all__ = [
    "Drawer",
    "NoDrawer",
    "PaymentInProgress",
    "TillBusy",
    "TillSession",
    "open_till_session",
]
