"""What the cashier's input line holds: an amount, a quantity prefix, or an item code. Pure.

Rules kept (TILL-SCREEN.md), and why:

- Content decides. Eight or more digits are a code (EAN-8 and up), never an amount: a scan
  misread as 12 million krónur must be impossible. One to seven digits (grouping allowed) are
  an amount, by ``pos.core.money.parse_amount``'s rules.
- ``N*`` is the quantity for the next line; ``N*rest`` is that quantity with the rest read as
  above (``3*5690527000019``). ``N`` may have up to three decimals for weights (``0,5*``).
- Timing is only a hint (``scanned``): a wedge scanner types faster than a person, but keys
  from one terminal read share a timestamp, and a slow USB hub can stretch a scan, so the
  hint never changes what the input means.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pos.core.errors import InputError
from pos.core.money import parse_amount

CODE_MIN_DIGITS = 8
MAX_CODE_DIGITS = 20
SCAN_MIN_KEYS = 4
SCAN_MAX_GAP_S = 0.035
"""Wedge scanners send a key every few milliseconds; people rarely type faster than 50 ms."""

_QUANTITY = re.compile(r"\A([0-9]{1,3})(?:[.,]([0-9]{1,3}))?\s*[*×]\s*(.*)\Z", re.DOTALL)
_MAX_ITEMS = 999


class InputKind(StrEnum):
    AMOUNT = "amount"
    CODE = "code"
    QUANTITY = "quantity"
    EMPTY = "empty"
    INVALID = "invalid"


@dataclass(frozen=True)
class ClassifiedInput:
    """What one Enter on the input line means."""

    kind: InputKind
    text: str
    amount: int | None = None
    code: str | None = None
    quantity_milli: int | None = None
    scanned: bool = False
    message: str = ""


def classify_input(keys: Sequence[str] | str, times: Sequence[float] = ()) -> ClassifiedInput:
    """Classify the keys typed before Enter (``times``: one monotonic stamp per key, optional)."""
    text = "".join(keys).strip()
    scanned = looks_scanned(keys, times)
    quantity = _QUANTITY.match(text)
    if quantity is None:
        return _classify_plain(text, scanned, None)
    whole, decimals, rest = quantity.groups()
    milli = int(whole) * 1000 + int((decimals or "").ljust(3, "0"))
    if not 0 < milli <= _MAX_ITEMS * 1000:
        return ClassifiedInput(
            InputKind.INVALID,
            text,
            scanned=scanned,
            message=f"A quantity is from 1 to {_MAX_ITEMS}.",
        )
    if not rest.strip():
        return ClassifiedInput(InputKind.QUANTITY, text, quantity_milli=milli, scanned=scanned)
    return _classify_plain(rest.strip(), scanned, milli, shown=text)


def looks_scanned(keys: Sequence[str] | str, times: Sequence[float]) -> bool:
    """Keys that came scanner-fast, or all in one terminal read (one shared timestamp)."""
    if len(keys) < SCAN_MIN_KEYS or len(times) != len(keys):
        return False
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    return all(0 <= gap <= SCAN_MAX_GAP_S for gap in gaps)


def _classify_plain(
    text: str, scanned: bool, quantity_milli: int | None, shown: str | None = None
) -> ClassifiedInput:
    shown = text if shown is None else shown
    if not text:
        return ClassifiedInput(InputKind.EMPTY, shown, scanned=scanned)
    if text.isascii() and text.isdigit() and len(text) >= CODE_MIN_DIGITS:
        if len(text) > MAX_CODE_DIGITS:
            return ClassifiedInput(
                InputKind.INVALID,
                shown,
                quantity_milli=quantity_milli,
                scanned=scanned,
                message=f"A code has at most {MAX_CODE_DIGITS} digits; scan it again.",
            )
        return ClassifiedInput(
            InputKind.CODE, shown, code=text, quantity_milli=quantity_milli, scanned=scanned
        )
    try:
        amount = parse_amount(text)
    except InputError as exc:
        return ClassifiedInput(
            InputKind.INVALID,
            shown,
            quantity_milli=quantity_milli,
            scanned=scanned,
            message=exc.message,
        )
    return ClassifiedInput(
        InputKind.AMOUNT, shown, amount=amount, quantity_milli=quantity_milli, scanned=scanned
    )
