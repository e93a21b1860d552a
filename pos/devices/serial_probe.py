"""Whether a serial port opens: for ``pos smoke`` while no till holds the port.

Opening a port the till reads would steal its bytes, so callers only probe while the till is
closed. Any pyserial URL works (``loop://`` in tests).
"""

from __future__ import annotations

import serial

from pos.devices.status import OK, DeviceStatus, fault


def serial_port_status(url: str, baud: int = 9600, *, timeout_s: float = 1.0) -> DeviceStatus:
    """ok if the port opens (it is closed again at once); fault(disconnected) or fault(config)."""
    if not url:
        return fault("config", "no port is configured")
    try:
        port = serial.serial_for_url(url, baudrate=baud, timeout=timeout_s)
    except serial.SerialException as exc:
        return fault("disconnected", _first_line(exc))
    except (ValueError, OSError) as exc:  # a bad baud rate or URL
        return fault("config", _first_line(exc))
    port.close()
    return OK


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
