"""Small defects found around the devices: each test failed before its fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pos.config import load_settings
from pos.devices.printers import FilePrinter
from pos.services.receipts import receipt_format
from pos.services.wiring import receipt_header

ROOT_HANDLERS = """
import logging, sys
marker = logging.NullHandler()
logging.getLogger().addHandler(marker)
logging.getLogger().removeHandler(marker)
before = list(logging.getLogger().handlers)
import pos.devices.printers, pos.devices.drawer, pos.devices.escpos_render
after = list(logging.getLogger().handlers)
print(len(before), len(after))
"""


def test_importing_the_devices_leaves_the_root_loggers_handlers_as_they_were() -> None:
    # A fresh interpreter: python-escpos may already be imported in this one. Its
    # escpos.capabilities calls logging.basicConfig() on import, which would hand every later
    # warning to stderr, over the till's screen and `pos pay --json`.
    done = subprocess.run(
        [sys.executable, "-c", ROOT_HANDLERS], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "0"]


def test_the_file_printer_is_at_fault_when_its_folder_cannot_be_created(tmp_path: Path) -> None:
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file where a folder should be", encoding="utf-8")
    status = FilePrinter(in_the_way / "receipts").status()
    assert status.state == "fault" and status.kind == "offline"
    assert "not-a-folder" in status.detail


def test_the_file_printer_is_ok_when_its_folder_can_still_be_created(tmp_path: Path) -> None:
    assert FilePrinter(tmp_path / "data" / "receipts").status().state == "ok"


def test_the_embedded_sandbox_prints_a_demo_store_header() -> None:
    settings = load_settings(None)
    header = receipt_header(settings)
    assert header["name"] and header["address"] and header["kennitala"] and header["vsk_number"]
    fmt = receipt_format(settings)
    assert fmt.store is not None and fmt.store.name == header["name"]


def test_a_config_file_without_store_gets_no_made_up_header(tmp_path: Path) -> None:
    config = tmp_path / "pos.toml"
    config.write_text("[register]\n", encoding="utf-8")
    assert load_settings(config, need_secret=False).store.name == ""


def test_a_scanner_port_that_is_no_port_is_a_config_fault_not_an_unplugged_scanner() -> None:
    import threading

    from pos.devices.scanner import SerialScanner
    from pos.devices.status import DeviceStatus

    seen: list[DeviceStatus] = []
    said = threading.Event()

    def status(now: DeviceStatus) -> None:
        seen.append(now)
        said.set()

    scanner = SerialScanner("nosuchscheme://x", backoff_s=(0.05,))
    scanner.start(lambda code: None, status)
    try:
        assert said.wait(10)
    finally:
        scanner.stop()
    assert (seen[0].state, seen[0].kind) == ("fault", "config")


def test_a_serial_scanner_without_a_port_is_not_started() -> None:
    from pos.config.scanner import ScannerSettings
    from pos.services.devices import scanner_from_settings

    assert scanner_from_settings(ScannerSettings("serial", "", 9600, "CR")) is None
