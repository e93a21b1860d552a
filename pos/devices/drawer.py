"""The cash drawer, kicked through the receipt printer: ESC p, or the real-time DLE DC4 pulse.

Rules kept: a kick never blocks or fails a sale; when no kick can be sent the caller is told
"open the drawer with the key" (and audits it). ``ESC p`` is ignored while the printer is
offline or out of paper; a profile option sends the real-time pulse (``DLE DC4 1 m t``), which
the printer obeys even then. Pin and pulse come from ``[printer]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.printer import Dummy

from pos.devices.protocols import Printer, PrintJobBytes
from pos.devices.status import PrinterFault

OPEN_WITH_KEY = "open the drawer with the key"
ESC, P = 0x1B, 0x70


@dataclass(frozen=True)
class DrawerPulse:
    pin: int = 2
    on_ms: int = 100
    off_ms: int = 100
    realtime: bool = False


def kick_bytes(pulse: DrawerPulse) -> bytes:
    """The kick command for this pulse: ESC p m t1 t2 (2 ms units) or DLE DC4 1 m t (100 ms units)."""
    connector = 0 if pulse.pin == 2 else 1
    if pulse.realtime:
        tenths = max(1, min(8, (pulse.on_ms + 50) // 100))
        return bytes((0x10, 0x14, 0x01, connector, tenths))
    printer = Dummy()
    printer.cashdraw((ESC, P, connector, _units(pulse.on_ms), _units(pulse.off_ms)))
    return bytes(printer.output)


def _units(ms: int) -> int:
    return max(1, min(255, ms // 2))


class PrinterDrawer:
    """A drawer on the printer's drawer port."""

    def __init__(self, printer: Printer, pulse: DrawerPulse) -> None:
        self.printer, self.pulse = printer, pulse

    def kick(self) -> tuple[bool, str]:
        try:
            self.printer.send(PrintJobBytes("drawer", kick_bytes(self.pulse), ""))
        except PrinterFault as exc:
            return False, f"The drawer did not open ({exc.reason}): {OPEN_WITH_KEY}."
        return True, "Drawer opened."


class NoDrawer:
    """A register without a drawer (or with the file printer): every kick says to use the key."""

    def kick(self) -> tuple[bool, str]:
        return False, f"No drawer is connected: {OPEN_WITH_KEY}."
