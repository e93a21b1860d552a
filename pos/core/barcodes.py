"""Product barcodes: EAN-13, EAN-8, UPC-A with their check digits, compared as GTIN-14.

Rules kept: a code is a product only when its check digit is right; UPC-A is an EAN-13 with a
leading 0, so every code is compared as the same 14-digit GTIN. In-store variable-measure codes
(EAN-13 with a GS1 prefix 20-29) carry a weight or a price, but only where the register
configures a layout for that prefix: without one, such a code is a plain product code. A
Netgíró app code is the customer's, never a product.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pos.core.public_test_data import TEST_APP_CODE_PREFIX

Symbology = Literal["EAN-13", "EAN-8", "UPC-A", "GTIN-14"]
Measure = Literal["weight_g", "price"]

_LENGTHS: dict[int, Symbology] = {13: "EAN-13", 8: "EAN-8", 12: "UPC-A", 14: "GTIN-14"}
_DIGITS = re.compile(r"[0-9]+")
VARIABLE_PREFIXES = tuple(str(n) for n in range(20, 30))


class BarcodeError(ValueError):
    """Not a product code the till can use; the message says why."""


def check_digit(body: str) -> int:
    """The GS1 check digit for a body of any length (weights 3, 1, 3, … from the right)."""
    total = sum(int(digit) * (3 if n % 2 == 0 else 1) for n, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def has_valid_check_digit(code: str) -> bool:
    return (
        bool(_DIGITS.fullmatch(code)) and len(code) >= 2 and check_digit(code[:-1]) == int(code[-1])
    )


@dataclass(frozen=True)
class ProductCode:
    """A scanned product code with a verified check digit."""

    digits: str
    symbology: Symbology

    @property
    def gtin14(self) -> str:
        """The code as a 14-digit GTIN: what two codes are compared by."""
        return self.digits.rjust(14, "0")

    def same_product(self, other: ProductCode) -> bool:
        return self.gtin14 == other.gtin14


def parse_product_code(text: str) -> ProductCode:
    """A product code from scanned text, or BarcodeError saying why it is not one."""
    digits = text.strip()
    if not _DIGITS.fullmatch(digits) or not digits.isascii():
        raise BarcodeError(f"{_shown(text)} is not a product code: only digits are.")
    symbology = _LENGTHS.get(len(digits))
    if symbology is None:
        raise BarcodeError(
            f"{_shown(text)} has {len(digits)} digits; product codes have 8, 12, 13 or 14."
        )
    if not has_valid_check_digit(digits):
        raise BarcodeError(f"{_shown(text)}: the check digit is wrong; scan it again.")
    return ProductCode(digits, symbology)


def is_app_code(text: str) -> bool:
    """A Netgíró app code (the customer's one-time code): the till never takes it as a product."""
    digits = text.strip()
    return digits.startswith(TEST_APP_CODE_PREFIX) and bool(_DIGITS.fullmatch(digits))


# --- variable-measure (in-store) codes -----------------------------------------------------


@dataclass(frozen=True)
class VariableLayout:
    """Where an in-store EAN-13 keeps its item reference and its weight or price.

    The 12 digits before the check digit are: the 2-digit prefix, ``item_digits`` of item
    reference, an optional price check digit, then the value (grams or krónur).
    """

    prefix: str
    item_digits: int = 5
    measure: Measure = "weight_g"
    price_check_digit: bool = False

    @property
    def value_digits(self) -> int:
        return 10 - self.item_digits - int(self.price_check_digit)

    def problems(self) -> list[str]:
        found = []
        if self.prefix not in VARIABLE_PREFIXES:
            found.append(f"prefix {self.prefix!r}: in-store codes use the GS1 prefixes 20 to 29")
        if not 1 <= self.item_digits <= 6:
            found.append(f"item_digits {self.item_digits}: use 1 to 6")
        elif self.price_check_digit and self.value_digits not in (4, 5):
            found.append("a price check digit guards a value of 4 or 5 digits only")
        return found


@dataclass(frozen=True)
class VariableMeasure:
    """A decoded in-store code: the item to look up and its weight in grams or its price."""

    code: ProductCode
    item_reference: str
    measure: Measure
    value: int


def decode_variable(
    code: ProductCode, layouts: Mapping[str, VariableLayout]
) -> VariableMeasure | None:
    """The weight or price inside an in-store EAN-13, if a layout is configured for its prefix."""
    layout = layouts.get(code.digits[:2]) if code.symbology == "EAN-13" else None
    if layout is None:
        return None
    body = code.digits[2:12]
    item = body[: layout.item_digits]
    value = body[len(body) - layout.value_digits :]
    if layout.price_check_digit:
        given = int(body[layout.item_digits])
        if price_check_digit(value) != given:
            raise BarcodeError(f"{code.digits}: the price check digit is wrong; weigh it again.")
    return VariableMeasure(code, item, layout.measure, int(value))


def price_for_weight(price_per_kg: int, grams: int) -> int:
    """Price × weight in whole krónur, rounded half up."""
    return (price_per_kg * grams + 500) // 1000


# GS1 price check digit: each position's digit is weighted by one of four digit maps.
_TIMES_2_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_TIMES_3 = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_TIMES_5_PLUS = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_TIMES_5_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def price_check_digit(value: str) -> int:
    """The GS1 price check digit of a 4- or 5-digit price or weight field."""
    d = [int(c) for c in value]
    if len(d) == 4:
        total = _TIMES_2_MINUS[d[0]] + _TIMES_2_MINUS[d[1]] + _TIMES_3[d[2]] + _TIMES_5_MINUS[d[3]]
        return (total * 3) % 10
    if len(d) == 5:
        total = (
            _TIMES_5_PLUS[d[0]]
            + _TIMES_2_MINUS[d[1]]
            + _TIMES_5_MINUS[d[2]]
            + _TIMES_5_PLUS[d[3]]
            + _TIMES_2_MINUS[d[4]]
        )
        return _TIMES_5_MINUS.index((10 - total % 10) % 10)
    raise ValueError(f"a price check digit guards 4 or 5 digits, not {len(d)}")


# --- what a scan is ------------------------------------------------------------------------


@dataclass(frozen=True)
class AppCodeScan:
    """The customer's Netgíró app code, scanned from their phone."""

    code: str


@dataclass(frozen=True)
class UnknownScan:
    """Something the till cannot use; ``reason`` says why."""

    text: str
    reason: str


Scan = ProductCode | VariableMeasure | AppCodeScan | UnknownScan


def classify_scan(text: str, layouts: Mapping[str, VariableLayout]) -> Scan:
    """What a scanned code is: an app code, an in-store code, a product, or unusable."""
    if is_app_code(text):
        return AppCodeScan(text.strip())
    try:
        code = parse_product_code(text)
        return decode_variable(code, layouts) or code
    except BarcodeError as exc:
        return UnknownScan(text, str(exc))


def _shown(text: str) -> str:
    shown = "".join(char if char.isprintable() else "?" for char in text.strip())
    return shown if len(shown) <= 24 else shown[:24] + "…"
