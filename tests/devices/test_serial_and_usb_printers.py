"""Serial printer over a real pty pair; USB printer with only pyusb's device faked."""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import usb.core

from pos.core.receipt import receipt_from_snapshot
from pos.core.receipt_layout import layout_receipt
from pos.devices.escpos_render import render_escpos
from pos.devices.printers import SerialPrinter, UsbPrinter
from pos.devices.protocols import PrintJobBytes
from pos.devices.status import PrinterFault
from tests.devices.receipts import RICH_SNAPSHOT
from tests.support.escpos_parser import parse


def receipt_job() -> PrintJobBytes:
    blocks = layout_receipt(receipt_from_snapshot(RICH_SNAPSHOT), width=42, tz=ZoneInfo("UTC"))
    return PrintJobBytes("receipt-000042", render_escpos(blocks), "")


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    name = os.ttyname(slave)
    try:
        yield master, name
    finally:
        os.close(slave)
        os.close(master)


def read_all(fd: int, expected: int) -> bytes:
    received = bytearray()
    while len(received) < expected and select.select([fd], [], [], 2)[0]:
        received += os.read(fd, 65536)
    return bytes(received)


def test_a_serial_printer_gets_the_jobs_bytes_unchanged(pty_pair: tuple[int, str]) -> None:
    master, device = pty_pair
    job = receipt_job()
    SerialPrinter(device, 9600, timeout_s=1.0, profile="default").send(job)
    received = read_all(master, len(job.data))
    assert received == job.data
    assert any(line.startswith("SAMTALS") for line in parse(received).lines)


def test_a_serial_port_that_is_gone_is_unreachable() -> None:
    with pytest.raises(PrinterFault) as caught:
        SerialPrinter(
            "/dev/serial/by-id/no-such-printer", 9600, timeout_s=0.5, profile="default"
        ).send(receipt_job())
    assert caught.value.kind == "unreachable" and not caught.value.maybe_printed


def test_a_stalled_serial_port_times_out_and_may_have_printed(pty_pair: tuple[int, str]) -> None:
    _, device = pty_pair  # nobody reads the master: the pty buffer fills
    big = PrintJobBytes("big", b"x" * 4_000_000, "")
    with pytest.raises(PrinterFault) as caught:
        SerialPrinter(device, 9600, timeout_s=0.3, profile="default").send(big)
    assert caught.value.kind == "timeout" and caught.value.maybe_printed


class FakeUsbDevice:
    """Stands in for the pyusb device: its write() records; nothing else of python-escpos is faked."""

    class backend:  # a backend that is not libusb1: python-escpos skips the kernel-driver check
        pass

    def __init__(self) -> None:
        self.written: list[tuple[int, bytes, int]] = []

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        self.written.append((endpoint, bytes(data), timeout))
        return len(data)

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass


def test_usb_sends_the_same_bytes_as_dummy_with_the_hard_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No USB printer can run here: only pyusb's device (found by usb.core.find) is faked.
    device = FakeUsbDevice()
    asked: list[dict[str, object]] = []

    def find(**match: object) -> FakeUsbDevice:
        asked.append(match)
        return device

    monkeypatch.setattr(usb.core, "find", find)
    job = receipt_job()
    UsbPrinter(0x04B8, 0x0202, timeout_s=2.5, profile="default").send(job)
    assert asked == [{"idVendor": 0x04B8, "idProduct": 0x0202}]
    assert b"".join(data for _, data, _ in device.written) == job.data
    assert {(endpoint, timeout) for endpoint, _, timeout in device.written} == {(0x01, 2500)}


def test_a_usb_printer_that_is_not_plugged_in_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(usb.core, "find", lambda **match: None)
    with pytest.raises(PrinterFault) as caught:
        UsbPrinter(0x04B8, 0x0202, timeout_s=1, profile="default").send(receipt_job())
    assert caught.value.kind == "unreachable"
