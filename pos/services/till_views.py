"""What the till session tells the screen: plain dataclasses, handed to one callback.

The screen turns each ``TillUpdate`` into a Textual message; nothing here knows of Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.sale import Sale, Tender
from pos.journal import AttemptRecord
from pos.services.recovery import Recovered
from pos.services.status import CheckoutView


@dataclass(frozen=True)
class SaleView:
    """The sale on the counter: everything the lines and the total panel show."""

    sale: Sale
    sale_id: int | None
    """Its journal id once it has been parked or a tender has started."""
    status: str
    receipt_no: int | None
    payment_live: bool


@dataclass(frozen=True)
class SaleSummary:
    """One journaled sale for lists (today's sales, start-up, needs a manager)."""

    sale_id: int
    status: str
    total: int
    paid: int
    change: int
    receipt_no: int | None
    created_at: str
    paid_at: str | None
    tenders: tuple[Tender, ...]
    line_count: int
    reference: str | None
    """The newest Netgíró attempt's reference, its TransactionId and phase, if any."""
    transaction_id: str | None
    phase: str | None


@dataclass(frozen=True)
class ParkedSale:
    sale_id: int
    total: int
    line_count: int
    parked_at: str


@dataclass(frozen=True)
class CashResult:
    view: SaleView
    """The counter after the tender: a new empty sale when this one is paid."""
    amount: int
    change: int
    paid: bool
    receipt_no: int | None
    summary: SaleSummary
    drawer_problem: str = ""
    """Why the drawer did not open ("" when it did): show it, the cash is taken all the same."""


@dataclass(frozen=True)
class NetgiroResult:
    attempt: AttemptRecord
    checkout: CheckoutView
    paid: bool
    summary: SaleSummary
    left_counter: bool
    """The sale is no longer on the counter: paid, or waiting for recovery or a manager."""
    view: SaleView


@dataclass(frozen=True)
class RecoveryReport:
    ran: bool
    """False: skipped, because a checkout was in flight in this process."""
    recovered: tuple[Recovered, ...]
    needs_manager: tuple[SaleSummary, ...]
    """Sales whose outcome is unknown or that wait for a manager (TILL-CONTRACTS: Settling)."""


@dataclass(frozen=True)
class StartupReport:
    recovery: RecoveryReport
    killed: bool
    """The last till did not close: it was killed or lost power."""
    interrupted: tuple[SaleSummary, ...]
    """Sales a payment was under way on when the till stopped, as they ended after recovery."""
    resumed: SaleView | None
    """A sale with money taken but not covered: it is back on the counter."""


@dataclass(frozen=True)
class SaleChanged:
    view: SaleView


@dataclass(frozen=True)
class CheckoutUpdated:
    view: CheckoutView


@dataclass(frozen=True)
class SaleFinished:
    summary: SaleSummary


@dataclass(frozen=True)
class RecoveryRan:
    report: RecoveryReport


@dataclass(frozen=True)
class DrawerKicked:
    """A cash sale's drawer kick ended (it runs off the screen's thread, after the sale)."""

    sale_id: int
    problem: str
    """Why the drawer did not open ("" when it did): open it with the key."""


TillUpdate = SaleChanged | CheckoutUpdated | SaleFinished | RecoveryRan | DrawerKicked
