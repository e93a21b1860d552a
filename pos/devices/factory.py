"""Build the configured devices from their settings (the composition root calls these)."""

from __future__ import annotations

from pathlib import Path

from pos.devices.drawer import DrawerPulse, NoDrawer, PrinterDrawer
from pos.devices.escpos_render import PrinterProfile
from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter
from pos.devices.protocols import Drawer, Printer
from pos.devices.settings import PrinterSettings


def printer_from_settings(settings: PrinterSettings, receipts_folder: Path) -> Printer:
    """The printer ``[printer]`` names; the file printer writes into ``receipts_folder`` by default."""
    timeout, profile = settings.timeout_s, settings.profile
    if settings.kind == "network":
        return NetworkPrinter(settings.host, settings.port, timeout_s=timeout, profile=profile)
    if settings.kind == "usb":
        return UsbPrinter(
            settings.vendor_id, settings.product_id, timeout_s=timeout, profile=profile
        )
    if settings.kind == "serial":
        return SerialPrinter(settings.device, settings.baud, timeout_s=timeout, profile=profile)
    return FilePrinter(Path(settings.folder) if settings.folder else receipts_folder)


def drawer_from_settings(settings: PrinterSettings, printer: Printer) -> Drawer:
    """The drawer hangs on a real printer; the file printer has none."""
    if settings.kind == "file":
        return NoDrawer()
    return PrinterDrawer(printer, DrawerPulse.from_settings(settings))


def profile_from_settings(settings: PrinterSettings) -> PrinterProfile:
    return PrinterProfile(settings.profile, settings.codepage, settings.qr)
