"""The item catalog: parse its CSV text, look items up by barcode or PLU, find them by name. Pure.

File format (``config/catalog.example.csv``): UTF-8 CSV with the header
``barcode,plu,name,price,vat``. ``barcode`` is an EAN-8, UPC-A, EAN-13 or GTIN-14 (or empty for
items sold by PLU only), ``plu`` a short number unique in the file, ``price`` whole krónur with
VAT included (``1990`` or ``1.990``), ``vat`` the rate in percent (``24``, ``11``, ``0``; a ``%``
may follow). A bad line is skipped and reported with its line number, so one typo never keeps
the till from opening (TILL-CONTRACTS: catalog errors start the till degraded).

Barcodes are refused with a wrong check digit, on the counter and in the file
(``pos.core.barcodes``, the one GS1 check).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pos.core.barcodes import has_valid_check_digit
from pos.core.errors import InputError, PosError
from pos.core.money import parse_amount
from pos.core.vat import VAT_RATES

HEADER = ("barcode", "plu", "name", "price", "vat")
GTIN_LENGTHS = (8, 12, 13, 14)
MAX_NAME = 40
MAX_PLU = 6


class BadBarcode(InputError):
    """A barcode whose check digit is wrong: misread or mistyped, never an amount."""

    title = "Barcode"


class UnknownCode(InputError):
    """A well-formed code the catalog does not have: nothing is added."""

    title = "Unknown item"


@dataclass(frozen=True)
class CatalogItem:
    """One item for sale: price in krónur with VAT included, VAT rate in percent."""

    plu: str
    barcode: str | None
    name: str
    price: int
    vat_rate: int


@dataclass(frozen=True)
class CatalogProblem:
    """A line of the catalog file that was skipped, and why."""

    line_no: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.message}"


class Catalog:
    """Items by barcode (as GTIN-14, so UPC-A and EAN-13 of one item match) and by PLU."""

    def __init__(self, items: Sequence[CatalogItem] = ()) -> None:
        self.items = tuple(items)
        self._by_gtin = {gtin_key(i.barcode): i for i in self.items if i.barcode}
        self._by_plu = {i.plu: i for i in self.items}

    def __len__(self) -> int:
        return len(self.items)

    def by_code(self, code: str) -> CatalogItem | None:
        """The item with this barcode or PLU, or None."""
        code = code.strip()
        if code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS:
            found = self._by_gtin.get(gtin_key(code))
            if found is not None:
                return found
        return self._by_plu.get(code)

    def find(self, text: str, limit: int = 20) -> list[CatalogItem]:
        """Items whose name holds ``text`` (case and accents ignored) or whose PLU starts with it."""
        wanted = _folded(text.strip())
        if not wanted:
            return []
        found = [
            item
            for item in self.items
            if wanted in _folded(item.name) or item.plu.startswith(text.strip())
        ]
        return sorted(found, key=lambda item: (not item.plu.startswith(text.strip()), item.name))[
            :limit
        ]


def check_code(code: str) -> None:
    """Refuse a barcode-length code whose check digit is wrong (``BadBarcode``)."""
    if (
        code.isascii()
        and code.isdigit()
        and len(code) in GTIN_LENGTHS
        and not has_valid_check_digit(code)
    ):
        raise BadBarcode(
            f"{code} is not a valid barcode (its check digit is wrong): scan it again or key "
            "the price."
        )


def gtin_key(code: str) -> str:
    """A barcode as GTIN-14: EAN-8, UPC-A and EAN-13 padded with zeros on the left."""
    return code.zfill(14)


def parse_catalog(
    text: str, rates: Sequence[int] = VAT_RATES
) -> tuple[Catalog, list[CatalogProblem]]:
    """Every good line of a catalog file as an item; every bad line as a problem. Never raises."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(rows, None)
    except csv.Error as exc:
        return Catalog(), [CatalogProblem(1, f"not a CSV line ({exc})")]
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        shown = ",".join(HEADER)
        return Catalog(), [CatalogProblem(1, f"the first line must be the header {shown}")]
    items: list[CatalogItem] = []
    problems: list[CatalogProblem] = []
    seen_plu: set[str] = set()
    seen_gtin: set[str] = set()
    while True:
        try:
            row = next(rows, None)
        except csv.Error as exc:  # the rest of the file cannot be read as CSV
            problems.append(CatalogProblem(rows.line_num, f"not a CSV line ({exc})"))
            break
        if row is None:
            break
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        try:
            item = _item(row, rates)
            _refuse_duplicate(item, seen_plu, seen_gtin)
        except PosError as exc:
            problems.append(CatalogProblem(rows.line_num, exc.message))
            continue
        items.append(item)
    return Catalog(items), problems


def _item(row: list[str], rates: Sequence[int]) -> CatalogItem:
    if len(row) != len(HEADER):
        raise InputError(f"expected {len(HEADER)} fields ({','.join(HEADER)}), found {len(row)}")
    barcode, plu, name, price, vat = (cell.strip() for cell in row)
    if barcode:
        if not (barcode.isascii() and barcode.isdigit() and len(barcode) in GTIN_LENGTHS):
            raise InputError(f"barcode {barcode!r} is not 8, 12, 13 or 14 digits")
        check_code(barcode)
    if not (plu.isascii() and plu.isdigit() and 0 < len(plu) <= MAX_PLU):
        raise InputError(f"PLU {plu!r} is not a number of 1 to {MAX_PLU} digits")
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InputError(f"the name must be one line of 1 to {MAX_NAME} letters")
    try:
        amount = parse_amount(price)
    except InputError as exc:
        raise InputError(f"price: {exc.message}") from exc
    return CatalogItem(plu, barcode or None, name, amount, _rate(vat, rates))


def _rate(text: str, rates: Sequence[int]) -> int:
    digits = text.removesuffix("%").strip()
    if not (digits.isascii() and digits.isdigit()) or int(digits) not in rates:
        shown = ", ".join(str(r) for r in rates)
        raise InputError(f"VAT {text!r} is not one of the rates {shown}")
    return int(digits)


def _refuse_duplicate(item: CatalogItem, seen_plu: set[str], seen_gtin: set[str]) -> None:
    if item.plu in seen_plu:
        raise InputError(f"PLU {item.plu} is used twice; the first line is kept")
    if item.barcode:
        if gtin_key(item.barcode) in seen_gtin:
            raise InputError(f"barcode {item.barcode} is used twice; the first line is kept")
        seen_gtin.add(gtin_key(item.barcode))
    seen_plu.add(item.plu)


def _folded(text: str) -> str:
    """Case and accents folded: 'Rúgbrauð' is found by 'rugbrauð'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
