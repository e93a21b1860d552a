"""``pos refund send|settle|list``, ``pos reservation confirm|release``, ``pos manager unlock``:
manager actions from the shell.

Each needs the register lock (the till closed) and a manager's name and PIN, checked and
audited exactly as in manager mode; in the till these are manager-mode (F9) actions on the same
services. ``list`` reads the journal read-only and works beside the open till.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pos.config import Settings
from pos.core.errors import ConfigError
from pos.core.reservations import Decided
from pos.journal import Journal
from pos.journal.refund_slips import SlipRecord
from pos.journal.refunds import (
    RefundRecord,
    SettledStatus,
    has_refunds,
    refunds,
    requested_to_unknown,
)
from pos.netgiro.client import Timeouts
from pos.netgiro.partner import PartnerClient
from pos.people import PeopleFile
from pos.services.line_refunds import LineRefunds, LineRequest
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.people_commands import said_as_till_open
from pos.services.receipts import configured_printer, print_queued_receipts, receipt_format
from pos.services.refunds import NetgiroRefunds, partner_base_url
from pos.services.reservations import Reservations
from pos.services.wiring import open_till

EXIT_DONE, EXIT_FAILED, EXIT_UNKNOWN = 0, 1, 2
EXIT_OF_STATUS = {"DONE": EXIT_DONE, "FAILED": EXIT_FAILED, "REFUND_UNKNOWN": EXIT_UNKNOWN}


def slip_exit_code(record: SlipRecord) -> int:
    """0 all done, 2 a Netgíró part unknown (a manager checks the portal), 1 nothing went back."""
    statuses = {r.status for r in record.refunds}
    if "REFUND_UNKNOWN" in statuses:
        return EXIT_UNKNOWN
    return EXIT_DONE if statuses == {"DONE"} else EXIT_FAILED


@dataclass
class ManagerAtShell:
    """A manager signed in at the shell, with the refund services of this register."""

    auth: ManagerAuth
    session: Session
    partner: PartnerClient | ConfigError
    line_refunds: LineRefunds
    reservations: Reservations
    recovered: list[RefundRecord]

    @property
    def refunds(self) -> NetgiroRefunds:
        """Refunds by amount (a double charge): they need the Partner API."""
        if isinstance(self.partner, ConfigError):
            raise self.partner
        return NetgiroRefunds(self.line_refunds.journal, self.partner, self.auth)


@asynccontextmanager
async def _partner(
    settings: Settings, base: str | None
) -> AsyncIterator[PartnerClient | ConfigError]:
    """The Partner API client, or why there is none (a cash-only register needs none)."""
    try:
        url = partner_base_url(base, settings.netgiro.partner_base_url)
    except ConfigError as missing:
        yield missing
        return
    timing = settings.timing
    async with PartnerClient(
        url,
        settings.netgiro.secret_key,
        timeouts=Timeouts(connect=timing.connect_timeout_s, read=timing.read_timeout_s),
    ) as client:
        yield client


@asynccontextmanager
async def manager_at_shell(
    settings: Settings, name: str, ask: Callable[[str], str]
) -> AsyncIterator[ManagerAtShell]:
    """Lock the register, open its parts, and sign the manager in (wrong PINs are audited)."""
    with said_as_till_open(settings.data_dir):
        async with open_till(settings) as till:
            base = till.sandbox.base_url if till.sandbox else settings.netgiro.base_url
            async with _partner(settings, base) as partner:
                auth = ManagerAuth(PeopleFile(settings.people_file), till.journal)
                recovered = requested_to_unknown(till.journal, at=auth.clock())
                session = auth.enter_manager_mode(name, ask(f"{name}'s PIN: "))
                try:
                    reservations = Reservations(till.journal, till.client, auth)
                    line_refunds = LineRefunds(till.journal, partner, auth)
                    yield ManagerAtShell(
                        auth, session, partner, line_refunds, reservations, recovered
                    )
                finally:
                    auth.leave(session)


async def send_refund(
    settings: Settings,
    name: str,
    ask: Callable[[str], str],
    sale_id: int,
    amount: int,
    reason: str,
    reference: str | None = None,
) -> RefundRecord:
    async with manager_at_shell(settings, name, ask) as shell:
        return await shell.refunds.refund(
            shell.session, sale_id, amount, reason, reference=reference
        )


async def send_line_refund(
    settings: Settings,
    name: str,
    ask: Callable[[str], str],
    receipt: str,
    lines: Sequence[LineRequest],
    reason: str,
    announce: Callable[[str], None],
) -> SlipRecord:
    """``pos refund send --receipt N|CODE --line LINE[:QTY] …``: cash and Netgíró, by line.

    The slip prints at once on the register's printer (the command holds the register lock).
    """
    async with manager_at_shell(settings, name, ask) as shell:
        record = await shell.line_refunds.refund(shell.session, receipt, lines, reason)
        if record.paid_back:
            printer = configured_printer(settings)
            print_queued_receipts(
                shell.line_refunds.journal, printer, receipt_format(settings), announce=announce
            )
        return record


async def settle_refund(
    settings: Settings,
    name: str,
    ask: Callable[[str], str],
    refund_id: int,
    outcome: SettledStatus,
    portal_shows: str,
) -> RefundRecord:
    async with manager_at_shell(settings, name, ask) as shell:
        return shell.refunds.settle(shell.session, refund_id, outcome, portal_shows)


async def unlock_person(
    settings: Settings, name: str, ask: Callable[[str], str], locked: str
) -> None:
    async with manager_at_shell(settings, name, ask) as shell:
        shell.auth.unlock(shell.session, locked)


async def decide_reservation(
    settings: Settings, name: str, ask: Callable[[str], str], reference: str, decision: str
) -> Decided:
    """``pos reservation confirm|release REF``: a found reservation, decided by a manager."""
    async with manager_at_shell(settings, name, ask) as shell:
        if decision == "confirm":
            return await shell.reservations.confirm(shell.session, reference)
        return await shell.reservations.release(shell.session, reference)


def list_refunds(settings: Settings) -> list[RefundRecord]:
    """Every refund, read-only (beside the open till); none on a journal without refunds yet."""
    if not settings.journal_file.exists():
        return []
    with Journal(settings.journal_file, read_only=True) as journal:
        return refunds(journal) if has_refunds(journal) else []
