"""[printer], [scanner] and [receipt]: defaults, every problem with its key and fix, never blocking."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.config import check_config, load_settings
from pos.config.printer import SECTION as PRINTER
from pos.config.printer import PrinterSettings
from pos.config.receipt import SECTION as RECEIPT
from pos.config.scanner import SECTION as SCANNER
from pos.config.scanner import ScannerSettings
from pos.services.config_commands import check


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    return [str(p) for p in check_config(path) if p.severity == "error"]


def test_without_the_sections_the_till_uses_the_file_printer_and_the_keyboard(
    tmp_path: Path,
) -> None:
    loaded = load_settings(write(tmp_path, ""), need_secret=False)
    assert loaded.get(PRINTER) == PrinterSettings()
    assert loaded.get(SCANNER) == ScannerSettings()
    assert (
        loaded.get(RECEIPT).width == 48 and loaded.get(RECEIPT).templates == tmp_path / "receipts"
    )


def test_a_full_printer_section_reads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[printer]\nkind = "usb"\nvendor_id = "0x04b8"\nproduct_id = 514\ntimeout_s = 2\n'
        'profile = "TM-T88V"\nqr = "image"\ndrawer_pin = 5\ndrawer_realtime = true\n'
        '[receipt]\nwidth = 32\ntemplates = "paper"\n[scanner]\nkind = "serial"\n'
        'port = "/dev/serial/by-id/usb-X"\nsuffix = "CRLF"\n',
    )
    assert errors(path) == []
    loaded = load_settings(path, need_secret=False)
    printer = loaded.get(PRINTER)
    assert (printer.kind, printer.vendor_id, printer.product_id, printer.timeout_s) == (
        "usb",
        0x04B8,
        514,
        2.0,
    )
    assert (printer.qr, printer.drawer_pin, printer.drawer_realtime) == ("image", 5, True)
    assert loaded.get(RECEIPT).templates == tmp_path / "paper"
    assert loaded.get(SCANNER).suffix == "CRLF"


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ('[printer]\nkind = "bluetooth"', "printer.kind must be file, network, usb or serial"),
        ('[printer]\nkind = "network"', "printer.host is needed for a network printer"),
        ('[printer]\nkind = "serial"', "printer.device is needed for a serial printer"),
        (
            '[printer]\nkind = "usb"\nvendor_id = "0xzz"\nproduct_id = 1',
            "printer.vendor_id must be a USB id",
        ),
        ("[printer]\nport = 70000", "printer.port is 70000; it must be 1 to 65535"),
        ("[printer]\ntimeout_s = 0", "printer.timeout_s is 0.0; it must be above 0"),
        ("[printer]\ndrawer_pin = 3", "printer.drawer_pin is 3; a drawer is on pin 2 or 5"),
        ('[printer]\nhots = "x"', "unknown key printer.hots"),
        ('[scanner]\nkind = "serial"', "scanner.port is needed for a serial scanner"),
        ('[scanner]\nsuffix = "TAB"', "scanner.suffix must be CR, LF or CRLF"),
        ("[receipt]\nwidth = 40", "receipt.width is 40 columns"),
    ],
)
def test_each_problem_names_its_key(section: str, problem: str, tmp_path: Path) -> None:
    found = errors(write(tmp_path, section))
    assert any(problem in line for line in found), found


def test_device_problems_degrade_the_till_and_never_block_a_payment(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, '[printer]\nkind = "network"\n[receipt]\nwidth = 7'))
    assert {p.section for p in loaded.degraded} == {"printer", "receipt"}
    assert loaded.get(PRINTER).kind == "network"  # the rest of the section still stands


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ('[printer]\nprofile = "simple"', "has no CP850"),
        ('[printer]\nprofile = "TM-T88"', "not a known printer profile"),
    ],
)
def test_config_check_asks_python_escpos_about_the_profile(
    section: str, problem: str, tmp_path: Path
) -> None:
    report = check(write(tmp_path, section))
    assert any(problem in str(p) for p in report.problems), report.problems


values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))


@settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=st.dictionaries(
        st.sampled_from(
            [
                "kind",
                "host",
                "port",
                "timeout_s",
                "vendor_id",
                "baud",
                "qr",
                "drawer_pin",
                "drawer_realtime",
            ]
        ),
        values,
    )
)
def test_any_printer_table_gives_settings_never_an_exception(
    table: dict[str, object], tmp_path: Path
) -> None:
    import tomlkit

    body = tomlkit.dumps({"printer": {k: v for k, v in table.items() if v is not None}})
    loaded = load_settings(write(tmp_path, body), need_secret=False)
    assert isinstance(loaded.get(PRINTER), PrinterSettings)
