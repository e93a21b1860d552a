"""The cashier's one free reprint: the last receipt, once, within 10 minutes, as AFRIT.

TILL-CONTRACTS "People": every other reprint needs a manager (manager mode), so it is refused
here with ReprintNeedsManager; reprinting an ``uncertain`` job from the banner is not this one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos.core.errors import PosError
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.services.printing import PrintEvent, PrintQueue

FREE_REPRINT_WINDOW = timedelta(minutes=10)


class NoReceiptYet(PosError):
    title = "Nothing to reprint"


class ReprintNeedsManager(PosError):
    title = "Needs a manager"


def free_reprint(journal: Journal, queue: PrintQueue, now: datetime) -> PrintEvent:
    """Print an AFRIT of the newest receipt if the cashier's free reprint of it is unused."""
    receipts = [job for job in jobs_db.jobs(journal) if job.kind == "receipt"]
    if not receipts:
        raise NoReceiptYet("No receipt has been printed yet: there is nothing to reprint.")
    last = receipts[-1]
    copies = [job for job in jobs_db.jobs_for_sale(journal, last.sale) if job.kind == "copy"]
    age = now - datetime.fromisoformat(last.created_at)
    if copies or age > FREE_REPRINT_WINDOW:
        raise ReprintNeedsManager(
            f"The free copy of sale {last.sale_id}'s receipt is used or older than 10 minutes: "
            "a manager must reprint it (manager mode)."
        )
    return queue.reprint(last.id)
