"""Netgíró refunds, sent once: journaled with an idempotency key before the call, never resent.

v1 of Netgíró's Partner API promises nothing for a repeated idempotency key, and
``GET transaction/{id}`` cannot tell whether a partial refund went through. So a refund whose
answer is lost becomes REFUND_UNKNOWN and stays so until a manager records what Netgíró's
portal shows; the till never sends it again by itself. A refund that provably never left
(NotSent) is FAILED, and the manager may start a new one (a new key).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from pos.core.addresses import is_loopback
from pos.core.errors import ConfigError
from pos.core.refund_rules import check_amount, checked_reason
from pos.journal import Journal
from pos.journal.refunds import (
    FinishedStatus,
    RefundRecord,
    RefundRefused,
    SettledStatus,
    finish_refund,
    netgiro_payment,
    request_refund,
    requested_to_unknown,
    settle_refund,
)
from pos.netgiro.errors import AnswerSaysNo, NotSent, OutcomeUnknown, Refused
from pos.netgiro.partner import PartnerClient, RefundRequest, TransactionInfo
from pos.services.manager_auth import ManagerAuth, Session

UNKNOWN_NOTE = (
    " It is REFUND_UNKNOWN: check the refund in Netgíró's portal and record what it shows. "
    "It is never sent again by itself."
)


def partner_base_url(netgiro_base_url: str | None, configured: str | None) -> str:
    """Where refunds go: the configured Partner API, else the sandbox's beside its /v1/."""
    if configured:
        return configured
    if netgiro_base_url and is_loopback(urlsplit(netgiro_base_url).hostname or ""):
        root = netgiro_base_url.rstrip("/").removesuffix("/v1")
        return f"{root}/partner/"
    raise ConfigError(
        "Refunds go through Netgíró's Partner API, and netgiro.partner_base_url is not set. "
        "Set it (test: https://partner-api.test.netgiro.is/, production: "
        "https://api.netgiro.is/partner/) with `pos config set netgiro.partner_base_url URL`."
    )


def sent_to(record: RefundRecord) -> str:
    """The TransactionId a Netgíró refund goes to (the schema gives every Netgíró row one)."""
    if record.tender != "netgiro" or record.transaction_id is None:
        raise RefundRefused(f"Refund {record.id} is a {record.tender} refund: nothing to send.")
    return record.transaction_id


async def send_once(partner: PartnerClient, record: RefundRecord) -> tuple[FinishedStatus, str]:
    """Send one journaled Netgíró refund, once; what came back as its final status and note."""
    request = RefundRequest(sent_to(record), record.amount, record.idempotency_key, record.reason)
    try:
        await partner.refund(request)
    except NotSent as exc:
        return "FAILED", f"{exc.message} You may refund again."
    except (Refused, AnswerSaysNo) as exc:
        return "FAILED", exc.message
    except OutcomeUnknown as exc:
        return "REFUND_UNKNOWN", exc.message + UNKNOWN_NOTE
    return "DONE", "Netgíró took the refund (HTTP 200)."


class NetgiroRefunds:
    """Refunds of Netgíró payments, each by a manager in manager mode."""

    def __init__(self, journal: Journal, partner: PartnerClient, auth: ManagerAuth) -> None:
        self.journal = journal
        self.partner = partner
        self.auth = auth

    def left_to_refund(self, sale_id: int, reference: str | None = None) -> int:
        return netgiro_payment(self.journal, sale_id, reference).left

    async def refund(
        self,
        session: Session,
        sale_id: int,
        amount: int,
        reason: str,
        *,
        reference: str | None = None,
    ) -> RefundRecord:
        """Journal, send once, and journal what came back: DONE, FAILED or REFUND_UNKNOWN.

        ``reference`` names the payment when it is not the sale's paid one: a double charge.
        """
        self.auth.require_manager(session)
        check_amount(amount)
        reason = checked_reason(reason)
        key = str(uuid.uuid4())
        record = request_refund(
            self.journal,
            sale_id=sale_id,
            amount=amount,
            reason=reason,
            manager=session.actor,
            idempotency_key=key,
            at=self.auth.clock(),
            reference=reference,
        )
        status, note = await send_once(self.partner, record)
        return self._finish(record, status, note)

    def _finish(self, record: RefundRecord, status: FinishedStatus, note: str) -> RefundRecord:
        return finish_refund(self.journal, record.id, status, note, at=self.auth.clock())

    def settle(
        self, session: Session, refund_id: int, outcome: SettledStatus, portal_shows: str
    ) -> RefundRecord:
        """A manager records what Netgíró's portal shows for a REFUND_UNKNOWN refund."""
        self.auth.require_manager(session)
        return settle_refund(
            self.journal, refund_id, outcome, session.actor, portal_shows, at=self.auth.clock()
        )

    async def look_up(self, session: Session, transaction_id: str) -> TransactionInfo:
        """Netgíró's view of the payment (it cannot say how much of it was refunded)."""
        self.auth.require_manager(session)
        return await self.partner.transaction(transaction_id)

    def recover(self) -> list[RefundRecord]:
        """At start: a refund left REQUESTED by a crash may have been sent: REFUND_UNKNOWN."""
        return requested_to_unknown(self.journal, at=self.auth.clock())
