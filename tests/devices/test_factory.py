"""Devices built from [printer]: the kind picks the adapter, the file printer is the default."""

from __future__ import annotations

from pathlib import Path

from pos.devices.drawer import NoDrawer, PrinterDrawer
from pos.devices.factory import drawer_from_settings, printer_from_settings, profile_from_settings
from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter
from pos.devices.settings import parse_printer_section


def build(table: dict[str, object], folder: Path) -> object:
    settings, problems = parse_printer_section(table)
    assert problems == []
    return printer_from_settings(settings, folder)


def test_each_kind_builds_its_printer(tmp_path: Path) -> None:
    default = build({}, tmp_path)
    assert isinstance(default, FilePrinter) and default.folder == tmp_path
    network = build({"kind": "network", "host": "10.0.0.9", "timeout_s": 3}, tmp_path)
    assert isinstance(network, NetworkPrinter) and (network.port, network.timeout_s) == (9100, 3.0)
    usb = build({"kind": "usb", "vendor_id": "0x04b8", "product_id": "0x0202"}, tmp_path)
    assert isinstance(usb, UsbPrinter) and usb.timeout_ms == 5000
    serial = build({"kind": "serial", "device": "/dev/serial/by-id/x", "baud": 19200}, tmp_path)
    assert isinstance(serial, SerialPrinter) and serial.baud == 19200


def test_the_file_printer_has_no_drawer_and_a_real_printer_has_one(tmp_path: Path) -> None:
    file_settings, _ = parse_printer_section({})
    assert isinstance(drawer_from_settings(file_settings, FilePrinter(tmp_path)), NoDrawer)
    net_settings, _ = parse_printer_section({"kind": "network", "host": "h", "qr": "image"})
    printer = printer_from_settings(net_settings, tmp_path)
    assert isinstance(drawer_from_settings(net_settings, printer), PrinterDrawer)
    assert profile_from_settings(net_settings).qr == "image"
