"""Receipt printers: a job's ready-made ESC/POS bytes to a file, a TCP port, USB or a serial port.

Rules kept: every call has a hard timeout; each library error is translated here into a
PrinterFault naming its kind and whether any byte may have reached the printer (then the job is
never sent again by itself); status is ok / fault(kind) / unknown, read with real-time status
queries and mapped here (an empty or missing reply is unknown, never "no paper").
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Any

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network, Serial, Usb

from pos.devices.protocols import PrintJobBytes
from pos.devices.status import OK, UNKNOWN, DeviceStatus, PrinterFault, fault
from pos.devices.status_bytes import STATUS_QUERIES, status_from_replies


class FilePrinter:
    """The default printer: each job as ``<name>.bin`` (ESC/POS) with ``<name>.txt`` beside it."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, job: PrintJobBytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / f"{job.name}.txt", job.text.encode("utf-8"))
            _write_atomically(self.folder / f"{job.name}.bin", job.data)
        except OSError as exc:
            raise PrinterFault(
                "offline", f"cannot write {self.folder}: {exc.strerror}", maybe_printed=False
            ) from exc

    def status(self) -> DeviceStatus:
        """ok if the folder is writable, or can still be made in the nearest folder that exists."""
        existing = self.folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            return fault("offline", f"cannot create {self.folder}: {existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            return fault("offline", f"cannot write in {existing}")
        return OK


def _write_atomically(path: Path, data: bytes) -> None:
    """Whole file or none: a crash never leaves half a receipt."""
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


class _ClosedByUs:
    """python-escpos closes devices in ``__del__``; the till closes them itself, at once."""

    def __del__(self) -> None:
        pass


class _Network(_ClosedByUs, Network):  # type: ignore[misc]
    pass


class _Usb(_ClosedByUs, Usb):  # type: ignore[misc]
    pass


class _Serial(_ClosedByUs, Serial):  # type: ignore[misc]
    pass


class _EscposPrinter:
    """Shared send/status for printers reached through a python-escpos device class."""

    name = "escpos"

    def _open(self) -> Any:
        raise NotImplementedError

    def send(self, job: PrintJobBytes) -> None:
        device = self._opened()
        try:
            device._raw(job.data)
        except Exception as exc:  # socket, pyserial and pyusb errors all mean the same here
            raise self._fault(exc, maybe_printed=True) from exc
        finally:
            _close(device)

    def status(self) -> DeviceStatus:
        try:
            device = self._opened()
        except PrinterFault as exc:
            return fault(exc.kind, exc.message)
        try:
            replies = [self._query(device, query) for query in STATUS_QUERIES]
        except Exception:  # a printer that does not answer says nothing about its paper
            return UNKNOWN
        finally:
            _close(device)
        return status_from_replies(*replies)

    def _query(self, device: Any, query: bytes) -> bytes:
        """python-escpos' query_status(): the raw reply, mapped by status_from_replies."""
        reply = device.query_status(query)
        return bytes(reply)

    def _opened(self) -> Any:
        try:
            return self._open()
        except PrinterFault:
            raise
        except (DeviceNotFoundError, OSError, _serial_errors()) as exc:
            raise PrinterFault("unreachable", _first_line(exc), maybe_printed=False) from exc

    def _fault(self, exc: BaseException, *, maybe_printed: bool) -> PrinterFault:
        kind: Any = "timeout" if isinstance(exc, (TimeoutError, socket.timeout)) else "offline"
        if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
            kind = "timeout"
        return PrinterFault(kind, _first_line(exc), maybe_printed=maybe_printed)


class NetworkPrinter(_EscposPrinter):
    """A printer on TCP port 9100 (raw), with a short timeout on connect, send and read."""

    name = "network"

    def __init__(self, host: str, port: int = 9100, *, timeout_s: float, profile: str) -> None:
        self.host, self.port, self.timeout_s, self.profile = host, port, timeout_s, profile

    def _open(self) -> Any:
        printer = _Network(self.host, self.port, timeout=self.timeout_s, profile=self.profile)
        # Connected here: python-escpos' open() leaks the socket when the connect fails.
        printer.device = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        return printer


class UsbPrinter(_EscposPrinter):
    """A USB printer by vendor and product id (needs the ``python-escpos[usb]`` extra: pyusb)."""

    name = "usb"

    def __init__(self, vendor_id: int, product_id: int, *, timeout_s: float, profile: str) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.timeout_ms = int(timeout_s * 1000)
        self.profile = profile

    def _open(self) -> Any:
        if not Usb.is_usable():
            raise PrinterFault(
                "config",
                "USB printing needs pyusb: pip install 'python-escpos[usb]'",
                maybe_printed=False,
            )
        printer = _Usb(
            self.vendor_id, self.product_id, timeout=self.timeout_ms, profile=self.profile
        )
        printer.open()
        return printer


class SerialPrinter(_EscposPrinter):
    """A serial printer; the port is opened here with read and write timeouts (any pyserial URL)."""

    name = "serial"

    def __init__(self, device: str, baud: int, *, timeout_s: float, profile: str) -> None:
        self.device, self.baud, self.timeout_s, self.profile = device, baud, timeout_s, profile

    def _open(self) -> Any:
        import serial

        printer = _Serial(self.device, self.baud, timeout=self.timeout_s, profile=self.profile)
        # python-escpos opens serial.Serial without a write timeout: a stalled port would hang.
        printer.device = serial.serial_for_url(
            self.device,
            baudrate=self.baud,
            timeout=self.timeout_s,
            write_timeout=self.timeout_s,
        )
        return printer


def _serial_errors() -> type[Exception]:
    import serial

    error: type[Exception] = serial.SerialException
    return error


def _close(device: Any) -> None:
    with contextlib.suppress(Exception):  # closing a broken link must not hide the real fault
        device.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:160]
