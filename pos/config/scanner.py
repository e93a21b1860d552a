"""``[scanner]``: a keyboard-wedge scanner (default) or a serial one (port, baud, suffix).

A keyboard-wedge scanner must be set to the till's keyboard layout: on an Icelandic layout a
scanner sending US keystrokes types ``ö`` for ``-``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pos.config.reader import Reader
from pos.config.section import Section

ScannerKind = Literal["keyboard", "serial"]
Suffix = Literal["CR", "LF", "CRLF"]


@dataclass(frozen=True)
class ScannerSettings:
    """The barcode scanner; a serial one by /dev/serial/by-id/… (ttyACM0 can become ttyACM1)."""

    kind: ScannerKind = "keyboard"
    port: str = ""
    baud: int = 9600
    suffix: Suffix = "CR"
    """What the scanner sends after each code."""


def parse_scanner(reader: Reader) -> ScannerSettings:
    d = ScannerSettings()
    kind = reader.choice("kind", ("keyboard", "serial"), d.kind)
    port = reader.text("port", d.port)
    baud = reader.whole("baud", d.baud)
    suffix = reader.choice("suffix", ("CR", "LF", "CRLF"), d.suffix)
    if baud <= 0:
        reader.error(
            "baud",
            f"{reader.name('baud')} is {baud}; it must be above 0.",
            "Use the scanner's baud rate, often 9600.",
        )
        baud = d.baud
    if kind == "serial" and not port and not reader.has_errors("port"):
        reader.error(
            "port",
            f"{reader.name('port')} is needed for a serial scanner.",
            "Add it, like /dev/serial/by-id/usb-…",
        )
    return ScannerSettings(kind, port, baud, suffix)  # type: ignore[arg-type]


SECTION = Section("scanner", parse_scanner, role="feature")
