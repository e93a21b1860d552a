"""The receipt as a PNG: bundled monospace font, and a QR code and Code128 that really scan."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image, ImageFont

from pos.core.receipt import receipt_from_snapshot
from pos.core.receipt_layout import layout_receipt
from pos.devices.picture import FONTS, save_receipt_png
from tests.devices.receipts import RICH_SNAPSHOT, V1_SNAPSHOT

REYKJAVIK = ZoneInfo("Atlantic/Reykjavik")


def codes_in(path: Path) -> set[tuple[str, str]]:
    return {(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(path))}


@pytest.mark.parametrize(
    ("snapshot", "copy_no", "code"),
    [(RICH_SNAPSHOT, 0, "S1-R1-R42"), (V1_SNAPSHOT, 1, "R1-ab12-7-1")],
    ids=["rich receipt", "v1 reprint"],
)
@pytest.mark.parametrize("width", [32, 48])
def test_the_png_carries_a_scannable_qr_and_code128(
    snapshot: dict[str, object], copy_no: int, code: str, width: int, tmp_path: Path
) -> None:
    blocks = layout_receipt(
        receipt_from_snapshot(snapshot), width=width, tz=REYKJAVIK, copy_no=copy_no
    )
    path = tmp_path / "receipt.png"
    save_receipt_png(blocks, width, path)
    assert codes_in(path) == {("QRCode", code), ("Code128", code)}


def test_the_bundled_font_is_monospaced_with_its_licence_beside_it() -> None:
    font = ImageFont.truetype(str(FONTS / "DejaVuSansMono.ttf"), 18)
    assert font.getlength("þ") == font.getlength("M") == font.getlength(".")
    assert "Bitstream" in (FONTS / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
