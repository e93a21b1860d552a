"""The drawer kick: its bytes read back, sent to a real loopback printer, and a fault that says "key"."""

from __future__ import annotations

import time

import pytest

from pos.devices.drawer import DrawerPulse, NoDrawer, PrinterDrawer, kick_bytes
from pos.devices.printers import NetworkPrinter
from tests.devices.loopback_printer import closed_port, loopback_printer
from tests.support.escpos_parser import Command, parse


@pytest.mark.parametrize(
    ("pulse", "command"),
    [
        (DrawerPulse(), Command("drawer", (0, 50, 50))),
        (DrawerPulse(pin=5, on_ms=200, off_ms=400), Command("drawer", (1, 100, 200))),
        (DrawerPulse(realtime=True), Command("realtime_pulse", (0, 1))),
        (DrawerPulse(pin=5, on_ms=500, realtime=True), Command("realtime_pulse", (1, 5))),
    ],
)
def test_kick_bytes_are_the_pulse_from_config(pulse: DrawerPulse, command: Command) -> None:
    assert parse(kick_bytes(pulse)).commands == [command]


def test_a_kick_reaches_the_printer() -> None:
    with loopback_printer() as listener:
        ok, _ = PrinterDrawer(
            NetworkPrinter("127.0.0.1", listener.port, timeout_s=1, profile="default"),
            DrawerPulse(),
        ).kick()
        deadline = time.monotonic() + 5
        while not listener.received and time.monotonic() < deadline:
            time.sleep(0.01)
    assert ok and listener.received == [kick_bytes(DrawerPulse())]


def test_a_kick_that_cannot_be_sent_says_to_use_the_key_and_never_raises() -> None:
    printer = NetworkPrinter("127.0.0.1", closed_port(), timeout_s=0.5, profile="default")
    ok, message = PrinterDrawer(printer, DrawerPulse()).kick()
    assert not ok and "open the drawer with the key" in message
    assert NoDrawer().kick()[0] is False
