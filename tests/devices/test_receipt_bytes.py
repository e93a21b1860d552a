"""A receipt's ESC/POS bytes read back by our own parser: every byte a known command, in order."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pos.core.errors import ConfigError
from pos.core.receipt import receipt_from_snapshot
from pos.core.receipt_layout import layout_receipt, text_lines
from pos.devices.escpos_render import PrinterProfile, render_escpos
from tests.devices.receipts import ICELANDIC, RICH_SNAPSHOT, V1_SNAPSHOT
from tests.support.escpos_parser import Command, EscposParseError, parse

REYKJAVIK = ZoneInfo("Atlantic/Reykjavik")


def blocks_of(snapshot: dict[str, object], width: int = 42, copy_no: int = 0) -> list[object]:
    receipt = receipt_from_snapshot(snapshot)
    return list(layout_receipt(receipt, width=width, tz=REYKJAVIK, copy_no=copy_no))


@pytest.mark.parametrize("width", [32, 42, 48])
def test_the_bytes_say_the_receipt_line_by_line_in_cp850(width: int) -> None:
    blocks = blocks_of(RICH_SNAPSHOT, width)
    parsed = parse(render_escpos(blocks))  # type: ignore[arg-type]
    expected = [line for line in text_lines(blocks) if not line.startswith(("[", "- - -"))]  # type: ignore[arg-type]
    assert parsed.lines == expected
    printed = " ".join(parsed.lines)
    assert all(letter in printed for letter in ICELANDIC.split())


def line_index(commands: list[Command], starts: str) -> int:
    return next(
        n for n, c in enumerate(commands) if c.name == "line" and str(c.value).startswith(starts)
    )


def test_code_page_text_vat_tenders_qr_barcode_and_cut_come_in_order() -> None:
    parsed = parse(render_escpos(blocks_of(RICH_SNAPSHOT)))  # type: ignore[arg-type]
    commands, names = parsed.commands, parsed.names()
    assert commands[:2] == [Command("init"), Command("codepage", "cp850")]
    order = [
        line_index(commands, "þ ð æ ö"),
        line_index(commands, "Greitt: Netgíró"),
        line_index(commands, "þar af VSK 24 %"),
        line_index(commands, "Viðskiptavinur"),
        names.index("qr_data"),
        names.index("qr_print"),
        names.index("barcode"),
        line_index(commands, "                S1-R1-R42"),
        names.index("cut"),
    ]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert parsed.first("qr_data").value == "S1-R1-R42"
    assert parsed.first("barcode").value == ("CODE128", "{BS1-R1-R42")
    assert names[-1] == "cut"


def test_bold_is_switched_on_for_the_total_and_off_after() -> None:
    parsed = parse(render_escpos(blocks_of(RICH_SNAPSHOT)))  # type: ignore[arg-type]
    commands = parsed.commands
    total = next(
        n for n, c in enumerate(commands) if c.name == "line" and str(c.value).startswith("SAMTALS")
    )
    assert commands[total - 1] == Command("bold", True)
    assert commands[total + 1] == Command("bold", False)


def test_a_copy_is_the_same_bytes_with_the_afrit_lines_added() -> None:
    original = parse(render_escpos(blocks_of(V1_SNAPSHOT)))  # type: ignore[arg-type]
    copy = parse(render_escpos(blocks_of(V1_SNAPSHOT, copy_no=1)))  # type: ignore[arg-type]
    assert copy.lines[0].strip() == copy.lines[-1].strip() == "*** AFRIT 1 ***"
    assert copy.lines[1:-1] == original.lines


def test_a_v1_receipt_prints_its_reference_as_qr_and_code128() -> None:
    parsed = parse(render_escpos(blocks_of(V1_SNAPSHOT)))  # type: ignore[arg-type]
    assert parsed.first("qr_data").value == "R1-ab12-7-1"
    assert parsed.first("barcode").value == ("CODE128", "{BR1-ab12-7-1")


def test_qr_as_an_image_for_printers_without_native_qr() -> None:
    parsed = parse(render_escpos(blocks_of(V1_SNAPSHOT), PrinterProfile(qr="image")))  # type: ignore[arg-type]
    assert "raster" in parsed.names() and "qr_data" not in parsed.names()


def test_a_profile_without_the_code_page_is_a_config_error_not_question_marks() -> None:
    with pytest.raises(ConfigError, match="has no CP850"):
        render_escpos(blocks_of(V1_SNAPSHOT), PrinterProfile(name="simple"))  # type: ignore[arg-type]


def test_the_parser_refuses_unknown_commands_and_text_before_a_code_page() -> None:
    with pytest.raises(EscposParseError, match="unknown command ESC"):
        parse(b"\x1b@\x1bt\x02\x1bZ\x00")
    with pytest.raises(EscposParseError, match="before any code page"):
        parse(b"\x1b@hello\n")
    with pytest.raises(EscposParseError, match="without a line feed"):
        parse(b"\x1bt\x02dangling")


def test_a_code128_too_wide_for_58_mm_paper_is_left_out_and_the_qr_still_carries_it() -> None:
    long_reference = {**V1_SNAPSHOT, "reference": "S1-R1-e904fe0b-12-1"}
    narrow = parse(render_escpos(blocks_of(long_reference, 32), paper_dots=384))  # type: ignore[arg-type]
    wide = parse(render_escpos(blocks_of(long_reference, 48), paper_dots=576))  # type: ignore[arg-type]
    assert (
        "barcode" not in narrow.names() and narrow.first("qr_data").value == "S1-R1-e904fe0b-12-1"
    )
    assert wide.first("barcode").value == ("CODE128", "{BS1-R1-e904fe0b-12-1")


def test_a_profile_without_a_qr_command_gets_the_qr_as_an_image() -> None:
    parsed = parse(render_escpos(blocks_of(V1_SNAPSHOT), PrinterProfile(name="POS-5890")))  # type: ignore[arg-type]
    assert "raster" in parsed.names() and "qr_data" not in parsed.names()


def test_42_columns_on_58_mm_paper_select_font_b_before_any_text() -> None:
    small = parse(render_escpos(blocks_of(V1_SNAPSHOT, 42), paper_dots=384, small_font=True))  # type: ignore[arg-type]
    assert small.names()[:3] == ["init", "codepage", "font"] and small.first("font").value == "B"
    assert "font" not in parse(render_escpos(blocks_of(V1_SNAPSHOT, 48))).names()  # type: ignore[arg-type]
