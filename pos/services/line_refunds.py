"""Refunds by line and quantity of a paid sale found by its receipt: cash from the drawer,
Netgíró back to Netgíró, VAT by rate, one slip printed.

The plan (``pos.core.refund_plan``) splits the money between the sale's tenders, cash first;
the journal (``pos.journal.refund_slips``) records it before anything is sent or paid out and
its triggers refuse more per tender or per line than was taken or sold. Each Netgíró part is
sent once (``send_once``: never resent; a lost answer is REFUND_UNKNOWN for a manager). A
Netgíró part that FAILED stops the parts after it and holds the cash back: nothing half-done
that the till could have avoided. The cash is handed over after the final commit: the caller
opens the drawer when ``SlipRecord`` has a DONE cash row (``cash_paid_out``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from pos.core.errors import ConfigError
from pos.core.refund_plan import RefundPlan, parse_receipt_ref, plan_refund
from pos.core.refund_rules import checked_reason
from pos.journal import Journal
from pos.journal.refund_slips import (
    RefundBasis,
    SlipRecord,
    find_paid_sale,
    finish_slip,
    record_slip,
    refund_basis,
)
from pos.journal.refunds import FinishedStatus
from pos.netgiro.partner import PartnerClient
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.refunds import send_once

NOT_SENT_AFTER_FAILURE = "Not sent: an earlier Netgíró part of this refund failed."

LineRequest = tuple[int, int | None]
"""A line number (from 1, as on the receipt) and thousandths, or None for all that is left."""


def cash_paid_out(record: SlipRecord) -> int:
    """Krónur to hand over from the drawer for this slip."""
    return sum(r.amount for r in record.refunds if r.tender == "cash" and r.status == "DONE")


class LineRefunds:
    """A manager's refunds by line, of sales paid in cash, Netgíró or both."""

    def __init__(
        self, journal: Journal, partner: PartnerClient | ConfigError, auth: ManagerAuth
    ) -> None:
        """``partner`` is the Partner API client, or why there is none (a cash-only register)."""
        self.journal = journal
        self.partner = partner
        self.auth = auth

    def basis(self, receipt: str) -> RefundBasis:
        """The sale of ``receipt`` (its number or scanned code), net of earlier refunds."""
        sale_id = find_paid_sale(self.journal, parse_receipt_ref(receipt))
        return refund_basis(self.journal, sale_id)

    def plan(self, receipt: str, requests: Sequence[LineRequest]) -> tuple[RefundBasis, RefundPlan]:
        """What would go back, and through which tender (nothing is journaled)."""
        basis = self.basis(receipt)
        left = {line.line_no: line.left_milli for line in basis.lines}
        wanted: dict[int, int] = {}
        for line_no, quantity in requests:
            amount = left.get(line_no, 0) if quantity is None else quantity
            wanted[line_no] = wanted.get(line_no, 0) + amount
        return basis, plan_refund(basis.lines, wanted, basis.tenders)

    async def refund(
        self, session: Session, receipt: str, requests: Sequence[LineRequest], reason: str
    ) -> SlipRecord:
        """Journal the slip, send each Netgíró part once, and journal how it all ended."""
        self.auth.require_manager(session)
        reason = checked_reason(reason)
        basis, plan = self.plan(receipt, requests)
        partner = self._partner_for(plan)
        record = record_slip(
            self.journal,
            basis,
            plan,
            manager=session.actor,
            reason=reason,
            keys=[str(uuid.uuid4()) for _ in plan.parts],
            at=self.auth.clock(),
        )
        outcomes: dict[int, tuple[FinishedStatus, str]] = {}
        for row in record.refunds:
            if row.tender != "netgiro":
                continue
            failed_before = any(status == "FAILED" for status, _ in outcomes.values())
            if failed_before or partner is None:
                outcomes[row.id] = ("FAILED", NOT_SENT_AFTER_FAILURE)
            else:
                outcomes[row.id] = await send_once(partner, row)
        return finish_slip(self.journal, record.id, outcomes, at=self.auth.clock())

    def _partner_for(self, plan: RefundPlan) -> PartnerClient | None:
        if isinstance(self.partner, PartnerClient):
            return self.partner
        if any(part.attempt_id is not None for part in plan.parts):
            raise self.partner
        return None
