"""The network printer against a real loopback TCP listener: bytes, refusals, stalls, resets, status."""

from __future__ import annotations

import time

import pytest

from pos.devices.printers import NetworkPrinter
from pos.devices.protocols import PrintJobBytes
from pos.devices.status import OK, UNKNOWN, PrinterFault, fault
from tests.devices.loopback_printer import closed_port, loopback_printer

JOB = PrintJobBytes("receipt-000042", b"\x1b@\x1bt\x02Kvittun\n\x1dV\x00", "Kvittun\n")
BIG_JOB = PrintJobBytes("big", b"\x1b@" + b"x" * 8_000_000, "")


def printer_at(port: int, timeout_s: float = 2.0) -> NetworkPrinter:
    return NetworkPrinter("127.0.0.1", port, timeout_s=timeout_s, profile="default")


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_the_listener_receives_exactly_the_jobs_bytes() -> None:
    with loopback_printer() as listener:
        printer_at(listener.port).send(JOB)
        wait_for(lambda: listener.received)
        assert listener.received == [JOB.data]


def test_a_refused_connection_is_unreachable_and_nothing_was_printed() -> None:
    with pytest.raises(PrinterFault) as caught:
        printer_at(closed_port()).send(JOB)
    assert caught.value.kind == "unreachable" and caught.value.maybe_printed is False


def test_a_printer_that_stops_reading_times_out_within_the_hard_timeout() -> None:
    with loopback_printer(mode="never_read") as listener, pytest.raises(PrinterFault) as caught:
        printer_at(listener.port, timeout_s=0.5).send(BIG_JOB)
    assert caught.value.kind == "timeout" and caught.value.maybe_printed is True


def test_a_listener_that_closes_mid_job_is_a_fault_that_may_have_printed() -> None:
    with (
        loopback_printer(mode="reset_after", reset_after=1000) as listener,
        pytest.raises(PrinterFault) as caught,
    ):
        printer_at(listener.port).send(BIG_JOB)
    assert caught.value.maybe_printed is True and caught.value.kind in ("offline", "timeout")


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({1: b"\x16", 2: b"\x12", 4: b"\x12"}, OK),
        ({1: b"\x16", 2: b"\x12", 4: b"\x72"}, fault("paper_out")),
        ({1: b"\x1e", 2: b"\x16", 4: b"\x12"}, fault("cover_open")),
        ({1: b"\x1e", 2: b"\x12", 4: b"\x12"}, fault("offline")),
        ({}, UNKNOWN),  # no reply: unknown, never "no paper"
    ],
    ids=["ok", "paper out", "cover open", "offline", "silent"],
)
def test_status_is_read_from_the_printers_own_replies(
    replies: dict[int, bytes], expected: object
) -> None:
    with loopback_printer(replies=replies) as listener:
        assert printer_at(listener.port, timeout_s=0.3).status() == expected


def test_status_of_an_unreachable_printer_is_a_fault() -> None:
    status = printer_at(closed_port()).status()
    assert (status.state, status.kind) == ("fault", "unreachable")
