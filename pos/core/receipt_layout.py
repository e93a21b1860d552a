"""A receipt laid out for paper: plain-data blocks (text lines, QR, Code128, cut) for 32/42/48 columns.

Rules kept: every text line fits the width, and control characters never reach paper (a name
with ESC in it would be a printer command); the same blocks drive the ESC/POS bytes, the
terminal text and the PNG, so all three say the same; a copy is marked AFRIT with its counter
at the top and the bottom. Time is shown in the time zone the caller passes
(Atlantic/Reykjavik), so this module reads no clock and no zone files.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo

from pos.core.receipt import Receipt, ReceiptItem, StoreHeader

WIDTHS = (32, 42, 48)
"""58 mm paper takes 32 (font A) or 42 (font B) columns; 80 mm takes 48."""

TENDER_NAMES = {"netgiro": "Netgíró", "cash": "Reiðufé", "card": "Kort", "gift_card": "Gjafakort"}

_PLACEHOLDER = re.compile(r"\{store\.([a-z_]+)\}")


@dataclass(frozen=True)
class Text:
    """One printed line, already fitted to the width."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Barcode128:
    data: str


@dataclass(frozen=True)
class Cut:
    pass


Block = Text | QrCode | Barcode128 | Cut


@dataclass(frozen=True)
class Templates:
    """Free text from ``receipts/``: ``{store.*}`` placeholders are filled from the header."""

    header: str = "{store.name}\n{store.address}\nKt. {store.kennitala}\nVSK-nr. {store.vsk_number}"
    footer: str = "Takk fyrir viðskiptin!"


def layout_receipt(
    receipt: Receipt,
    *,
    width: int,
    tz: tzinfo,
    templates: Templates = Templates(),
    copy_no: int = 0,
) -> list[Block]:
    """The receipt as blocks, top to bottom, ending with the cut."""
    if width not in WIDTHS:
        raise ValueError(f"receipt width {width}: use one of {WIDTHS}")
    page = _Page(width)
    page.copy_mark(copy_no)
    page.centred(fill_template(templates.header, receipt.store))
    page.rule()
    _identity(page, receipt, tz)
    page.rule()
    for item in receipt.items:
        _item(page, item)
    page.rule()
    _totals(page, receipt)
    _vat(page, receipt)
    _netgiro(page, receipt)
    page.blocks += [QrCode(receipt.code), Barcode128(receipt.code)]
    page.centred([receipt.code])
    page.centred(fill_template(templates.footer, receipt.store))
    page.copy_mark(copy_no)
    page.blocks.append(Cut())
    return page.blocks


def text_lines(blocks: list[Block]) -> list[str]:
    """The blocks as terminal text: codes show as a bracketed line, the cut as a dashed one."""
    lines = []
    for block in blocks:
        if isinstance(block, Text):
            lines.append(block.text)
        elif isinstance(block, QrCode):
            lines.append(f"[QR {block.data}]")
        elif isinstance(block, Barcode128):
            lines.append(f"[Code128 {block.data}]")
        else:
            lines.append("- - - - - - - - ✂")
    return lines


def fill_template(template: str, store: StoreHeader) -> list[str]:
    """Template lines with ``{store.*}`` filled; a line whose placeholders are all empty is dropped."""
    lines = []
    for line in template.splitlines():
        values = [str(getattr(store, key, "")) for key in _PLACEHOLDER.findall(line)]
        filled = _PLACEHOLDER.sub(lambda m: str(getattr(store, m.group(1), m.group(0))), line)
        if values and not any(values):
            continue
        lines.append(filled)
    return lines


def template_problems(template: str) -> list[str]:
    """Placeholders a template names that the store header does not have."""
    known = set(StoreHeader.__dataclass_fields__)
    return [
        f"{{store.{key}}} is not a store field"
        for key in _PLACEHOLDER.findall(template)
        if key not in known
    ]


# --- sections ---------------------------------------------------------------------------------


def _identity(page: _Page, receipt: Receipt, tz: tzinfo) -> None:
    if receipt.receipt_no is not None:
        page.pair(f"Kvittun nr. {receipt.receipt_no}", "", bold=True)
    page.pair("Sala", str(receipt.sale_id))
    if receipt.paid_at:
        page.pair("Dags.", local_time(receipt.paid_at, tz))
    if receipt.register:
        page.pair("Kassi", receipt.register)
    if receipt.cashier:
        page.pair("Afgreiðsla", receipt.cashier)


def _item(page: _Page, item: ReceiptItem) -> None:
    if item.quantity_milli == 1000:
        page.pair(item.name, kr(item.amount + item.discount))
    else:
        page.wrapped(item.name)
        quantity = f"  {quantity_text(item.quantity_milli)} x {kr(item.unit_price)}"
        page.pair(quantity, kr(item.amount + item.discount))
    if item.discount:
        reason = f" ({item.discount_reason})" if item.discount_reason else ""
        page.pair(f"  Afsláttur{reason}", kr(-item.discount))


def _totals(page: _Page, receipt: Receipt) -> None:
    if receipt.discount:
        reason = f" ({receipt.discount_reason})" if receipt.discount_reason else ""
        page.pair(f"Afsláttur{reason}", kr(-receipt.discount))
    page.pair("SAMTALS", kr(receipt.total) + " kr.", bold=True)
    for tender in receipt.tenders:
        handed = tender.amount if tender.tendered is None else tender.tendered
        page.pair(f"Greitt: {TENDER_NAMES.get(tender.kind, tender.kind)}", kr(handed))
    if receipt.change:
        page.pair("Til baka", kr(receipt.change))


def _vat(page: _Page, receipt: Receipt) -> None:
    if not receipt.vat:
        page.line("Verð eru með VSK")  # prices include VAT; a v1 sale never recorded its rates
        return
    page.rule()
    for share in receipt.vat:
        page.pair(f"þar af VSK {share.rate} %", kr(share.vat))
    page.pair("Samtals VSK", kr(sum(share.vat for share in receipt.vat)))


def _netgiro(page: _Page, receipt: Receipt) -> None:
    netgiro = receipt.netgiro
    if netgiro is None:
        return
    page.rule()
    page.pair("Netgíró", "", bold=True)
    if netgiro.invoice_number:
        page.pair("Reikningur", netgiro.invoice_number)
    page.pair("Færsla", netgiro.short_transaction_id)
    if netgiro.customer_masked:
        page.pair("Viðskiptavinur", netgiro.customer_masked)


# --- formatting -------------------------------------------------------------------------------


def kr(amount: int) -> str:
    """``1.990``: Icelandic grouping, no unit."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".")


def quantity_text(quantity_milli: int) -> str:
    """Thousandths as Icelandic decimals: 1500 → ``1,5``, 250 → ``0,25``."""
    whole, milli = divmod(quantity_milli, 1000)
    return str(whole) if milli == 0 else f"{whole},{milli:03d}".rstrip("0")


def local_time(paid_at: str, tz: tzinfo) -> str:
    """``01.12.2026 22:15`` in the given zone; text that is not a time is shown as it is."""
    try:
        stamp = datetime.fromisoformat(paid_at)
    except ValueError:
        return for_paper(paid_at)
    return stamp.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def for_paper(text: str) -> str:
    """Text safe to print: control, format (bidi) and unassigned characters become spaces."""
    if text.isprintable():  # no character of category C (nor Z but the space): nothing to do
        return text
    return "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap``, without its cost for the usual short line that needs no wrapping."""
    if len(text) <= width and text.isprintable() and text == text.strip() and text:
        return [text]
    return textwrap.wrap(text, width)


class _Page:
    """Blocks being laid out at one width."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.blocks: list[Block] = []

    def line(self, text: str, *, bold: bool = False) -> None:
        self.blocks.append(Text(for_paper(text)[: self.width].rstrip(), bold))

    def rule(self) -> None:
        self.line("-" * self.width)

    def centred(self, lines: list[str]) -> None:
        for line in lines:
            for part in _wrap(for_paper(line), self.width) or [""]:
                self.line(part.center(self.width))

    def wrapped(self, text: str) -> None:
        for part in _wrap(for_paper(text), self.width) or [""]:
            self.line(part)

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        """``left`` then ``right`` flush right; a long left side wraps above the right one."""
        left, right = for_paper(left), for_paper(right)[: self.width]
        parts = [left] if len(left) <= self.width else _wrap(left, self.width) or [""]
        for part in parts[:-1]:
            self.line(part, bold=bold)
        last = parts[-1]
        gap = self.width - len(last) - len(right)
        if gap >= 1 or not right:
            self.line(last + " " * max(gap, 0) + right, bold=bold)
        else:
            self.line(last, bold=bold)
            self.line(right.rjust(self.width), bold=bold)

    def copy_mark(self, copy_no: int) -> None:
        if copy_no > 0:
            self.line(f"*** AFRIT {copy_no} ***".center(self.width), bold=True)
