"""``pos smoke``'s device checks, and the receipts of its sandbox sales.

Rules kept: only the lock holder prints on the real printer or opens the serial scanner
(TILL-CONTRACTS). So while the till is open a real printer is only asked for its status (a USB
or serial one, which the till holds open, not even that), and the scanner is skipped with a
warning. With the till closed the file printer gets a test print (a file named
``smoke-test-print``, never a receipt number) and the scanner's port is opened and closed.
The smoke's own sales print on a file printer in its temporary data dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pos.config import Settings
from pos.config.scanner import SECTION as SCANNER
from pos.core.errors import PosError
from pos.core.receipt_layout import Block, Cut, Text
from pos.devices.escpos_render import PrinterProfile, render_escpos
from pos.devices.printers import FilePrinter
from pos.devices.protocols import Printer, PrintJobBytes
from pos.devices.serial_probe import serial_port_status
from pos.devices.status import FAULT_WORDS, DeviceStatus, PrinterFault
from pos.services.printing import JobFailed, JobPrinted, PrintQueue, ReceiptFormat, job_file_name
from pos.services.smoke_results import Check, fail, ok, warn
from pos.services.wiring import Till

TEST_PRINT = "smoke-test-print"
DEFAULT_PROFILE = PrinterProfile()
_FOLDER_FIX = (
    "Make printer.folder a folder the till's user can write, or leave it out for the data "
    "dir's receipts/."
)
HELD_BY_THE_TILL = frozenset({"usb", "serial"})
FAULT_FIXES = {
    "paper_out": "Load a paper roll.",
    "cover_open": "Close the printer's cover.",
    "offline": "Check the printer's power and cable, and that it is online.",
    "unreachable": "Check the printer's power and cable, and printer.host / port / device.",
    "timeout": "Check the printer's power and network; it did not answer in time.",
    "disconnected": "Plug it in again.",
    "config": "Correct the [printer] section (`pos config check`).",
}


@dataclass(frozen=True)
class ScannerPort:
    """A serial scanner's port as configured (a keyboard wedge has none)."""

    url: str
    baud: int = 9600


def configured_scanner(settings: Settings) -> ScannerPort | None:
    """The register's serial scanner, or None for a keyboard wedge (the default)."""
    scanner = settings.get(SCANNER)
    return ScannerPort(scanner.port, scanner.baud) if scanner.kind == "serial" else None


# --- the printer ---------------------------------------------------------------------------------


def printer_check(
    printer: Printer, *, till_open: bool, profile: PrinterProfile = DEFAULT_PROFILE
) -> Check:
    """A test print on a file printer while the till is closed; otherwise the status only."""
    if isinstance(printer, FilePrinter):
        return _file_printer_folder(printer) if till_open else _test_print(printer, profile)
    if till_open and printer.name in HELD_BY_THE_TILL:
        return warn(
            "printer",
            f"not asked: the open till holds the {printer.name} printer.",
            "Its state shows on the till's screen; close the till to check it here.",
        )
    return _status_check("printer", printer.name, printer.status())


def _test_print(printer: FilePrinter, profile: PrinterProfile) -> Check:
    if not printer.folder.exists():
        return _folder_to_make(printer.folder)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    blocks: list[Block] = [Text("pos smoke: test print", bold=True), Text(stamp), Cut()]
    text = "pos smoke: test print\n" + stamp + "\n"
    try:
        data = render_escpos(blocks, profile)
    except PosError as exc:  # a profile without the code page: `config check` says so too
        return fail("printer", f"the test print cannot be rendered: {exc.message}", exc.message)
    try:
        printer.send(PrintJobBytes(TEST_PRINT, data, text))
    except PrinterFault as exc:
        return fail(
            "printer",
            f"the file printer cannot write its test print: {exc.message}.",
            _FOLDER_FIX,
            folder=str(printer.folder),
        )
    written = printer.folder / f"{TEST_PRINT}.bin"
    return ok("printer", f"file printer: test print written to {written}", file=str(written))


def _file_printer_folder(printer: FilePrinter) -> Check:
    """Beside the open till: whether its receipts folder takes files, without writing one."""
    folder = printer.folder
    if not folder.exists():
        return _folder_to_make(folder)
    if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
        return ok("printer", f"file printer: {folder} is writable", folder=str(folder))
    return fail(
        "printer",
        f"the file printer cannot write to {folder}.",
        _FOLDER_FIX,
        folder=str(folder),
    )


def _folder_to_make(folder: Path) -> Check:
    """A receipts folder the till makes at its first receipt: no test print creates it first."""
    parent = next((p for p in folder.parents if p.exists()), Path("/"))
    if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        return ok("printer", f"file printer: {folder} does not exist yet; the till makes it")
    return fail(
        "printer",
        f"the file printer cannot make {folder}: {parent} is not a folder it can write.",
        _FOLDER_FIX,
        folder=str(folder),
    )


def _status_check(name: str, what: str, status: DeviceStatus) -> Check:
    if status.state == "ok":
        return ok(name, f"{what}: ok", state="ok")
    if status.state == "unknown":
        return warn(
            name,
            f"{what}: did not say how it is.",
            "Check that it is on, has paper and its cover is closed.",
            state="unknown",
        )
    detail = f" ({status.detail})" if status.detail else ""
    return fail(
        name,
        f"{what}: {FAULT_WORDS.get(status.kind, status.kind)}{detail}.",
        FAULT_FIXES.get(status.kind, "Check the device."),
        state="fault",
        kind=status.kind,
    )


# --- the scanner ---------------------------------------------------------------------------------


def scanner_check(port: ScannerPort | None, *, till_open: bool) -> Check:
    if port is None:
        return ok("scanner", "keyboard wedge: nothing to open (it types into the till)")
    if till_open:
        return warn(
            "scanner",
            f"not opened: the open till reads {port.url}.",
            "Scan a code at the till; close the till to check the port here.",
        )
    status = serial_port_status(port.url, port.baud)
    if status.state == "ok":
        return ok("scanner", f"serial scanner port {port.url} opens", port=port.url)
    return fail(
        "scanner",
        f"serial scanner port {port.url} does not open: {status.detail}.",
        "Plug the scanner in, and name its port by /dev/serial/by-id/… in scanner.port.",
        port=port.url,
    )


# --- the smoke sales' receipts -----------------------------------------------------------------


class SmokeReceipts:
    """Prints each smoke sale's queued receipt on a file printer in the smoke's own data dir."""

    def __init__(self, fmt: ReceiptFormat) -> None:
        self.fmt = fmt
        self._queue: PrintQueue | None = None

    def __call__(self, till: Till, kind: str) -> Check:
        name = f"receipt.{kind}"
        try:
            events = self._started(till).print_pending()
        except PosError as exc:
            return fail(name, f"the receipt was not printed: {exc.message}.", _RECEIPT_FIX)
        printed = [event for event in events if isinstance(event, JobPrinted)]
        failed = [event for event in events if isinstance(event, JobFailed)]
        if failed or not printed:
            reason = failed[0].reason if failed else "no receipt was queued"
            return fail(name, f"the receipt was not printed: {reason}.", _RECEIPT_FIX)
        file = self._folder(till) / f"{job_file_name(printed[-1].job)}.bin"
        data = file.read_bytes()
        if not data.startswith(b"\x1b@"):
            return fail(name, f"{file} does not start with ESC @.", _RECEIPT_FIX)
        return ok(
            name,
            f"receipt printed on the smoke's file printer: {file.name} ({len(data)} bytes ESC/POS)",
            file=str(file),
        )

    def _started(self, till: Till) -> PrintQueue:
        if self._queue is None or self._queue.journal is not till.journal:
            self._queue = PrintQueue(till.journal, FilePrinter(self._folder(till)), self.fmt)
            self._queue.start()
        return self._queue

    @staticmethod
    def _folder(till: Till) -> Path:
        return till.settings.data_dir / "receipts"


_RECEIPT_FIX = (
    "Check the receipt templates and [store] (`pos config check`); `pos smoke --keep` keeps "
    "the smoke's journal to look at."
)
