"""The print queue: journaled jobs to the printer, at most once, never in the sale's way.

Rules kept: a job is rendered to bytes first (from its journaled snapshot only), then claimed
(``sending`` committed), then sent, then marked ``printed`` or ``failed(reason)``; a fault
never touches the sale, which is already PAID. A job a crash left ``sending`` becomes
``uncertain`` when the queue starts and is offered for a reprint as AFRIT, never resent by
itself; a failed job waits for a person (Retry, Print later, Reprint). Each outcome is handed
to ``on_event`` as ``JobPrinted`` or ``JobFailed``: plain dataclasses, no UI here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from pos.core.errors import PosError
from pos.core.receipt import StoreHeader, receipt_from_snapshot
from pos.core.receipt_layout import Block, Templates, layout_receipt, text_lines
from pos.core.refund_slip import layout_refund_slip
from pos.core.report_layout import layout_report
from pos.crashpoints import crash_point
from pos.devices.escpos_render import PrinterProfile, render_escpos
from pos.devices.protocols import Printer, PrintJobBytes
from pos.devices.status import FAULT_WORDS, PrinterFault
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.journal.print_jobs import QueuedJob

log = logging.getLogger("pos.printing")

RECEIPT_ZONE = "Atlantic/Reykjavik"
HEADER_FILE, FOOTER_FILE = "header.txt", "footer.txt"
PAPER_DOTS = {32: 384, 42: 384, 48: 576}
"""Printable dots across: 58 mm paper (32 columns in font A, 42 in font B), 80 mm (48)."""
SMALL_FONT_WIDTH = 42
TAKEN = "it is no longer queued (another run has it)"


MAYBE_PRINTED = " (it may have printed in part)"
"""The end of a failed job's reason once bytes may have left: a reprint may print it twice."""


def fault_of(reason: str) -> tuple[str, bool]:
    """The fault a failed job's journaled (English) reason names — a ``FAULT_WORDS`` kind,
    "render" or "other" — and whether it may have printed in part: for a screen's own words."""
    partly = reason.endswith(MAYBE_PRINTED)
    for kind, words in FAULT_WORDS.items():
        if reason.startswith(f"{words}:"):
            return kind, partly
    if reason.startswith("cannot be rendered"):
        return "render", partly
    return "other", partly


@dataclass(frozen=True)
class JobPrinted:
    job: QueuedJob


@dataclass(frozen=True)
class JobFailed:
    job: QueuedJob
    reason: str


PrintEvent = JobPrinted | JobFailed


@dataclass(frozen=True)
class ReceiptFormat:
    """How receipts look on this register: width, templates, printer profile, store header."""

    width: int = 48
    templates: Templates = field(default_factory=Templates)
    profile: PrinterProfile = field(default_factory=PrinterProfile)
    store: StoreHeader | None = None
    zone: str = RECEIPT_ZONE

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.zone)


def read_templates(folder: Path) -> Templates:
    """``header.txt`` and ``footer.txt`` from the templates folder; the built-in ones where absent."""
    default = Templates()
    return Templates(
        header=_read_text(folder / HEADER_FILE, default.header),
        footer=_read_text(folder / FOOTER_FILE, default.footer),
    )


def _read_text(path: Path, default: str) -> str:
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except FileNotFoundError:
        return default
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("receipt template %s unreadable (%s); using the built-in one", path, exc)
        return default


class DocumentLayout(Protocol):
    """A pure layout of one document kind from its journaled snapshot (pos/core)."""

    def __call__(
        self, snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int
    ) -> list[Block]: ...


DOCUMENT_LAYOUTS: dict[str, DocumentLayout] = {}
"""Job documents other than receipts, by ``snapshot["document"]`` (refund_slip, report)."""
DOCUMENT_LAYOUTS["report"] = layout_report

DOCUMENT_LAYOUTS["refund_slip"] = layout_refund_slip


def receipt_blocks(job: QueuedJob, fmt: ReceiptFormat) -> list[Block]:
    document = job.snapshot.get("document")
    if document is not None:
        layout = DOCUMENT_LAYOUTS.get(str(document))
        if layout is None:
            raise PosError(
                f"No layout for a {document!r} document: this till cannot print it.", "Printer"
            )
        return layout(job.snapshot, width=fmt.width, tz=fmt.tz, copy_no=job.copy_no)
    receipt = receipt_from_snapshot(job.snapshot, store=fmt.store)
    return layout_receipt(
        receipt, width=fmt.width, tz=fmt.tz, templates=fmt.templates, copy_no=job.copy_no
    )


def render_job(job: QueuedJob, fmt: ReceiptFormat) -> PrintJobBytes:
    """A job's bytes and text, from its snapshot alone: a reprint is the same bytes plus AFRIT."""
    blocks = receipt_blocks(job, fmt)
    text = "\n".join(text_lines(blocks)) + "\n"
    data = render_escpos(
        blocks,
        fmt.profile,
        paper_dots=PAPER_DOTS[fmt.width],
        small_font=fmt.width == SMALL_FONT_WIDTH,
    )
    return PrintJobBytes(job_file_name(job), data, text)


DOCUMENT_WORDS = {"report": "Report", "refund_slip": "Refund slip"}


def job_label(job: QueuedJob) -> str:
    """A job in words for a headless command's output: "Receipt of sale 7", "Report 3"."""
    document = job.snapshot.get("document")
    if document is None:
        return f"Receipt of sale {job.sale_id}"
    word = DOCUMENT_WORDS.get(str(document), str(document).replace("_", " ").capitalize())
    number = job.snapshot.get("number")
    label = f"{word} {number if number is not None else f'(job {job.id})'}"
    return label if job.copy_no == 0 else f"{label}, AFRIT {job.copy_no}"


def job_file_name(job: QueuedJob) -> str:
    document = job.snapshot.get("document")
    if document is not None:
        number = job.snapshot.get("number")
        base = f"{document}-{number if isinstance(number, int) else job.id:06d}".replace("_", "-")
        return base if job.copy_no == 0 else f"{base}-afrit-{job.copy_no}"
    number = job.snapshot.get("receipt_no")
    base = f"receipt-{number:06d}" if isinstance(number, int) else f"sale-{job.sale_id:06d}"
    return base if job.copy_no == 0 else f"{base}-afrit-{job.copy_no}"


class PrintQueue:
    """Prints the journal's queued jobs on one printer; one queue per register process."""

    def __init__(
        self,
        journal: Journal,
        printer: Printer,
        fmt: ReceiptFormat,
        *,
        on_event: Callable[[PrintEvent], None] = lambda event: None,
    ) -> None:
        self.journal, self.printer, self.fmt, self.on_event = journal, printer, fmt, on_event

    def start(self) -> list[QueuedJob]:
        """Call once when the till opens: crash-cut jobs become uncertain; returns them to offer."""
        jobs_db.require_print_queue(self.journal)
        jobs_db.mark_sending_uncertain(self.journal)
        return jobs_db.jobs(self.journal, "uncertain")

    def has_queued(self) -> bool:
        """Whether a job waits to be printed (one indexed read, for the till's timer)."""
        return jobs_db.has_queued(self.journal)

    def print_pending(self) -> list[PrintEvent]:
        """Print every queued job once, oldest first; a fault stops the rest (they stay queued)."""
        events: list[PrintEvent] = []
        for job in jobs_db.jobs(self.journal, "queued"):
            event = self.print_job(job)
            if isinstance(event, JobFailed) and event.reason == TAKEN:
                continue  # another run (the till's next worker) prints it: not ours to report
            events.append(event)
            if isinstance(event, JobFailed):
                break
        return events

    def print_job(self, job: QueuedJob) -> PrintEvent:
        try:
            rendered = render_job(job, self.fmt)
        except PosError as exc:
            return self._failed(job, f"cannot be rendered: {exc.message}")
        except Exception as exc:  # a library's surprise must never reach the paid sale's path
            log.exception("rendering print job %s failed", job.id)
            return self._failed(job, f"cannot be rendered: {type(exc).__name__}: {exc}")
        if not jobs_db.claim(self.journal, job.id):
            return JobFailed(job, TAKEN)  # not ours
        try:
            self.printer.send(rendered)
        except PrinterFault as exc:
            reason = exc.reason + (MAYBE_PRINTED if exc.maybe_printed else "")
            return self._failed(job, reason)
        except Exception as exc:  # an adapter bug: bytes may have left, so never resend
            log.exception("printer %s failed on job %s", self.printer.name, job.id)
            return self._failed(job, f"{type(exc).__name__}: {exc}{MAYBE_PRINTED}")
        crash_point("print.sent")  # the bytes left; a crash here must not print them again
        jobs_db.mark_printed(self.journal, job.id)
        event = JobPrinted(jobs_db.job(self.journal, job.id))
        self.on_event(event)
        return event

    def reprint(self, job_id: int) -> PrintEvent:
        """Queue an AFRIT of a job and print it (audited by the caller: it needs a manager)."""
        copy = jobs_db.add_copy(self.journal, job_id)
        return self.print_job(copy)

    def skip(self, job_id: int) -> None:
        """The customer wanted no receipt: journaled as skipped, still reprintable."""
        jobs_db.mark_skipped(self.journal, job_id)

    def retry(self, job_id: int) -> PrintEvent:
        jobs_db.requeue(self.journal, job_id)
        return self.print_job(jobs_db.job(self.journal, job_id))

    def _failed(self, job: QueuedJob, reason: str) -> JobFailed:
        jobs_db.mark_failed(self.journal, job.id, reason)
        log.warning("print job %s (sale %s) failed: %s", job.id, job.sale_id, reason)
        event = JobFailed(jobs_db.job(self.journal, job.id), reason)
        self.on_event(event)
        return event


def print_pending_in_this_thread(
    journal_file: Path,
    printer: Printer,
    fmt: ReceiptFormat,
    *,
    on_event: Callable[[PrintEvent], None] = lambda event: None,
) -> list[PrintEvent]:
    """Print what is queued with a journal connection of this thread's own.

    For the till: ``await asyncio.to_thread(print_pending_in_this_thread, …)`` keeps the
    printer's timeouts off the UI thread (a SQLite connection belongs to one thread).
    """
    with Journal(journal_file) as journal:
        return PrintQueue(journal, printer, fmt, on_event=on_event).print_pending()
