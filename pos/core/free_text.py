"""Free text from outside (Netgíró's ``Message``, notes) made safe to journal, log and show.

One function, ``safe_text``, for every caller. It never touches an identifier (those are
validated, never rewritten); it is for words meant for people. In order:

1. NFKC, so full-width digits and odd spaces cannot hide a kennitala from the masks;
2. phone numbers keep their last 2 digits and kennitölur (``DDMMYY-NNNN``) their last 4, when
   no letter or digit touches the match (GUIDs, grouped amounts and dates pass unchanged);
3. every character a terminal or a printer would act on, or that cannot be encoded (lone
   surrogates; C0 and C1 controls such as ESC, CR and LF; bidi and other format characters;
   unassigned and private-use code points) is written as a visible ``\\x1b``-style escape,
   so a Message cannot move the cursor, recolour the screen or make "Declined" read "Paid";
4. the result is capped at ``limit`` characters, never cutting an escape in half.

It is idempotent (``safe_text(safe_text(t)) == safe_text(t)`` for the same limit), so every
layer that shows or stores outside text may apply it again without garbling it.
"""

from __future__ import annotations

import re
import unicodedata

from pos.core.masking import mask_kennitala, mask_phone

ELLIPSIS = "⋯"  # NFKC leaves it as it is ("…" becomes "..."): safe_text stays idempotent

# Unicode dashes (Pd) and spaces (Zs), and the minus sign: a test checks this list against the
# Unicode database, so a new Python's Unicode version cannot silently widen the gap.
SEPARATORS = (
    "\u002d\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
    "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\u2212"
)
_SEP = "[" + re.escape(SEPARATORS) + "]"
_FREE = r"(?<![^\W_])"  # no letter or digit just before
_END = r"(?![^\W_])"  # …nor just after
_PREFIX = rf"(?:(?:\+|00)354{_SEP}?)?"
_KENNITALA = re.compile(rf"{_FREE}\d{{6}}{_SEP}?\d{{4}}{_END}")
_PHONE = re.compile(
    rf"{_FREE}{_PREFIX}(?:\d{{3}}{_SEP}?\d{{4}}|\d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}){_END}"
)
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def safe_text(text: str, limit: int = 200) -> str:
    """``text`` normalised, with personal numbers masked and control characters escaped."""
    normalised = _nfkc(text)
    # Phones first: "+354" and ten digits would otherwise read as a kennitala after the "+".
    masked = _KENNITALA.sub(_kennitala_mask, _PHONE.sub(_phone_mask, normalised))
    return _capped([_escaped(char) for char in masked], max(limit, 1))


def _nfkc(text: str) -> str:
    # A lone surrogate cannot be normalised; the characters around it still are.
    parts = re.split(r"([\ud800-\udfff])", text)
    return "".join(
        part if len(part) == 1 and 0xD800 <= ord(part) <= 0xDFFF else _normalise(part)
        for part in parts
    )


def _normalise(part: str) -> str:
    return unicodedata.normalize("NFKC", part)


def _digits(match: re.Match[str]) -> str:
    return "".join(char for char in match.group(0) if char.isdigit())


def _kennitala_mask(match: re.Match[str]) -> str:
    return mask_kennitala(_digits(match))


def _phone_mask(match: re.Match[str]) -> str:
    return mask_phone(_digits(match))


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _capped(pieces: list[str], limit: int) -> str:
    if sum(len(piece) for piece in pieces) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    used = 0
    for piece in pieces:
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + ELLIPSIS
