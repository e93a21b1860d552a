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
from pos.devices.drawer import DrawerPulse, NoDrawer, PrinterDrawer
from pos.devices.escpos_render import PrinterProfile
from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter
from pos.devices.profiles import profile_problems
from pos.devices.protocols import Drawer, Printer, Scanner
from pos.devices.scanner import SerialScanner
from pos.devices.status import DeviceStatus

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
    if settings.kind != "serial":
        return None
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


def kick_drawer(drawer: Drawer, why: str) -> tuple[bool, str]:
    """Open the drawer for a cash sale or a manager's "open drawer"; never raises, never blocks.

    The outcome is logged for the audit trail (the audit log comes with manager mode); when
    no kick could be sent, the message tells the cashier to open the drawer with the key.
    """
    opened, message = drawer.kick()
    log.info("drawer %s (%s): %s", "opened" if opened else "NOT opened", why, message)
    return opened, message
