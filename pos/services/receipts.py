"""Receipts from the journal for people: print what a paid sale queued, show one by its number.

Rules kept: ``pos pay`` (like every path that ends a sale PAID) leaves its receipt to the print
queue, and a printer fault never changes the payment's outcome or exit code; showing a receipt
only reads the journal, so it works beside the open till.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pos.config import Settings
from pos.config.printer import SECTION as PRINTER
from pos.config.receipt import SECTION as RECEIPT
from pos.config.store import StoreSettings
from pos.core.errors import PosError
from pos.core.receipt import StoreHeader
from pos.core.receipt_layout import Block, text_lines
from pos.devices.protocols import Printer
from pos.journal import Journal, JournalError
from pos.journal import print_jobs as jobs_db
from pos.services.devices import printer_from_settings, profile_from_settings
from pos.services.printing import (
    JobFailed,
    JobPrinted,
    PrintQueue,
    ReceiptFormat,
    job_label,
    read_templates,
    receipt_blocks,
)

log = logging.getLogger("pos.printing")


def store_header(store: StoreSettings, store_id: str) -> StoreHeader:
    """``[store]`` as a receipt header (for snapshots that did not copy one at PAID)."""
    kennitala = store.kennitala
    if len(kennitala) == 10:
        kennitala = f"{kennitala[:6]}-{kennitala[6:]}"
    return StoreHeader(store.name, store.address, kennitala, store.vsk_number, store_id)


def receipt_format(settings: Settings, width: int | None = None) -> ReceiptFormat:
    """How this register's receipts look: ``[receipt]``, the printer profile, ``[store]``."""
    receipt = settings.get(RECEIPT)
    return ReceiptFormat(
        width=width or receipt.width,
        templates=read_templates(receipt.templates),
        profile=profile_from_settings(settings.get(PRINTER)),
        store=store_header(settings.store, settings.register.store_id),
    )


def configured_printer(settings: Settings) -> Printer:
    return printer_from_settings(settings.get(PRINTER), settings.data_dir)


def print_queued_receipts(
    journal: Journal,
    printer: Printer,
    fmt: ReceiptFormat,
    *,
    announce: Callable[[str], None],
) -> None:
    """Print what the journal has queued; say what happened, and never raise."""
    try:
        queue = PrintQueue(journal, printer, fmt)
        for job in queue.start():
            announce(f"{job_label(job)} may not have printed: reprint it as a copy.")
        for event in queue.print_pending():
            if isinstance(event, JobPrinted):
                announce(f"{job_label(event.job)} printed ({printer.name}).")
            elif isinstance(event, JobFailed):
                then = "Reprint it when the printer is back."
                if event.job.is_receipt:
                    then = "The sale is paid; reprint it when the printer is back."
                announce(f"{job_label(event.job)} not printed: {event.reason}. {then}")
    except PosError as exc:
        announce(f"Receipts not printed: {exc.message}. The sales are paid and journaled.")
    except Exception as exc:  # printing must never turn a paid sale into a crash
        log.exception("printing queued receipts failed")
        announce(f"Receipts not printed ({type(exc).__name__}). The sales are paid and journaled.")


@dataclass(frozen=True)
class ShownReceipt:
    sale_id: int
    copy_no: int
    blocks: list[Block]
    width: int

    @property
    def text(self) -> str:
        return "\n".join(text_lines(self.blocks)) + "\n"

    def save_png(self, path: Path) -> None:
        try:
            from pos.devices.picture import save_receipt_png  # Pillow's fonts: only for a PNG

            save_receipt_png(self.blocks, self.width, path)
        except OSError as exc:
            raise PosError(f"Cannot write {path}: {exc.strerror or exc}.", "Receipt") from exc


def show_receipt(
    journal_file: Path, number: int, fmt: ReceiptFormat, *, copy: bool
) -> ShownReceipt:
    """Receipt ``number`` as the journal has it; ``copy`` marks it AFRIT with the next counter."""
    if not journal_file.exists():
        raise JournalError(f"There is no journal at {journal_file}: no sale has been taken here.")
    with Journal(journal_file, read_only=True) as journal:
        job = jobs_db.receipt_job(journal, number)
        if job is None:
            raise PosError(f"Receipt {number} is not in the journal.", "Receipt")
        copies = [j.copy_no for j in jobs_db.jobs_for_sale(journal, job.sale) if j.is_receipt]
    shown = replace(job, copy_no=max(copies) + 1) if copy else job
    return ShownReceipt(job.sale, shown.copy_no, receipt_blocks(shown, fmt), fmt.width)
