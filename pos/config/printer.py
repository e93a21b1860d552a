"""``[printer]``: which receipt printer, how to reach it, its code page and the drawer's pulse.

A "feature" section: a mistake here starts the till degraded (receipts wait in the journal),
never stops a payment or ``pos recover``. Whether the python-escpos profile has the code page
is checked by ``pos config check``'s printer probe (only ``pos.devices`` knows the profiles).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pos.config.reader import Reader
from pos.config.section import Section

PrinterKind = Literal["file", "network", "usb", "serial"]
PRINTER_KINDS: tuple[PrinterKind, ...] = ("file", "network", "usb", "serial")
MAX_PORT = 65535
MAX_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class PrinterSettings:
    """Which receipt printer, and how to reach it."""

    kind: PrinterKind = "file"
    folder: Path | None = None
    """file: where jobs are written; None means the data dir's ``receipts/``."""
    host: str = ""
    port: int = 9100
    timeout_s: float = 5.0
    """Every printer call gives up after this (python-escpos' own default is 60 s)."""
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    """serial: the port, best as /dev/serial/by-id/… (ttyUSB0 can come back as ttyUSB1)."""
    baud: int = 9600
    codepage: str = "CP850"
    profile: str = "default"
    """A python-escpos printer profile (TM-T88V, TM-T20II, …)."""
    qr: Literal["native", "image"] = "native"
    drawer_pin: int = 2
    drawer_on_ms: int = 100
    drawer_off_ms: int = 100
    drawer_realtime: bool = False
    """Kick with DLE DC4 (obeyed while the printer is offline or out of paper) instead of ESC p."""


def parse_printer(reader: Reader) -> PrinterSettings:
    d = PrinterSettings()
    kind = reader.choice("kind", PRINTER_KINDS, d.kind)
    values = PrinterSettings(
        kind=kind,  # type: ignore[arg-type]
        folder=reader.path("folder"),
        host=reader.text("host", d.host),
        port=_in_range(reader, "port", reader.whole("port", d.port), 1, MAX_PORT, d.port),
        timeout_s=_timeout(reader, reader.number("timeout_s", d.timeout_s), d.timeout_s),
        vendor_id=_usb_id(reader, "vendor_id"),
        product_id=_usb_id(reader, "product_id"),
        device=reader.text("device", d.device),
        baud=_in_range(reader, "baud", reader.whole("baud", d.baud), 1, 4_000_000, d.baud),
        codepage=reader.text("codepage", d.codepage),
        profile=reader.text("profile", d.profile),
        qr=reader.choice("qr", ("native", "image"), d.qr),  # type: ignore[arg-type]
        drawer_pin=_pin(reader, reader.whole("drawer_pin", d.drawer_pin)),
        drawer_on_ms=_pulse(reader, "drawer_on_ms", reader.whole("drawer_on_ms", d.drawer_on_ms)),
        drawer_off_ms=_pulse(
            reader, "drawer_off_ms", reader.whole("drawer_off_ms", d.drawer_off_ms)
        ),
        drawer_realtime=reader.flag("drawer_realtime", d.drawer_realtime),
    )
    _require_reach(reader, values)
    return values


def _require_reach(reader: Reader, values: PrinterSettings) -> None:
    needed = {
        "network": (("host", values.host, "the printer's IP address or host name"),),
        "usb": (
            ("vendor_id", values.vendor_id, 'the vendor id from lsusb, like "0x04b8"'),
            ("product_id", values.product_id, 'the product id from lsusb, like "0x0202"'),
        ),
        "serial": (("device", values.device, "the port, like /dev/serial/by-id/usb-…"),),
    }
    for key, value, what in needed.get(values.kind, ()):
        if not value and not reader.has_errors(key):
            reader.error(
                key, f"{reader.name(key)} is needed for a {values.kind} printer.", f"Add {what}."
            )


def _in_range(reader: Reader, key: str, value: int, low: int, high: int, default: int) -> int:
    if low <= value <= high:
        return value
    reader.error(
        key, f"{reader.name(key)} is {value}; it must be {low} to {high}.", f"Use e.g. {default}."
    )
    return default


def _timeout(reader: Reader, value: float, default: float) -> float:
    if 0 < value <= MAX_TIMEOUT_S:
        return value
    reader.error(
        "timeout_s",
        f"{reader.name('timeout_s')} is {value}; it must be above 0 and at most 60 seconds.",
        f"A few seconds is right for a printer, like the default {default}.",
    )
    return default


def _usb_id(reader: Reader, key: str) -> int:
    value = reader.raw(key, "text")
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 0xFFFF:
        return value
    if isinstance(value, str):
        try:
            number = int(value, 16) if value.lower().startswith("0x") else int(value)
        except ValueError:
            number = -1
        if 0 < number <= 0xFFFF:
            return number
    reader.error(
        key,
        f"{reader.name(key)} must be a USB id, not {value!r}.",
        'Write it as lsusb shows it, like "0x04b8".',
    )
    return 0


def _pin(reader: Reader, value: int) -> int:
    if value in (2, 5):
        return value
    reader.error(
        "drawer_pin",
        f"{reader.name('drawer_pin')} is {value}; a drawer is on pin 2 or 5.",
        "Use 2 (most drawers) or 5.",
    )
    return 2


def _pulse(reader: Reader, key: str, value: int) -> int:
    return _in_range(reader, key, value, 2, 510, 100)


SECTION = Section("printer", parse_printer, role="feature")
