"""Found reservations (RESERVED_UNCHARGED): listed, and confirmed or released by a manager.

The decision is pure (``pos.core.reservations``); this runs the one Netgíró call it needs,
journals the state it gives through ``Journal.record`` (PAID commits the sale's status and its
receipt job in one transaction, as any payment does) and audits who did what. A lost answer or
one that cannot be believed changes nothing, and says so.
"""

from __future__ import annotations

from dataclasses import replace

from pos.core.checkout import Phase
from pos.core.errors import InputError
from pos.core.reservations import (
    Decided,
    after_call_failed,
    after_check,
    after_confirm,
    after_release,
    require_reservation,
)
from pos.journal import AttemptRecord, Journal
from pos.netgiro.client import NetgiroClient
from pos.netgiro.errors import NetgiroError
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.status import Unsettled, unsettled_sales

EVENT_OF = {"paid": "manager_confirmed", "released": "manager_released"}


class NotAReservation(InputError):
    """The reference names no payment in the journal."""


def found_reservations(journal: Journal) -> list[Unsettled]:
    """Every sale whose payment is a reservation Netgíró refused to cancel, oldest first."""
    return [u for u in unsettled_sales(journal) if u.phase is Phase.RESERVED_UNCHARGED]


class Reservations:
    """A manager's decisions on found reservations."""

    def __init__(self, journal: Journal, client: NetgiroClient, auth: ManagerAuth) -> None:
        self.journal = journal
        self.client = client
        self.auth = auth

    async def confirm(self, session: Session, reference: str) -> Decided:
        """ConfirmCart: the customer is charged and the sale is paid (with its receipt)."""
        attempt = self._reservation(session, reference)
        transaction_id = attempt.state.transaction_id or ""
        try:
            answer = await self.client.confirm_cart(transaction_id)
        except NetgiroError as exc:
            decided = after_call_failed(attempt.state, exc.message)
        else:
            decided = after_confirm(attempt.state, answer, session.actor)
        return self._journal(session, attempt, "confirm", decided)

    async def release(self, session: Session, reference: str) -> Decided:
        """CancelCart: the reservation is let go; the sale may be paid another way."""
        attempt = self._reservation(session, reference)
        transaction_id = attempt.state.transaction_id or ""
        try:
            answer = await self.client.cancel_cart(transaction_id)
            decided = after_release(attempt.state, answer, session.actor)
            if decided.outcome == "check":
                answer = await self.client.check_cart(transaction_id)
                decided = after_check(attempt.state, answer, session.actor)
        except NetgiroError as exc:
            decided = after_call_failed(attempt.state, exc.message)
        return self._journal(session, attempt, "release", decided)

    def _reservation(self, session: Session, reference: str) -> AttemptRecord:
        self.auth.require_manager(session)
        attempt = self.journal.attempt_by_reference(reference)
        if attempt is None:
            raise NotAReservation(f"No payment with the reference {reference!r} is in the journal.")
        require_reservation(attempt.state)
        return attempt

    def _journal(
        self, session: Session, attempt: AttemptRecord, decision: str, decided: Decided
    ) -> Decided:
        if decided.outcome in EVENT_OF:
            committed = self.journal.record(
                attempt.id,
                decided.state,
                event=EVENT_OF[decided.outcome],
                point=f"journal.reservation_{decided.outcome}",
            )
            decided = replace(decided, state=committed)  # a double charge comes back NEEDS_REVIEW
        self.auth.record(
            session,
            f"reservation.{decision}",
            {
                "reference": attempt.reference,
                "sale_id": attempt.sale_id,
                "amount": attempt.amount,
                "transaction_id": attempt.state.transaction_id,
                "outcome": decided.outcome,
                "note": decided.note,
            },
        )
        return decided
