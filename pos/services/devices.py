"""The configured devices, built from ``[printer]`` and ``[scanner]``; and the printer's config probe.

The composition root for devices: adapters take plain values, so only this module reads both
the config sections and the device classes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pos.config import Settings
from pos.config.printer import SECTION as PRINTER
from pos.config.printer import PrinterSettings
from pos.config.problems import Problem
from pos.config.scanner import ScannerSettings
from pos.core.errors import PosError
from pos.devices.drawer import OPEN_WITH_KEY, DrawerPulse, NoDrawer, PrinterDrawer
from pos.devices.escpos_render import PrinterProfile
from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter
from pos.devices.profiles import profile_problems
from pos.devices.protocols import Drawer, Printer, Scanner
from pos.devices.scanner import SerialScanner
from pos.devices.status import DeviceStatus
from pos.journal import Journal
from pos.journal.audit import append_audit

RECEIPTS_FOLDER = "receipts"
log = logging.getLogger("pos.devices")


def printer_from_settings(settings: PrinterSettings, data_dir: Path) -> Printer:
    """The printer ``[printer]`` names; the file printer writes to the data dir's ``receipts/``."""
    timeout, profile = settings.timeout_s, settings.profile
    if settings.kind == "network":
        return NetworkPrinter(settings.host, settings.port, timeout_s=timeout, profile=profile)
    if settings.kind == "usb":
        return UsbPrinter(
            settings.vendor_id, settings.product_id, timeout_s=timeout, profile=profile
        )
    if settings.kind == "serial":
        return SerialPrinter(settings.device, settings.baud, timeout_s=timeout, profile=profile)
    return FilePrinter(settings.folder or data_dir / RECEIPTS_FOLDER)


def drawer_from_settings(settings: PrinterSettings, printer: Printer) -> Drawer:
    """The drawer hangs on a real printer; the file printer has none."""
    if settings.kind == "file":
        return NoDrawer()
    pulse = DrawerPulse(
        settings.drawer_pin, settings.drawer_on_ms, settings.drawer_off_ms, settings.drawer_realtime
    )
    return PrinterDrawer(printer, pulse)


def profile_from_settings(settings: PrinterSettings) -> PrinterProfile:
    return PrinterProfile(settings.profile, settings.codepage, settings.qr)


def scanner_from_settings(settings: ScannerSettings) -> Scanner | None:
    """A serial scanner, or None for a keyboard wedge (it types into the till itself).

    Only the process holding the register lock may open the port (the till, once its session
    is open): a second reader would steal the scans.
    """
    if settings.kind != "serial" or not settings.port:
        return None  # no port: the config's banner says so; the till takes typed codes meanwhile
    return SerialScanner(settings.port, settings.baud, settings.suffix)


ScannerState = str
"""What the status bar shows: "ok", "reconnecting" (unplugged: the reader keeps reopening it),
"fault" (any other fault), "unknown" (not yet opened) or "keyboard" (a wedge, no port)."""


def scanner_state(status: DeviceStatus) -> ScannerState:
    if status.state == "fault":
        return "reconnecting" if status.kind == "disconnected" else "fault"
    return status.state


def printer_profile_probe(settings: Settings) -> list[Problem]:
    """``pos config check``: a profile python-escpos does not know, or one without the code page."""
    printer = settings.get(PRINTER)
    return [
        Problem(None, "printer", f"printer.{p.key}", p.message, p.fix)
        for p in profile_problems(printer.profile, printer.codepage)
    ]


def till_actor(cashier: str | None, register_id: str) -> str:
    """Who the audit log names for a cashier's act: the signed-in cashier, else the register."""
    return f"cashier:{cashier}" if cashier else f"register:{register_id}"


DRAWER_KICKED, DRAWER_BY_KEY = "drawer.kicked", "drawer.open_with_key"


def kick_drawer(
    drawer: Drawer, journal: Journal, *, actor: str, why: str, sale_id: int | None = None
) -> tuple[bool, str]:
    """Open the drawer for a cash sale or a no-sale opening; never raises.

    Each kick is audited (``drawer.kicked``), and so is each time none could be sent: the
    message then tells the cashier to open the drawer with the key (``drawer.open_with_key``).
    It waits for the printer (up to its timeout): the till calls ``kick_outcome`` off its
    screen's thread and ``audit_kick`` back on it.
    """
    opened, message = kick_outcome(drawer, why)
    audit_kick(journal, opened, message, actor=actor, why=why, sale_id=sale_id)
    return opened, message


def kick_outcome(drawer: Drawer, why: str) -> tuple[bool, str]:
    """Kick once: opened, and what to tell the cashier; never raises (any thread)."""
    try:
        opened, message = drawer.kick()
    except Exception as exc:  # the cash is taken and journaled; a stuck drawer is opened by key
        log.exception("the cash drawer did not open")
        opened, message = False, f"The drawer did not open ({type(exc).__name__}): {OPEN_WITH_KEY}."
    log.info("drawer %s (%s): %s", "opened" if opened else "NOT opened", why, message)
    return opened, message


def audit_kick(
    journal: Journal, opened: bool, message: str, *, actor: str, why: str, sale_id: int | None
) -> None:
    """The kick's audit row (on the journal connection's own thread); never raises."""
    details: dict[str, object] = {"why": why, "sale_id": sale_id}
    if not opened:
        details["problem"] = message
    try:
        append_audit(journal, actor, DRAWER_KICKED if opened else DRAWER_BY_KEY, details)
    except PosError as exc:  # the audit log is the journal's: a full disk is said there
        log.error("drawer audit row not written: %s", exc)
