"""The workers: the only place the till screen awaits the network, the journal or a device.

Each takes the session and a target to post to; none touches a widget. Errors a person can
act on come back as WorkFailed; anything else is a bug and is logged, never a crashed till.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from textual.message import Message
from textual.message_pump import MessagePump

from pos.core.customer_ids import CustomerId
from pos.core.errors import PosError
from pos.journal import print_jobs
from pos.journal.print_jobs import QueuedJob
from pos.services.printing import (
    JobFailed,
    PrintEvent,
    PrintQueue,
    print_pending_in_this_thread,
)
from pos.services.reprint import free_reprint
from pos.services.till_session import TillSession
from pos.services.till_views import NetgiroResult
from pos.ui.messages import StartupFinished, WorkFailed

log = logging.getLogger(__name__)


class PaymentEnded(Message):
    """The Netgíró attempt ended (or was left to recovery): its result."""

    def __init__(self, result: NetgiroResult) -> None:
        super().__init__()
        self.result = result


async def pay_netgiro(target: MessagePump, session: TillSession, customer: CustomerId) -> None:
    try:
        result = await session.pay_netgiro(customer)
    except PosError as exc:
        target.post_message(WorkFailed(exc))
        return
    target.post_message(PaymentEnded(result))


async def start_till(target: MessagePump, session: TillSession) -> None:
    try:
        report = await session.start()
    except PosError as exc:
        target.post_message(WorkFailed(exc))
        return
    target.post_message(StartupFinished(report))


async def periodic_recovery(session: TillSession) -> None:
    """Runs all day; the session skips a round while a checkout is in flight."""
    await session.periodic_recovery()


async def recover_now(target: MessagePump, session: TillSession) -> None:
    try:
        await session.recover_now()
    except PosError as exc:
        target.post_message(WorkFailed(exc))


class PrintsDone(Message):
    """A print run ended: what printed or failed, jobs a crash left uncertain, and what waits."""

    def __init__(self, events: list[PrintEvent], uncertain: list[QueuedJob], waiting: int) -> None:
        super().__init__()
        self.events = events
        self.uncertain = uncertain
        self.waiting = waiting


async def reprint_last(target: MessagePump, queue: PrintQueue, now: datetime) -> None:
    """F8: the cashier's one free copy (AFRIT) of the last receipt."""
    try:
        event = free_reprint(queue.journal, queue, now)
        waiting = len(print_jobs.jobs(queue.journal, "queued"))
        waiting += len(print_jobs.jobs(queue.journal, "failed"))
    except PosError as exc:
        target.post_message(WorkFailed(exc))
        return
    target.post_message(PrintsDone([event], [], waiting))


async def print_receipts(
    target: MessagePump, queue: PrintQueue, *, opening: bool = False, retry: int | None = None
) -> None:
    """Print what the journal has queued (after a paid sale, at start, or one job again).

    The printer's own timeouts bound each job; the sale never waits for it (it is paid).
    """
    try:
        uncertain = queue.start() if opening else []
        events = [queue.retry(retry)] if retry is not None else []
        if not any(isinstance(event, JobFailed) for event in events):
            # In a thread with its own journal connection: a printer that hangs until its
            # timeout never freezes the screen.
            events += await asyncio.to_thread(
                print_pending_in_this_thread, queue.journal.path, queue.printer, queue.fmt
            )
        waiting = len(print_jobs.jobs(queue.journal, "queued"))
        waiting += len(print_jobs.jobs(queue.journal, "failed"))
    except PosError as exc:
        target.post_message(WorkFailed(exc))
        return
    target.post_message(PrintsDone(events, uncertain, waiting))
