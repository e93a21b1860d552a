"""``[receipt]``: the paper's width in columns and the folder of the header and footer templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pos.config.reader import Reader
from pos.config.section import Section

WIDTHS = (32, 42, 48)


@dataclass(frozen=True)
class ReceiptSettings:
    """58 mm paper takes 32 or 42 columns, 80 mm takes 48."""

    width: int = 48
    templates: Path = Path("receipts")
    """Where header.txt and footer.txt are: ``receipts/`` beside the config file by default."""


def parse_receipt(reader: Reader) -> ReceiptSettings:
    width = reader.whole("width", 48)
    templates = reader.path("templates")
    if width not in WIDTHS:
        reader.error(
            "width",
            f"{reader.name('width')} is {width} columns.",
            "Use 32 or 42 (58 mm paper) or 48 (80 mm).",
        )
        width = 48
    return ReceiptSettings(width, templates or reader.folder / "receipts")


SECTION = Section("receipt", parse_receipt, role="feature")
