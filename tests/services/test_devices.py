"""Devices built from [printer] and [scanner]: the kind picks the adapter; the file printer is the default."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pos.config.printer import PrinterSettings
from pos.config.scanner import ScannerSettings
from pos.devices.drawer import DrawerPulse, NoDrawer, PrinterDrawer
from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter
from pos.devices.scanner import SerialScanner
from pos.journal import Journal
from pos.journal.audit import entries
from pos.services.devices import (
    drawer_from_settings,
    kick_drawer,
    printer_from_settings,
    profile_from_settings,
    scanner_from_settings,
)


def test_each_kind_builds_its_printer(tmp_path: Path) -> None:
    default = printer_from_settings(PrinterSettings(), tmp_path)
    assert isinstance(default, FilePrinter) and default.folder == tmp_path / "receipts"
    elsewhere = printer_from_settings(PrinterSettings(folder=tmp_path / "x"), tmp_path)
    assert isinstance(elsewhere, FilePrinter) and elsewhere.folder == tmp_path / "x"
    network = printer_from_settings(
        PrinterSettings(kind="network", host="10.0.0.9", timeout_s=3), tmp_path
    )
    assert isinstance(network, NetworkPrinter) and (network.port, network.timeout_s) == (9100, 3)
    usb = printer_from_settings(
        PrinterSettings(kind="usb", vendor_id=0x04B8, product_id=0x0202), tmp_path
    )
    assert isinstance(usb, UsbPrinter) and usb.timeout_ms == 5000
    serial = printer_from_settings(
        PrinterSettings(kind="serial", device="/dev/x", baud=19200), tmp_path
    )
    assert isinstance(serial, SerialPrinter) and serial.baud == 19200


def test_the_file_printer_has_no_drawer_and_a_real_one_kicks_with_the_configured_pulse(
    tmp_path: Path,
) -> None:
    assert isinstance(drawer_from_settings(PrinterSettings(), FilePrinter(tmp_path)), NoDrawer)
    settings = PrinterSettings(
        kind="network", host="h", drawer_pin=5, drawer_on_ms=120, drawer_realtime=True
    )
    drawer = drawer_from_settings(settings, printer_from_settings(settings, tmp_path))
    assert isinstance(drawer, PrinterDrawer) and drawer.pulse == DrawerPulse(5, 120, 100, True)
    assert profile_from_settings(PrinterSettings(qr="image")).qr == "image"


def test_a_keyboard_wedge_needs_no_reader_and_a_serial_scanner_gets_one() -> None:
    assert scanner_from_settings(ScannerSettings()) is None
    scanner = scanner_from_settings(ScannerSettings("serial", "/dev/serial/by-id/x", 19200, "LF"))
    assert isinstance(scanner, SerialScanner) and (scanner.baud, scanner.terminator) == (
        19200,
        b"\n",
    )


def test_kicking_the_drawer_never_raises_and_says_what_to_do(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger="pos.devices")
    with Journal(tmp_path / "journal.sqlite3") as journal:
        opened, message = kick_drawer(NoDrawer(), journal, actor="register:R1", why="no_sale")
        assert not opened and "open the drawer with the key" in message
        assert "NOT opened (no_sale)" in caplog.text
        [row] = entries(journal, actions=("drawer.open_with_key",))
        assert row.details == {"why": "no_sale", "sale_id": None, "problem": message}


class BrokenDrawer:
    def kick(self) -> tuple[bool, str]:
        raise OSError("the port vanished")


def test_a_drawer_that_raises_is_opened_by_key_and_audited(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        opened, message = kick_drawer(BrokenDrawer(), journal, actor="cashier:Jón", why="cash_sale")
        assert not opened and "open the drawer with the key" in message
        [row] = entries(journal, actions=("drawer.open_with_key",))
        assert row.actor == "cashier:Jón" and "OSError" in row.details["problem"]
