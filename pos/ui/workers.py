"""The workers: the only place the till screen awaits the network, the journal or a device.

Each takes the session and a target to post to; none touches a widget. Errors a person can
act on come back as WorkFailed; anything else is a bug and is logged, never a crashed till.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from textual.message import Message
from textual.message_pump import MessagePump

from pos.core.customer_ids import CustomerId
from pos.core.errors import PosError
from pos.journal import print_jobs
from pos.journal.print_jobs import QueuedJob
from pos.services.printing import JobFailed, PrintEvent, PrintQueue, print_pending_in_this_thread
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
    """A print run ended: what printed or failed, the jobs to offer a person (failed, or left
    uncertain by a crash), what waits, and what the run was for (``note``: a catalog key)."""

    def __init__(
        self, events: list[PrintEvent], offers: list[QueuedJob], waiting: int, note: str = ""
    ) -> None:
        super().__init__()
        self.events = events
        self.offers = offers
        self.waiting = waiting
        self.note = note


async def print_receipts(
    target: MessagePump,
    queue: PrintQueue,
    *,
    opening: bool = False,
    prepare: Callable[[], object] | None = None,
    note: str = "",
) -> None:
    """Print what the journal has queued (after a paid sale, at start, or after ``prepare``
    queued a copy or put a failed job back).

    ``prepare`` writes the journal on this (the UI) thread; the printing itself runs in a thread
    with its own journal connection, so a printer hanging until its timeout never freezes the
    screen. The sale never waits for it (it is paid).
    """
    journal = queue.journal
    try:
        offers: list[QueuedJob] = []
        if opening:
            queue.start()  # jobs a crash left sending become uncertain
            offers = sorted(
                print_jobs.jobs(journal, "uncertain") + print_jobs.jobs(journal, "failed"),
                key=lambda job: job.id,
            )
        if prepare is not None:
            prepare()
        events = await asyncio.to_thread(
            print_pending_in_this_thread, journal.path, queue.printer, queue.fmt
        )
        # A run that found its job taken by another run reports it still "queued": not ours.
        offers += [e.job for e in events if isinstance(e, JobFailed) and e.job.status == "failed"]
        waiting = len(print_jobs.jobs(journal, "queued")) + len(print_jobs.jobs(journal, "failed"))
    except PosError as exc:
        target.post_message(WorkFailed(exc))
        return
    target.post_message(PrintsDone(events, offers, waiting, note))
