"""The [printer], [scanner] and [receipt] section parsers: defaults, every problem named, did-you-mean."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.devices.settings import (
    PrinterSettings,
    ReceiptSettings,
    ScannerSettings,
    parse_printer_section,
    parse_receipt_section,
    parse_scanner_section,
)


def test_empty_sections_give_the_defaults_without_problems() -> None:
    assert parse_printer_section({}) == (PrinterSettings(), [])
    assert parse_scanner_section({}) == (ScannerSettings(), [])
    assert parse_receipt_section({}) == (ReceiptSettings(), [])
    printer = PrinterSettings()
    assert (printer.kind, printer.port, printer.codepage, printer.timeout_s) == (
        "file",
        9100,
        "CP850",
        5.0,
    )


def test_a_network_printer_with_host_port_and_a_short_timeout() -> None:
    parsed, problems = parse_printer_section(
        {"kind": "network", "host": "10.0.0.9", "port": 9101, "timeout_s": 2}
    )
    assert problems == [] and (parsed.host, parsed.port, parsed.timeout_s) == (
        "10.0.0.9",
        9101,
        2.0,
    )


def test_usb_ids_may_be_written_in_hex() -> None:
    parsed, problems = parse_printer_section(
        {"kind": "usb", "vendor_id": "0x04b8", "product_id": 514}
    )
    assert problems == [] and (parsed.vendor_id, parsed.product_id) == (0x04B8, 514)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"kind": "bluetooth"}, "printer.kind: 'bluetooth'; use one of file, network, usb, serial"),
        ({"kind": "network"}, "printer.host: a network printer needs it"),
        ({"kind": "serial"}, "printer.device: a serial printer needs it"),
        ({"port": 70000}, "printer.port: 70000 is not a TCP port (1 to 65535)"),
        ({"timeout_s": 0}, "printer.timeout_s: 0.0; use 0.5 to 60 seconds"),
        ({"timeout_s": float("nan")}, "printer.timeout_s: nan is not number"),
        ({"drawer_pin": 3}, "printer.drawer_pin: 3; the drawer is on pin 2 or 5"),
        (
            {"profile": "TM-T88"},
            "printer.profile: 'TM-T88' is not a known printer profile (did you mean",
        ),
        ({"profile": "simple"}, "printer.codepage: profile 'simple' has no CP850"),
        ({"qr": "svg"}, "printer.qr: 'svg'; use one of native, image"),
        ({"hots": "x"}, "printer.hots: not a printer setting; did you mean host?"),
    ],
)
def test_each_printer_problem_names_its_key_and_the_fix(
    table: dict[str, Any], problem: str
) -> None:
    parsed, problems = parse_printer_section(table)
    assert any(p.startswith(problem) for p in problems), problems
    assert isinstance(parsed, PrinterSettings)


def test_every_problem_is_reported_at_once() -> None:
    _, problems = parse_printer_section({"kind": "usb", "port": 0, "drawer_pin": 9, "baud": -1})
    assert len(problems) == 5  # vendor_id, product_id, port, drawer_pin, baud


def test_scanner_section() -> None:
    parsed, problems = parse_scanner_section(
        {"kind": "serial", "port": "/dev/serial/by-id/usb-X", "suffix": "CRLF"}
    )
    assert problems == [] and parsed.suffix == "CRLF"
    assert parse_scanner_section({"kind": "serial"})[1] == [
        "scanner.port: a serial scanner needs its port, e.g. /dev/serial/by-id/usb-…"
    ]
    assert parse_scanner_section({"suffix": "TAB"})[1][0].startswith("scanner.suffix: 'TAB'")


def test_receipt_width_is_32_42_or_48() -> None:
    assert parse_receipt_section({"width": 32}) == (ReceiptSettings(width=32), [])
    parsed, problems = parse_receipt_section({"width": 40})
    assert parsed.width == 48 and problems[0].startswith("receipt.width: 40 columns")


toml_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "kind",
                "host",
                "port",
                "timeout_s",
                "vendor_id",
                "baud",
                "profile",
                "codepage",
                "qr",
                "drawer_pin",
                "drawer_realtime",
                "x",
            ]
        ),
        toml_values,
    )
)
def test_any_table_gives_settings_and_problems_never_an_exception(table: dict[str, Any]) -> None:
    parsed, problems = parse_printer_section(table)
    assert isinstance(parsed, PrinterSettings) and all(isinstance(p, str) for p in problems)
