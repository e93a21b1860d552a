"""Customer identifiers at the counter: GSM, kennitala and app code, each masked in repr and str.

Rules kept: a kennitala must be a real date with a known century, but its check digit only
warns (Registers Iceland stopped computing it in February 2026; Netgíró is the authority). A
phone number must be an Icelandic mobile. Only ``for_netgiro`` holds the full value; messages
may echo what the cashier typed (it is on their screen already), and the caller never logs them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from pos.core.errors import InputError
from pos.core.masking import mask_app_code, mask_kennitala, mask_phone
from pos.core.public_test_data import TEST_APP_CODE_PREFIX, TEST_SSNS

_SEPARATORS = re.compile(r"[\s\-.]")
_ASCII_DIGITS = re.compile(r"[0-9]+")
CENTURIES = {"9": 1900, "0": 2000, "8": 1800}
CHECK_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, repr=False)
class Gsm:
    """An Icelandic mobile number, 7 digits."""

    digits: str = field(repr=False)
    kind: str = "gsm"

    @property
    def for_netgiro(self) -> str:
        return self.digits

    @property
    def masked(self) -> str:
        return mask_phone(self.digits)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Gsm({self.masked})"


@dataclass(frozen=True, repr=False)
class Kennitala:
    """A kennitala (SSN), 10 digits without the hyphen."""

    digits: str = field(repr=False)
    kind: str = "ssn"

    @property
    def for_netgiro(self) -> str:
        return self.digits

    @property
    def masked(self) -> str:
        return mask_kennitala(self.digits)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Kennitala({self.masked})"


@dataclass(frozen=True, repr=False)
class AppCode:
    """The one-time code the customer's app shows (``500004`` + a token in the test system)."""

    code: str = field(repr=False)
    kind: str = "app_code"

    @property
    def for_netgiro(self) -> str:
        return self.code

    @property
    def masked(self) -> str:
        return mask_app_code(self.code)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"AppCode({self.masked})"


CustomerId = Gsm | Kennitala | AppCode


@dataclass(frozen=True)
class ParsedCustomer:
    """A customer id, and any warning the cashier should see (never a refusal)."""

    customer: CustomerId
    warnings: tuple[str, ...] = ()


def _digits_only(text: str, what: str) -> str:
    compact = _SEPARATORS.sub("", text.strip())
    if not compact:
        raise InputError(f"Enter the customer's {what}.")
    if not _ASCII_DIGITS.fullmatch(compact):  # str.isdigit() takes '¹', int() does not
        raise InputError(f"{text.strip()!s} is not a {what}: use digits only.")
    return compact


def _strip_country_code(text: str) -> str:
    compact = _SEPARATORS.sub("", text.strip())
    for prefix in ("+354", "00354"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    return compact


def parse_gsm(text: str) -> Gsm:
    """A 7-digit Icelandic mobile number (6, 7 or 8 first); +354 / 00354 and separators allowed."""
    digits = _digits_only(_strip_country_code(text), "mobile number")
    if len(digits) != 7:
        raise InputError(
            f"Phone number {digits} has {len(digits)} digits; an Icelandic mobile number has 7."
        )
    if digits[0] not in "678":
        raise InputError(
            f"{digits} is a landline number; Netgíró needs a mobile number (starting 6, 7 or 8)."
        )
    return Gsm(digits)


def parse_kennitala(text: str, *, sandbox: bool) -> ParsedCustomer:
    """A kennitala that is a real date; a wrong check digit is a warning, never a refusal."""
    digits = _digits_only(text, "kennitala")
    if len(digits) != 10:
        raise InputError(f"Kennitala {digits} has {len(digits)} digits; a kennitala has 10.")
    if sandbox and digits in TEST_SSNS:
        return ParsedCustomer(Kennitala(digits))
    shown = f"{digits[:6]}-{digits[6:]}"
    problem = _date_problem(digits)
    if problem:
        raise InputError(f"Kennitala {shown}: {problem}.")
    warnings = () if _check_digit_ok(digits) else (_check_digit_warning(shown),)
    return ParsedCustomer(Kennitala(digits), warnings)


def _date_problem(digits: str) -> str | None:
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    century = CENTURIES.get(digits[9])
    if century is None:
        return "the last digit must be 9, 0 or 8 (the century)"
    if not 1 <= month <= 12:
        return f"{month:02d} is not a month"
    if day > 40:
        day -= 40  # companies add 40 to the day
    year = century + year2
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        return f"{day:02d} is not a day in {MONTHS[month - 1]} {year}"
    return None


def _check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:8], CHECK_WEIGHTS, strict=True))
    expected = (11 - total % 11) % 11
    return expected != 10 and expected == int(digits[8])


def _check_digit_warning(shown: str) -> str:
    return (
        f"Kennitala {shown} does not pass the old check-digit test. Since February 2026 new "
        "kennitölur may not; Netgíró will say if it does not exist."
    )


def parse_app_code(text: str) -> AppCode:
    """``500004`` followed by 1–10 digits, as read or scanned off the customer's app."""
    digits = _digits_only(text, "app code")
    token = digits[len(TEST_APP_CODE_PREFIX) :]
    if not digits.startswith(TEST_APP_CODE_PREFIX) or not 1 <= len(token) <= 10:
        raise InputError(
            "An app code starts with 500004 and is followed by the code the customer's app shows."
        )
    return AppCode(digits)


KINDS = ("gsm", "ssn", "app_code")


def parse_customer_id(text: str, *, sandbox: bool, kind: str | None = None) -> ParsedCustomer:
    """Detect the kind: 7 digits a phone, ``500004…`` an app code, other 10 digits a kennitala."""
    if kind is not None:
        return _parse_as(kind, text, sandbox)
    compact = _strip_country_code(text)
    if compact.startswith(TEST_APP_CODE_PREFIX):
        return ParsedCustomer(parse_app_code(compact))
    if _ASCII_DIGITS.fullmatch(_SEPARATORS.sub("", compact)):
        length = len(_SEPARATORS.sub("", compact))
        if length == 10:
            return parse_kennitala(compact, sandbox=sandbox)
        if length == 7:
            return ParsedCustomer(parse_gsm(compact))
        if length < 7:
            return ParsedCustomer(parse_gsm(compact))  # says how many digits are missing
    raise InputError(
        "Enter a 7-digit mobile number, a 10-digit kennitala, or the customer's app code."
    )


def _parse_as(kind: str, text: str, sandbox: bool) -> ParsedCustomer:
    if kind == "gsm":
        return ParsedCustomer(parse_gsm(text))
    if kind == "ssn":
        return parse_kennitala(text, sandbox=sandbox)
    if kind == "app_code":
        return ParsedCustomer(parse_app_code(text))
    raise InputError(f"Unknown customer id kind {kind!r}: use gsm, ssn or app_code.")
