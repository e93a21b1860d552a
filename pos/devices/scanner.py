"""The serial barcode scanner: a thread that reads codes and hands each one to the till.

Rules kept: configure the port by ``/dev/serial/by-id/…`` (ttyACM0 can come back as ttyACM1);
every code ends with the configured suffix (CR, LF or CRLF), so codes are never merged or split;
an unplugged scanner is reopened with a growing backoff, and its state (ok, or
fault("disconnected")) is reported each time it changes. Any pyserial URL works (``loop://``
in tests). A keyboard-wedge scanner needs none of this: it types into the till, and must be set
to the till's keyboard layout (on an Icelandic layout a US ``-`` types ``ö``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import serial

from pos.devices.status import OK, UNKNOWN, DeviceStatus, fault

log = logging.getLogger("pos.scanner")

SUFFIX_BYTES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}

BACKOFF_S = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
MAX_CODE_BYTES = 128
"""A longer run without a suffix is noise (or the wrong suffix setting), not a code."""


class SerialScanner:
    """Reads one serial scanner in its own thread; ``start`` once, ``stop`` once."""

    def __init__(
        self,
        url: str,
        baud: int = 9600,
        suffix: str = "CR",
        *,
        read_timeout_s: float = 0.2,
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.url, self.baud, self.terminator = url, baud, SUFFIX_BYTES[suffix]
        self.read_timeout_s, self.backoff_s = read_timeout_s, backoff_s
        self._status = UNKNOWN
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_code: Callable[[str], None] = lambda code: None
        self._on_status: Callable[[DeviceStatus], None] = lambda status: None

    def start(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[DeviceStatus], None] | None = None,
    ) -> None:
        self._on_code = on_code
        if on_status is not None:
            self._on_status = on_status
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def status(self) -> DeviceStatus:
        return self._status

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            port = self._open()
            if self._status.kind == "config":
                return  # a port that is no port does not come back by waiting: the config says
            if port is None:
                delay = self.backoff_s[min(failures, len(self.backoff_s) - 1)]
                failures += 1
                self._stopping.wait(delay)
                continue
            failures = 0
            self._set_status(OK)
            self._read_until_unplugged(port)

    def _open(self) -> serial.SerialBase | None:
        try:
            port: serial.SerialBase = serial.serial_for_url(
                self.url, baudrate=self.baud, timeout=self.read_timeout_s
            )
        except (serial.SerialException, OSError) as exc:
            self._set_status(fault("disconnected", str(exc)))
            return None
        except ValueError as exc:  # not a port at all (a bad URL or baud rate): set up wrongly
            self._set_status(fault("config", str(exc)))
            return None
        return port

    def _read_until_unplugged(self, port: serial.SerialBase) -> None:
        pending = b""
        try:
            while not self._stopping.is_set():
                chunk = port.read(max(1, port.in_waiting))
                if chunk:
                    pending = self._hand_over(pending + chunk)
        except (serial.SerialException, OSError) as exc:
            self._set_status(fault("disconnected", str(exc)))
        finally:
            port.close()

    def _hand_over(self, data: bytes) -> bytes:
        """Hand over each complete code; return the incomplete rest."""
        *codes, rest = data.split(self.terminator)
        for raw in codes:
            code = raw.strip(b"\r\n").decode("ascii", errors="replace").strip()
            if code:
                self._on_code(code)
        if len(rest) > MAX_CODE_BYTES:
            log.warning("scanner sent %d bytes without its suffix; dropped", len(rest))
            return b""
        return rest

    def _set_status(self, status: DeviceStatus) -> None:
        if status.state != self._status.state or status.kind != self._status.kind:
            self._status = status
            log.info("scanner %s: %s", self.url, status)
            self._on_status(status)
