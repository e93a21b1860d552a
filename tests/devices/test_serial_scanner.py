"""The serial scanner over real pty pairs and loop://: suffixes, 100 scans, unplug and replug."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.devices.scanner import SUFFIX_BYTES, SerialScanner
from pos.devices.status import DeviceStatus

CODES = [f"{5690000000000 + n * 7919:013d}" for n in range(100)]


class Collected:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.states: list[str] = []
        self.changed = threading.Condition()

    def code(self, code: str) -> None:
        with self.changed:
            self.codes.append(code)
            self.changed.notify_all()

    def status(self, status: DeviceStatus) -> None:
        with self.changed:
            self.states.append(status.state)
            self.changed.notify_all()

    def wait(self, condition: Callable[[], bool], seconds: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout=seconds), (self.codes[-3:], self.states)


class Pty:
    """A pty pair standing in for a scanner's USB-serial port; writing to ``master`` is scanning."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)

    def scan(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def plugged() -> Iterator[list[Pty]]:
    ports: list[Pty] = []
    yield ports
    for port in ports:
        with contextlib.suppress(OSError):
            port.unplug()


@pytest.mark.parametrize("suffix", ["CR", "LF", "CRLF"])
def test_each_suffix_ends_each_code(suffix: str, plugged: list[Pty]) -> None:
    port = Pty()
    plugged.append(port)
    seen = Collected()
    scanner = SerialScanner(port.name, suffix=suffix)  # type: ignore[arg-type]
    scanner.start(seen.code, seen.status)
    try:
        seen.wait(lambda: seen.states == ["ok"])
        port.scan(
            b"4006381333931" + SUFFIX_BYTES[suffix] + b"96385" + b"074" + SUFFIX_BYTES[suffix]
        )
        seen.wait(lambda: len(seen.codes) == 2)
    finally:
        scanner.stop()
    assert seen.codes == ["4006381333931", "96385074"]


def test_a_hundred_fast_scans_arrive_none_lost_none_merged(plugged: list[Pty]) -> None:
    port = Pty()
    plugged.append(port)
    seen = Collected()
    scanner = SerialScanner(port.name, suffix="CR")
    scanner.start(seen.code, seen.status)
    try:
        seen.wait(lambda: seen.states == ["ok"])
        for code in CODES:
            port.scan(code.encode() + b"\r")
        seen.wait(lambda: len(seen.codes) >= len(CODES))
    finally:
        scanner.stop()
    assert seen.codes == CODES


def test_unplug_and_replug_by_re_pointing_the_by_id_symlink(
    tmp_path: Path, plugged: list[Pty]
) -> None:
    by_id = tmp_path / "usb-Scanner_1234-if00"
    first = Pty()
    plugged.append(first)
    by_id.symlink_to(first.name)
    seen = Collected()
    scanner = SerialScanner(str(by_id), suffix="CR", backoff_s=(0.05, 0.1))
    scanner.start(seen.code, seen.status)
    try:
        seen.wait(lambda: seen.states == ["ok"])
        first.scan(b"4006381333931\r")
        seen.wait(lambda: seen.codes == ["4006381333931"])
        plugged.remove(first)
        first.unplug()
        by_id.unlink()
        seen.wait(lambda: seen.states[-1] == "fault")
        second = Pty()  # the same scanner comes back on another tty
        plugged.append(second)
        by_id.symlink_to(second.name)
        seen.wait(lambda: seen.states[-1] == "ok")
        second.scan(b"96385074\r")
        seen.wait(lambda: len(seen.codes) == 2)
    finally:
        scanner.stop()
    assert seen.codes == ["4006381333931", "96385074"]
    assert seen.states == ["ok", "fault", "ok"]
    assert scanner.status().state == "ok"


def test_a_scanner_that_is_not_there_reports_disconnected_and_keeps_trying(tmp_path: Path) -> None:
    seen = Collected()
    scanner = SerialScanner(str(tmp_path / "missing"), backoff_s=(0.05,))
    scanner.start(seen.code, seen.status)
    try:
        seen.wait(lambda: seen.states == ["fault"])
        assert scanner.status().kind == "disconnected"
    finally:
        scanner.stop()


codes = st.lists(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40),
    max_size=20,
)


@settings(deadline=None)
@given(codes, st.sampled_from(["CR", "LF", "CRLF"]), st.data())
def test_codes_come_out_whole_however_the_bytes_are_chunked(
    sent: list[str], suffix: str, data: st.DataObject
) -> None:
    stream = b"".join(code.encode() + SUFFIX_BYTES[suffix] for code in sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    scanner = SerialScanner("loop://", suffix=suffix)
    received: list[str] = []
    scanner._on_code = received.append
    pending = b""
    for chunk in chunks:
        pending = scanner._hand_over(pending + chunk)
    assert received == sent and pending == b""
