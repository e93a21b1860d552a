"""The refund slip's blocks: the original receipt named, lines, amounts, VAT per rate, tenders,
manager and reason, every line within the width, copies marked AFRIT."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from pos.core.receipt_layout import WIDTHS, Barcode128, Cut, QrCode, Text, text_lines
from pos.core.refund_slip import layout_refund_slip

SNAPSHOT: dict[str, object] = {
    "document": "refund_slip",
    "number": 3,
    "sale_id": 7,
    "receipt_no": 12,
    "receipt_code": "S1-R1-R12",
    "store": {
        "name": "Búðin ehf.",
        "address": "Laugavegi 1",
        "kennitala": "5501012290",
        "vsk_number": "123456",
        "store_id": "S1",
    },
    "register": "R1",
    "sold_at": "2026-12-01T10:15:00.000+00:00",
    "refunded_at": "2026-12-01T12:00:00.000+00:00",
    "manager": "manager:Anna",
    "reason": "Skilað: of lítill",
    "lines": [
        {
            "line_no": 1,
            "name": "Bolur",
            "unit_price": 1000,
            "quantity_milli": 1000,
            "gross": 1000,
            "vat_rate": 24,
        },
        {
            "line_no": 2,
            "name": "Mjólk",
            "unit_price": 229,
            "quantity_milli": 2000,
            "gross": 458,
            "vat_rate": 11,
        },
    ],
    "vat": [{"rate": 24, "gross": 1000, "vat": 194}, {"rate": 11, "gross": 458, "vat": 45}],
    "total": 1458,
    "tenders": [
        {"kind": "cash", "amount": 500, "status": "DONE"},
        {"kind": "netgiro", "amount": 958, "status": "REFUND_UNKNOWN"},
    ],
}


def test_the_slip_names_the_receipt_lines_vat_tenders_and_manager() -> None:
    blocks = layout_refund_slip(SNAPSHOT, width=32, tz=UTC)
    assert text_lines(blocks) == [
        "           Búðin ehf.",
        "          Laugavegi 1",
        "         Kt. 5501012290",
        "         VSK-nr. 123456",
        "-" * 32,
        "         ENDURGREIÐSLA",
        "Endurgreiðsla nr. 3",
        "Af kvittun nr. 12",
        "Kóði                   S1-R1-R12",
        "Keypt           01.12.2026 10:15",
        "Endurgreitt     01.12.2026 12:00",
        "Kassi                         R1",
        "-" * 32,
        "1. Bolur",
        "  1 x 1.000                1.000",
        "2. Mjólk",
        "  2 x 229                    458",
        "-" * 32,
        "ENDURGREITT            1.458 kr.",
        "  Reiðufé                    500",
        "  Netgíró                    958",
        "  ÓSTAÐFEST: stjórnandi kannar",
        "hjá Netgíró",
        "-" * 32,
        "þar af VSK 24 %              194",
        "þar af VSK 11 %               45",
        "Samtals VSK                  239",
        "-" * 32,
        "Stjórnandi                  Anna",
        "Ástæða: Skilað: of lítill",
        "[QR S1-R1-R12]",
        "[Code128 S1-R1-R12]",
        "           S1-R1-R12",
        "",
        "Undirskrift viðskiptavinar",
        "",
        "_" * 32,
        "- - - - - - - - ✂",
    ]
    assert Text("         ENDURGREIÐSLA", bold=True) in blocks
    assert QrCode("S1-R1-R12") in blocks and Barcode128("S1-R1-R12") in blocks
    assert isinstance(blocks[-1], Cut)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_line_fits_and_no_control_character_reaches_paper(width: int) -> None:
    hostile = {**SNAPSHOT, "reason": "Skilað\x1b@" + "x" * 90, "manager": "manager:A\u202eB"}
    for line in text_lines(layout_refund_slip(hostile, width=width, tz=UTC)):
        assert len(line) <= width
        assert "\x1b" not in line and "\u202e" not in line


def test_times_are_local_and_a_copy_is_marked_at_top_and_bottom() -> None:
    ahead = timezone(timedelta(hours=1))
    lines = text_lines(layout_refund_slip(SNAPSHOT, width=42, tz=ahead, copy_no=2))
    assert lines[0].strip() == lines[-2].strip() == "*** AFRIT 2 ***"
    assert any(line.startswith("Endurgreitt") and "13:00" in line for line in lines)


def test_a_width_the_printer_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="width 40"):
        layout_refund_slip(SNAPSHOT, width=40, tz=UTC)
