"""Shapes of the ids and names the config holds: what a journal line, a receipt and Netgíró can carry."""

from __future__ import annotations

import re
import unicodedata

ID_SHAPE = re.compile(r"[A-Za-z0-9]+")
"""Store and register ids: part of every payment Reference (``[A-Za-z0-9-]``, "-" separates)."""

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format (bidi marks included), surrogate, private-use, unassigned, line/paragraph separators."""


def is_printable_ascii(text: str) -> bool:
    """Letters, digits, punctuation and plain spaces of ASCII only."""
    return all(" " <= char <= "~" for char in text)


def unsafe_characters(text: str) -> list[str]:
    """Characters that could break a one-line layout or reorder text on a screen, as ``U+XXXX``."""
    found = []
    for char in text:
        if unicodedata.category(char) in _UNSAFE_CATEGORIES and f"U+{ord(char):04X}" not in found:
            found.append(f"U+{ord(char):04X}")
    return found
