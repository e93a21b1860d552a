"""``pos smoke``'s device checks on real parts: files, a loopback TCP port, pyserial URLs and paths."""

from __future__ import annotations

import socket
from pathlib import Path

from pos.devices.printers import FilePrinter, NetworkPrinter, SerialPrinter
from pos.services.smoke_devices import ScannerPort, printer_check, scanner_check


def test_the_file_printer_gets_a_test_print_while_the_till_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "receipts"
    folder.mkdir()

    check = printer_check(FilePrinter(folder), till_open=False)

    assert check.verdict == "ok", check.line()
    assert (folder / "smoke-test-print.bin").read_bytes().startswith(b"\x1b@")
    assert "test print" in (folder / "smoke-test-print.txt").read_text(encoding="utf-8")


def test_a_missing_receipts_folder_is_not_made_by_the_smoke(tmp_path: Path) -> None:
    check = printer_check(FilePrinter(tmp_path / "receipts"), till_open=False)

    assert check.verdict == "ok" and "the till makes it" in check.message
    assert not (tmp_path / "receipts").exists()


def test_an_unwritable_printer_path_fails_with_its_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")  # even root cannot make a folder in it

    under_a_file = printer_check(FilePrinter(blocker / "receipts"), till_open=False)
    is_a_file = printer_check(FilePrinter(blocker), till_open=False)

    for check in (under_a_file, is_a_file):
        assert check.verdict == "fail", check.line()
        assert "printer.folder" in check.fix
    assert "cannot write its test print" in is_a_file.message
    assert "cannot make" in under_a_file.message


def test_a_network_printer_that_says_nothing_is_a_warning_not_ok() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:  # accepts, never answers
        printer = NetworkPrinter(
            "127.0.0.1", listener.getsockname()[1], timeout_s=0.3, profile="default"
        )

        check = printer_check(printer, till_open=True)  # only asked, even beside the till

    assert check.verdict == "warn", check.line()
    assert "did not say" in check.message and "paper" in check.fix


def test_a_serial_scanner_port_that_opens_is_ok() -> None:
    check = scanner_check(ScannerPort("loop://"), till_open=False)

    assert check.verdict == "ok", check.line()


def test_a_missing_serial_port_fails_with_its_fix(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyACM-gone")

    check = scanner_check(ScannerPort(missing), till_open=False)

    assert check.verdict == "fail", check.line()
    assert missing in check.message and "does not open" in check.message
    assert "/dev/serial/by-id/" in check.fix


def test_the_scanner_is_left_to_the_open_till(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyACM-gone")  # would fail if it were opened

    check = scanner_check(ScannerPort(missing), till_open=True)

    assert check.verdict == "warn" and "open till" in check.message


def test_a_keyboard_wedge_needs_nothing_opened() -> None:
    assert scanner_check(None, till_open=False).verdict == "ok"


def test_a_serial_printer_the_open_till_holds_is_not_touched(tmp_path: Path) -> None:
    printer = SerialPrinter(str(tmp_path / "ttyS-gone"), 9600, timeout_s=0.5, profile="default")

    check = printer_check(printer, till_open=True)

    assert check.verdict == "warn" and "open till holds the serial printer" in check.message


def test_beside_the_open_till_the_file_printer_is_checked_without_a_test_print(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "receipts"
    folder.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    writable = printer_check(FilePrinter(folder), till_open=True)
    under_a_file = printer_check(FilePrinter(blocker / "receipts"), till_open=True)

    assert writable.verdict == "ok" and list(folder.iterdir()) == []
    assert under_a_file.verdict == "fail" and "printer.folder" in under_a_file.fix
