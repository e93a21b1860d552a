"""The manager's money at the open till: the drawer, float and paid-in/out, X and Z, refunds.

The same services as ``pos cash``, ``pos report`` and ``pos refund`` (``pos.services.cash``,
``reports``, ``line_refunds``), each checking the manager session first and auditing what it
does. Mixed into TillManager, which provides the session, the journal and the auth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pos.core.errors import ConfigError, PosError
from pos.core.refund_plan import RefundPlan
from pos.journal import Journal
from pos.journal import refunds as refunds_db
from pos.journal.refund_slips import RefundBasis, SlipRecord
from pos.journal.refunds import RefundRecord, SettledStatus, has_refunds
from pos.journal.z_reports import Blockers
from pos.netgiro.client import Timeouts
from pos.netgiro.partner import PartnerClient
from pos.services import cash, reports
from pos.services.cash import CashMoved
from pos.services.devices import audit_kick, kick_outcome
from pos.services.line_refunds import LineRefunds, LineRequest, cash_paid_out
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.refunds import partner_base_url
from pos.services.till_session import NoDrawer, TillSession

log = logging.getLogger(__name__)
_NO_PARTNER = ConfigError("No refund is sent while only looking at a sale.")
X_PRINTED = "report.x_printed"
CashKind = Literal["float", "paid_in", "paid_out"]


class CounterNotEmpty(PosError):
    """A Z waits for the sale on the counter."""

    title = "Z"


@dataclass(frozen=True)
class Refunded:
    """A refund slip as it ended, and the cash handed over from the drawer."""

    slip: SlipRecord
    cash_out: int
    drawer_problem: str


class MoneyActions:
    """Cash, reports and refunds for one till session (see TillManager)."""

    session: TillSession
    journal: Journal
    auth: ManagerAuth
    backup_dir: Path

    async def open_drawer(self, manager: Session) -> str:
        """A no-sale drawer opening (journaled, audited, counted on the Z); "" when it opened."""
        cash.no_sale(self.auth, manager, self.journal)
        return await self._kick(manager, "no_sale")

    async def move_cash(
        self, manager: Session, kind: CashKind, amount: int, reason: str
    ) -> CashMoved:
        """The opening float, a paid-in or a paid-out, with its reason; then the drawer opens."""
        if kind == "float":
            moved = cash.opening_float(self.auth, manager, self.journal, amount, reason=reason)
        elif kind == "paid_in":
            moved = cash.paid_in(self.auth, manager, self.journal, amount, reason)
        else:
            moved = cash.paid_out(self.auth, manager, self.journal, amount, reason)
        return replace(moved, drawer_problem=await self._kick(manager, kind))

    # --- refunds by line ------------------------------------------------------------------------

    def refund_basis(self, manager: Session, receipt: str) -> RefundBasis:
        """The paid sale of ``receipt`` (number or scanned code), net of earlier refunds."""
        self.auth.require_manager(manager)
        return self._line_refunds(_NO_PARTNER).basis(receipt)

    def refund_plan(
        self, manager: Session, receipt: str, requests: Sequence[LineRequest]
    ) -> RefundPlan:
        """What would go back and through which tender; nothing is journaled."""
        self.auth.require_manager(manager)
        return self._line_refunds(_NO_PARTNER).plan(receipt, requests)[1]

    async def refund(
        self, manager: Session, receipt: str, requests: Sequence[LineRequest], reason: str
    ) -> Refunded:
        """The same path as ``pos refund``: slip journaled first, Netgíró once, cash from the drawer."""
        async with self._partner() as partner:
            slip = await self._line_refunds(partner).refund(manager, receipt, requests, reason)
        cash_out = cash_paid_out(slip)
        return Refunded(slip, cash_out, await self._kick(manager, "refund") if cash_out else "")

    def unknown_refunds(self) -> list[RefundRecord]:
        """Netgíró refunds whose answer was lost (REFUND_UNKNOWN): a manager records the portal."""
        if not has_refunds(self.journal):
            return []
        return refunds_db.refunds(self.journal, status="REFUND_UNKNOWN")

    def settle_refund(
        self, manager: Session, refund_id: int, outcome: SettledStatus, portal_shows: str
    ) -> RefundRecord:
        """What Netgíró's portal shows for an unknown refund (``pos refund settle``'s path)."""
        self.auth.require_manager(manager)
        return refunds_db.settle_refund(
            self.journal, refund_id, outcome, manager.actor, portal_shows, at=self.auth.clock()
        )

    def recover_refunds(self) -> list[RefundRecord]:
        """Refunds a crash left REQUESTED: Netgíró's unknown, cash's not paid (at manager entry,
        never while this till's own refund runs)."""
        if not has_refunds(self.journal):
            return []
        return refunds_db.requested_to_unknown(self.journal, at=self.auth.clock())

    def _line_refunds(self, partner: PartnerClient | ConfigError) -> LineRefunds:
        return LineRefunds(self.journal, partner, self.auth)

    @asynccontextmanager
    async def _partner(self) -> AsyncIterator[PartnerClient | ConfigError]:
        """The Partner API client for one refund, or why there is none (cash needs none)."""
        till = self.session.till
        settings = till.settings
        base = till.sandbox.base_url if till.sandbox else settings.netgiro.base_url
        try:
            url = partner_base_url(base, settings.netgiro.partner_base_url)
        except ConfigError as missing:
            yield missing
            return
        timing = settings.timing
        timeouts = Timeouts(connect=timing.connect_timeout_s, read=timing.read_timeout_s)
        async with PartnerClient(url, settings.netgiro.secret_key, timeouts=timeouts) as client:
            yield client

    async def _kick(self, manager: Session, why: str) -> str:
        """Open the drawer after the money is journaled: off the event loop (a printer may hang
        until its timeout), audited as every kick is; what went wrong ("" when it opened)."""
        drawer = self.session.drawer
        if isinstance(drawer, NoDrawer):
            return ""  # none wired: nothing was kicked
        opened, message = await asyncio.to_thread(kick_outcome, drawer, why)
        audit_kick(self.journal, opened, message, actor=manager.actor, why=why, sale_id=None)
        return "" if opened else message

    # --- X and Z --------------------------------------------------------------------------------

    def x_report(self, manager: Session) -> dict[str, Any]:
        """Running totals since the last Z (reads only)."""
        self.auth.require_manager(manager)
        return reports.x_report(self.journal, register_id=self._register_id, at=self.auth.clock())

    def print_x(self, manager: Session, snapshot: dict[str, Any]) -> int:
        self.auth.require_manager(manager)
        job_id = reports.print_x(self.journal, snapshot)
        self.auth.record(manager, X_PRINTED, {"job_id": job_id})
        return job_id

    def reprint_z(self, manager: Session, number: int) -> int:
        """An AFRIT of closed Z ``number`` (audited ``z.reprinted``); the job's id."""
        return reports.reprint_z(self.auth, manager, self.journal, number)

    def z_blockers(self) -> Blockers:
        """What stops a Z; the sale on the counter (not journaled yet) stops it too."""
        if not self.session.view.sale.is_empty or self.session.payment_live:
            raise CounterNotEmpty(
                "A sale is on the counter: finish or park it first (a parked sale may be "
                "voided at Z)."
            )
        return reports.z_blockers(self.journal)

    def close_z(self, manager: Session, counted: int, *, void_open: bool) -> reports.ZClosed:
        """Close the period with the blind count (audited ``z.closed``); the Z is queued to print."""
        self.z_blockers()
        return reports.close_z(
            self.auth,
            manager,
            self.journal,
            counted=counted,
            backup_dir=self.backup_dir,
            register_id=self._register_id,
            void_open=void_open,
        )

    @property
    def _register_id(self) -> str:
        return self.session.till.settings.register.register_id
