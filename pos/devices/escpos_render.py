"""Receipt blocks to ESC/POS bytes, through python-escpos' ``Dummy`` printer.

Rules kept: a job's bytes are rendered once, before any device is opened, so a fault never
leaves half a rendering and a reprint is byte for byte the same job; the code page is set with
``charcode()`` from the printer profile (a raw ``ESC t`` would leave the encoder and the printer
disagreeing); a profile without that code page is a config error, never a receipt full of '?'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import qrcode
from escpos.image import EscposImage
from escpos.printer import Dummy
from PIL import Image

from pos.core.errors import ConfigError
from pos.core.receipt_layout import Barcode128, Block, Cut, QrCode, Text
from pos.devices.profiles import profile_problems

QR_SIZE = 5
BARCODE_HEIGHT = 60
BARCODE_MODULE = 2


@dataclass(frozen=True)
class PrinterProfile:
    """What the renderer needs to know about the printer: python-escpos profile, code page, QR."""

    name: str = "default"
    codepage: str = "CP850"
    qr: Literal["native", "image"] = "native"


def render_escpos(
    blocks: Sequence[Block],
    profile: PrinterProfile = PrinterProfile(),
    *,
    paper_dots: int = 576,
    small_font: bool = False,
) -> bytes:
    """The job's bytes: reset, code page, the blocks in order, the cut.

    ``paper_dots`` is the printable width (576 on 80 mm paper, 384 on 58 mm): a Code128 too
    wide for it at two dots a module (a long pre-receipt-number reference) is left out.
    ``small_font`` selects font B: 42 columns on 58 mm paper (font A fits 32 there, 48 on 80 mm).
    """
    problems = profile_problems(profile.name, profile.codepage)
    if problems:
        raise ConfigError(" ".join(str(problem) for problem in problems))
    printer = Dummy(profile=profile.name)
    printer.hw("INIT")
    printer.charcode(profile.codepage)
    if small_font:
        printer.set(font="b")
    bold = False
    for block in blocks:
        if isinstance(block, Text):
            if block.bold != bold:
                bold = block.bold
                printer.set(bold=bold)
            printer.textln(block.text)
        elif isinstance(block, QrCode):
            _qr(printer, block.data, profile)
        elif isinstance(block, Barcode128):
            _code128(printer, block.data, paper_dots)
        elif isinstance(block, Cut):
            printer.cut()
    return bytes(printer.output)


def _qr(printer: Dummy, data: str, profile: PrinterProfile) -> None:
    """Native where the profile has a QR command, else as a raster image."""
    printer.set(align="center")
    if profile.qr == "native" and printer.profile.supports("qrCode"):
        printer.qr(data, size=QR_SIZE, native=True)
    else:
        _raster(printer, qr_image(data))
    printer.set(align="left")


def qr_image(data: str, box: int = QR_SIZE) -> Image.Image:
    """The QR code as a black-on-white picture (for printers without native QR, and the PNG)."""
    code = qrcode.QRCode(box_size=box, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    picture: Image.Image = code.make_image().get_image().convert("1")
    return picture


def _raster(printer: Dummy, picture: Image.Image) -> None:
    # GS v 0 written here: Escpos.image() prints a warning to stdout for profiles without a
    # known paper width in pixels, which would corrupt `pos pay --json`.
    raster = EscposImage(picture)
    header = (
        b"\x1dv0\x00"
        + raster.width_bytes.to_bytes(2, "little")
        + raster.height.to_bytes(2, "little")
    )
    printer._raw(header + raster.to_raster_format())


def _code128(printer: Dummy, data: str, paper_dots: int) -> None:
    modules = 11 * (len(data) + 3) + 2 + 20  # start, data, check, stop, quiet zones
    if modules * BARCODE_MODULE > paper_dots:
        return  # too wide for this paper at the narrowest module: the QR and the text carry it
    # The hardware renderer directly: Escpos.barcode() prints its choice of renderer to stdout,
    # which would corrupt `pos pay --json`. Code set B takes the sale code's ASCII as it is.
    printer._hw_barcode(
        "{B" + data,
        "CODE128",
        height=BARCODE_HEIGHT,
        width=BARCODE_MODULE,
        pos="OFF",
        align_ct=True,
        function_type="B",
    )
    printer.set(align="left")
