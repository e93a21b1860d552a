"""ESC/POS real-time status replies (``DLE EOT n``) read into ok / fault(kind) / unknown.

Mapped here, not with python-escpos' ``paper_status()``, which answers "no paper" when the
printer said nothing. Each reply is one byte whose fixed bits (bit 1 and bit 4 set, bits 0 and
7 clear) prove it is a status byte; anything else, or no reply, is unknown.
"""

from __future__ import annotations

from pos.devices.status import OK, UNKNOWN, DeviceStatus, fault

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"
QUERY_PAPER = DLE_EOT + b"\x04"
STATUS_QUERIES = (QUERY_PRINTER, QUERY_OFFLINE_CAUSE, QUERY_PAPER)

_FIXED_MASK, _FIXED_BITS = 0b1001_0011, 0b0001_0010
_OFFLINE = 0x08  # DLE EOT 1, bit 3
_COVER_OPEN = 0x04  # DLE EOT 2, bit 2
_STOPPED_BY_PAPER_END = 0x20  # DLE EOT 2, bit 5
_PAPER_END = 0x60  # DLE EOT 4, bits 5 and 6


def status_byte(reply: bytes) -> int | None:
    """The reply's status byte, or None when it is empty or not shaped like one."""
    if len(reply) != 1 or reply[0] & _FIXED_MASK != _FIXED_BITS:
        return None
    return reply[0]


def status_from_replies(printer: bytes, offline_cause: bytes, paper: bytes) -> DeviceStatus:
    """Replies to DLE EOT 1, 2 and 4, in that order."""
    printer_byte, cause_byte, paper_byte = map(status_byte, (printer, offline_cause, paper))
    if printer_byte is None:
        return UNKNOWN
    if paper_byte is not None and paper_byte & _PAPER_END:
        return fault("paper_out")
    if printer_byte & _OFFLINE:
        return _offline_cause(cause_byte)
    return OK


def _offline_cause(cause_byte: int | None) -> DeviceStatus:
    if cause_byte is None:
        return fault("offline")
    if cause_byte & _COVER_OPEN:
        return fault("cover_open")
    if cause_byte & _STOPPED_BY_PAPER_END:
        return fault("paper_out")
    return fault("offline")
