"""``[store]``: the store's legal identity, printed on receipts (name, address, kennitala, VSK number).

- The kennitala must be a real date (companies add 40 to the day) with a known century digit;
  its old check digit only warns (payment-safety.md: Registers Iceland stopped computing it in
  February 2026). It is kept as 10 digits, without the hyphen.
- The VSK number (virðisaukaskattsnúmer) is 5 or 6 digits: Skatturinn issued 5-digit numbers and
  now issues 6-digit ones (the pattern ``^\\d{5,6}$`` VIES-style validators use for Iceland).
  Only the shape is checked: whether it is registered is Skatturinn's to say.
- A section of the "feature" role: a mistake here never stops a payment or ``pos recover``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos.config.reader import Reader, shown
from pos.config.section import Section
from pos.config.text_rules import unsafe_characters
from pos.core.customer_ids import parse_kennitala
from pos.core.errors import InputError
from pos.core.masking import mask_kennitala

VSK_SHAPE = re.compile(r"[0-9]{5,6}")
_SEPARATORS = re.compile(r"[\s-]")
TEXT_MAX_LENGTH = 80


@dataclass(frozen=True)
class StoreSettings:
    """Who sells: shown on every receipt. Empty text means "not configured"."""

    name: str = ""
    address: str = ""
    kennitala: str = ""
    """10 digits without the hyphen."""
    vsk_number: str = ""
    """5 or 6 digits."""


DEMO_STORE = StoreSettings(
    name="Sýnibúðin (prófun, ekki reikningur)",
    address="Prófunargötu 1, 101 Reykjavík",
    kennitala="6901011060",
    vsk_number="999999",
)
"""With no config file (the embedded sandbox): a made-up store, so the first receipt a new
user sees is a complete one; its name says it is a demo. A config file never gets it (nor do
``pos config init``'s defaults): the loader puts it in only when there is no file."""


def parse_store(reader: Reader) -> StoreSettings:
    name = _one_line(reader, "name", reader.text("name", ""))
    address = _one_line(reader, "address", reader.text("address", ""))
    kennitala = _kennitala(reader, reader.text("kennitala", ""))
    vsk_number = _vsk_number(reader, reader.text("vsk_number", ""))
    if reader.file is not None and not (name and kennitala):
        missing = " and ".join(
            key for key, value in (("name", name), ("kennitala", kennitala)) if not value
        )
        reader.warn(
            "name" if not name else "kennitala",
            f"[store] has no {missing}: receipts will not show who sells.",
            "Add them from the store's registration.",
        )
    return StoreSettings(name, address, kennitala, vsk_number)


def _one_line(reader: Reader, key: str, value: str) -> str:
    unsafe = unsafe_characters(value)
    if unsafe:
        reader.error(
            key,
            f"{reader.name(key)} holds control or invisible characters ({', '.join(unsafe[:3])}).",
            "Write it on one line with visible characters only.",
        )
        return ""
    if len(value) > TEXT_MAX_LENGTH:
        reader.error(
            key,
            f"{reader.name(key)} is {len(value)} characters long; at most {TEXT_MAX_LENGTH}.",
            "Shorten it.",
        )
        return ""
    return value.strip()


def _kennitala(reader: Reader, text: str) -> str:
    if not text.strip():
        return ""
    name = reader.name("kennitala")
    digits = _SEPARATORS.sub("", text)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10):
        reader.error("kennitala", f"{name} must be 10 digits, like 550303-1240.", "Correct it.")
        return ""
    try:
        parsed = parse_kennitala(digits, sandbox=False)
    except InputError as exc:
        why = exc.message.split(": ", 1)[-1]  # the reason, without the full kennitala
        reader.error(
            "kennitala", f"{name} {mask_kennitala(digits)} is not a kennitala: {why}", "Correct it."
        )
        return ""
    for warning in parsed.warnings:
        reader.warn("kennitala", f"{name}: {warning}", "Check it against the registration.")
    return digits


def _vsk_number(reader: Reader, text: str) -> str:
    if not text.strip():
        return ""
    digits = _SEPARATORS.sub("", text)
    if not VSK_SHAPE.fullmatch(digits):
        reader.error(
            "vsk_number",
            f"{reader.name('vsk_number')} must be the 5- or 6-digit VSK number, not {shown(text)}.",
            "Copy it from the store's VAT registration (digits only).",
        )
        return ""
    return digits


SECTION = Section("store", parse_store, role="feature")
