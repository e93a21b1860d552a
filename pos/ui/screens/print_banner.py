"""The print banner: a failed or uncertain print job, offered to the cashier one at a time.

Non-modal (payment-safety.md, Printer): the next sale goes on beneath it. A failed job offers
retry, later, dismiss; a job a crash left ``uncertain`` offers an AFRIT in its place (not the
cashier's free copy), later, dismiss. "Later" only hides it until the till next opens; dismiss
is journaled and audited (the sale screen asks the services). The widget keeps the list and
the words; it does no work of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.widgets import Static

from pos.journal.print_jobs import QueuedJob
from pos.services.printing import fault_of
from pos.ui.text import Messages


class PrintBanner(Static):
    """The oldest job waiting for a person's decision, and how many more wait behind it."""

    DEFAULT_CSS = "PrintBanner { height: auto; background: $warning 25%; padding: 0 1; }"

    def __init__(self, messages: Messages) -> None:
        super().__init__("", id="print-banner", markup=False)  # reasons hold [Errno …]
        self._say = messages
        self.offers: list[QueuedJob] = []
        self.display = False

    @property
    def current(self) -> QueuedJob | None:
        return self.offers[0] if self.offers else None

    def offer(self, jobs: Iterable[QueuedJob], keys: Mapping[str, str]) -> None:
        """Add jobs not offered yet (a job offered again replaces its older state)."""
        for job in jobs:
            known = [n for n, offered in enumerate(self.offers) if offered.id == job.id]
            if known:
                self.offers[known[0]] = job
            else:
                self.offers.append(job)
        self.show(keys)

    def drop(self, job_id: int, keys: Mapping[str, str]) -> None:
        self.offers = [job for job in self.offers if job.id != job_id]
        self.show(keys)

    def show(self, keys: Mapping[str, str]) -> None:
        job = self.current
        self.display = job is not None
        if job is None:
            self.update("")
            return
        kind = "uncertain" if job.status == "uncertain" else "failed"
        reason = self.reason(job.reason)
        text = self._say(f"devices.banner_{kind}", what=self.what(job), reason=reason, **keys)
        if len(self.offers) > 1:
            text += " " + self._say("devices.banner_more", count=len(self.offers) - 1)
        self.update(text)

    def reason(self, journaled: str) -> str:
        """Why it failed, in the screen's words; the journal and pos.log keep the details."""
        fault, partly = fault_of(journaled)
        said = self._say(f"devices.fault.{fault}")
        return said + (self._say("devices.fault.partly") if partly else "")

    def what(self, job: QueuedJob) -> str:
        """The job in words: "Kvittun 12", "Skýrsla 7", "Kvittun sölu 3"."""
        snapshot = job.snapshot
        document = snapshot.get("document")
        if document in ("report", "refund_slip"):
            return self._say(f"devices.document_{document}", number=snapshot.get("number", "-"))
        if document is not None:
            return self._say("devices.document_other", job=job.id)
        number = snapshot.get("receipt_no")
        if isinstance(number, int):
            return self._say("devices.receipt", number=number)
        return self._say("devices.sale_receipt", sale=job.sale_id if job.sale_id else "-")
