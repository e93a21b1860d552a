"""Reprints and dismissals a cashier makes at the till, each audited with its copy.

TILL-CONTRACTS "People": the cashier's one free reprint is the last receipt, once, within 10
minutes, as AFRIT; every other reprint needs a manager (manager mode), so it is refused here
with ReprintNeedsManager. Reprinting an ``uncertain`` job from the banner is not that one: it
stands for the original the crash may have cut off. Dismissing a failed or uncertain job is a
cashier's decision: journaled and audited, and the receipt stays reprintable. Each function
only queues (and audits) in the journal: the print queue prints the copy off the UI thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos.core.errors import PosError
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.journal.print_jobs import QueuedJob

FREE_REPRINT_WINDOW = timedelta(minutes=10)


class NoReceiptYet(PosError):
    title = "Nothing to reprint"


class ReprintNeedsManager(PosError):
    title = "Needs a manager"


def free_reprint(journal: Journal, now: datetime, *, actor: str) -> QueuedJob:
    """Queue an AFRIT of the newest receipt if the cashier's free reprint of it is unused."""
    receipts = [job for job in jobs_db.jobs(journal) if job.kind == "receipt"]
    if not receipts:
        raise NoReceiptYet("No receipt has been printed yet: there is nothing to reprint.")
    last = receipts[-1]
    copies = {j.id for j in jobs_db.jobs_for_sale(journal, last.sale) if j.kind == "copy"}
    for_uncertain = {
        row.get("job") for row in jobs_db.reprints(journal, last.sale) if row["why"] == "uncertain"
    }
    age = now - datetime.fromisoformat(last.created_at)
    if copies - for_uncertain or age > FREE_REPRINT_WINDOW:
        raise ReprintNeedsManager(
            f"The free copy of sale {last.sale}'s receipt is used or older than 10 minutes: "
            "a manager must reprint it (manager mode)."
        )
    return jobs_db.add_audited_copy(journal, last.id, actor=actor, why="free")


def reprint_uncertain(journal: Journal, job_id: int, *, actor: str) -> QueuedJob:
    """The banner's "print AFRIT?" for a job a crash cut off: a copy in its place, audited."""
    return jobs_db.add_audited_copy(journal, job_id, actor=actor, why="uncertain")


def dismiss_job(journal: Journal, job_id: int, *, actor: str) -> QueuedJob:
    """The banner's "dismiss": the job will not print; still reprintable; audited."""
    return jobs_db.dismiss(journal, job_id, actor=actor)


def retry_job(journal: Journal, job_id: int) -> None:
    """The banner's "retry" for a failed job: queued again (the queue prints it once)."""
    jobs_db.requeue(journal, job_id)
