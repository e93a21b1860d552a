"""A receipt drawn as a PNG: the same blocks as on paper, in a bundled monospace font.

Rules kept: the font ships with the till (DejaVu Sans Mono, its licence beside it), because
Pillow's default font is proportional since 10.1 and columns would not line up; the QR code and
the Code128 barcode are real, scannable codes, drawn from the same data the printer gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from barcode import Code128
from PIL import Image, ImageDraw, ImageFont

from pos.core.receipt_layout import Barcode128, Block, Cut, QrCode, Text
from pos.devices.escpos_render import qr_image

FONTS = Path(__file__).parent / "fonts"
FONT_SIZE = 18
MARGIN = 16
QUIET_MODULES = 10
BARCODE_HEIGHT = 110


def receipt_picture(blocks: Sequence[Block], width_columns: int) -> Image.Image:
    """The receipt as a black-on-white picture, one text row per line."""
    regular = ImageFont.truetype(str(FONTS / "DejaVuSansMono.ttf"), FONT_SIZE)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSansMono-Bold.ttf"), FONT_SIZE)
    column = regular.getlength("M")
    row = int(FONT_SIZE * 1.35)
    page_width = int(column * width_columns) + 2 * MARGIN
    parts: list[Image.Image] = []
    for block in blocks:
        if isinstance(block, Text):
            parts.append(_text_row(block, regular, bold, page_width, row))
        elif isinstance(block, QrCode):
            parts.append(qr_image(block.data, box=6).convert("L"))
        elif isinstance(block, Barcode128):
            parts.append(_code128(block.data, page_width - 2 * MARGIN))
        elif isinstance(block, Cut):
            parts.append(_cut_row(page_width, row))
    return _stack(parts, page_width)


def save_receipt_png(blocks: Sequence[Block], width_columns: int, path: Path) -> None:
    receipt_picture(blocks, width_columns).save(path, format="PNG")


def _text_row(
    block: Text,
    regular: ImageFont.FreeTypeFont,
    bold: ImageFont.FreeTypeFont,
    page_width: int,
    row: int,
) -> Image.Image:
    picture = Image.new("L", (page_width, row), 255)
    ImageDraw.Draw(picture).text(
        (MARGIN, 0), block.text, font=bold if block.bold else regular, fill=0
    )
    return picture


def _code128(data: str, max_width: int) -> Image.Image:
    """Whole pixels per module (a resized barcode stops scanning), as wide as fits, at most 3.

    python-barcode encodes (its modules as a '1'/'0' string); the bars are drawn here, because
    its image writer rounds small modules to nothing.
    """
    bars = Code128(data).build()[0]
    pixels = max(1, min(3, max_width // (len(bars) + 2 * QUIET_MODULES)))
    picture = Image.new("L", ((len(bars) + 2 * QUIET_MODULES) * pixels, BARCODE_HEIGHT), 255)
    draw = ImageDraw.Draw(picture)
    for n, bar in enumerate(bars):
        if bar == "1":
            left = (QUIET_MODULES + n) * pixels
            draw.rectangle([(left, 0), (left + pixels - 1, BARCODE_HEIGHT - 1)], fill=0)
    return picture


def _cut_row(page_width: int, row: int) -> Image.Image:
    picture = Image.new("L", (page_width, row), 255)
    draw = ImageDraw.Draw(picture)
    for x in range(MARGIN, page_width - MARGIN, 12):
        draw.line([(x, row // 2), (x + 6, row // 2)], fill=128)
    return picture


def _stack(parts: Sequence[Image.Image], page_width: int) -> Image.Image:
    height = sum(part.height for part in parts) + 2 * MARGIN
    page = Image.new("L", (page_width, height), 255)
    top = MARGIN
    for part in parts:
        page.paste(part, ((page_width - part.width) // 2, top))
        top += part.height
    return page
