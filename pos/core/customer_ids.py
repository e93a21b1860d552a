"""Customer identifiers at the counter: GSM, kennitala and app code, each masked in repr and str.

Rules kept:

- Only ``for_netgiro`` gives the full value; ``str``, ``repr`` and ``masked`` show at most the
  last 4 digits of a kennitala and the last 2 of a phone number or app code.
- A kennitala must be a real date (companies add 40 to the day) with a known century digit, but
  its check digit only warns: Registers Iceland stopped computing it in February 2026, and
  Netgíró is the authority on whether a kennitala exists. Netgíró's test kennitölur
  ``1111111119`` and ``2222222229`` pass as they are in sandbox mode only.
- A phone number must be an Icelandic mobile: 7 digits starting 6, 7 or 8.
- An app code is ``500004`` followed by 1–10 digits (the form Netgíró's test system uses), sent
  as one digit string with separators removed: ``500004-1234`` goes to Netgíró as ``5000041234``.
- The parsers raise nothing but InputError. Their messages may echo what the cashier typed (it
  is on their screen already); they are for the screen only, and the caller never logs them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import ClassVar, Generic, Literal, TypeVar

from pos.core.errors import InputError
from pos.core.masking import mask_app_code, mask_kennitala, mask_phone
from pos.core.public_test_data import TEST_APP_CODE_PREFIX, TEST_SSNS

Kind = Literal["gsm", "ssn", "app_code"]
KINDS: tuple[Kind, ...] = ("gsm", "ssn", "app_code")

GSM_LENGTH = 7
MOBILE_FIRST_DIGITS = "678"
LANDLINE_FIRST_DIGITS = "45"
KENNITALA_LENGTH = 10
CENTURIES = {"9": 1900, "0": 2000, "8": 1800}
COMPANY_DAY_OFFSET = 40
CHECK_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
APP_CODE_PREFIX = TEST_APP_CODE_PREFIX
APP_TOKEN_MAX_DIGITS = 10
MONTHS = (
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
)
EXPECTED = "Enter a 7-digit mobile number, a 10-digit kennitala, or the customer's app code."

_SEPARATORS = re.compile(r"[\s\-.]")
_COUNTRY_CODE = re.compile(r"(\+|00)354")
# str.isdigit() accepts '¹' and '٣', which int() and Netgíró do not: only ASCII digits count.
_ASCII_DIGITS = re.compile(r"[0-9]+")
_GSM_SHAPE = re.compile(r"[0-9]{7}")
_KENNITALA_SHAPE = re.compile(r"[0-9]{10}")
_APP_CODE_SHAPE = re.compile(rf"{APP_CODE_PREFIX}[0-9]{{1,{APP_TOKEN_MAX_DIGITS}}}")
_ECHO_LIMIT = 24


class _MaskedId:
    """The identifier types' shared face: ``str`` and ``repr`` show only the masked value."""

    @property
    def masked(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked})"


def _require_shape(value: str, shape: re.Pattern[str], what: str) -> None:
    """Guard the types' invariant; the message never holds the value (it may be personal)."""
    if not isinstance(value, str) or not shape.fullmatch(value):
        raise ValueError(
            f"{what} must be {shape.pattern}; read typed input with the parse_ functions"
        )


@dataclass(frozen=True, repr=False)
class Gsm(_MaskedId):
    """A mobile number: 7 ASCII digits (``parse_gsm`` also checks that it is a mobile)."""

    digits: str
    kind: ClassVar[Literal["gsm"]] = "gsm"

    def __post_init__(self) -> None:
        _require_shape(self.digits, _GSM_SHAPE, "Gsm.digits")

    @property
    def for_netgiro(self) -> str:
        """The 7 digits, as Netgíró's CustomerId."""
        return self.digits

    @property
    def masked(self) -> str:
        """``***-**81``."""
        return mask_phone(self.digits)


@dataclass(frozen=True, repr=False)
class Kennitala(_MaskedId):
    """A kennitala: 10 ASCII digits, no hyphen (``parse_kennitala`` also checks the date)."""

    digits: str
    kind: ClassVar[Literal["ssn"]] = "ssn"

    def __post_init__(self) -> None:
        _require_shape(self.digits, _KENNITALA_SHAPE, "Kennitala.digits")

    @property
    def for_netgiro(self) -> str:
        """The 10 digits without the hyphen, as Netgíró's CustomerId."""
        return self.digits

    @property
    def masked(self) -> str:
        """``******-2349``."""
        return mask_kennitala(self.digits)


@dataclass(frozen=True, repr=False)
class AppCode(_MaskedId):
    """The code the customer's app shows: ``500004`` and 1–10 more digits, separators removed."""

    code: str
    kind: ClassVar[Literal["app_code"]] = "app_code"

    def __post_init__(self) -> None:
        _require_shape(self.code, _APP_CODE_SHAPE, "AppCode.code")

    @property
    def for_netgiro(self) -> str:
        """``5000041234`` for a code shown as ``500004-1234``."""
        return self.code

    @property
    def masked(self) -> str:
        """A one-time secret: its kind and last two digits only."""
        return mask_app_code(self.code)


CustomerId = Gsm | Kennitala | AppCode
CustomerT_co = TypeVar("CustomerT_co", bound=CustomerId, covariant=True)


@dataclass(frozen=True)
class ParsedCustomer(Generic[CustomerT_co]):
    """A customer id, and the warnings the cashier should see (a warning never refuses)."""

    customer: CustomerT_co
    warnings: tuple[str, ...] = ()


# --- the parsers --------------------------------------------------------------------------------


def parse_gsm(text: str) -> Gsm:
    """A 7-digit Icelandic mobile number; ``+354``/``00354``, spaces, hyphens and dots allowed."""
    digits = _digits(_national(text), "mobile number")
    if len(digits) != GSM_LENGTH:
        raise InputError(
            f"Phone number {_echo(digits)} has {len(digits)} digits; "
            "an Icelandic mobile number has 7."
        )
    if digits[0] not in MOBILE_FIRST_DIGITS:
        what = "a landline number" if digits[0] in LANDLINE_FIRST_DIGITS else "not a mobile number"
        raise InputError(f"{digits} is {what}; Netgíró needs a mobile number (starting 6, 7 or 8).")
    return Gsm(digits)


def parse_kennitala(text: str, *, sandbox: bool) -> ParsedCustomer[Kennitala]:
    """A kennitala that is a real date; a failed check digit is a warning, never a refusal."""
    digits = _digits(text, "kennitala")
    if len(digits) != KENNITALA_LENGTH:
        raise InputError(f"Kennitala {_echo(digits)} has {len(digits)} digits; a kennitala has 10.")
    kennitala = Kennitala(digits)
    if sandbox and digits in TEST_SSNS:
        return ParsedCustomer(kennitala)
    problem = _date_problem(digits)
    if problem:
        raise InputError(f"Kennitala {digits[:6]}-{digits[6:]}: {problem}.")
    if _check_digit_passes(digits):
        return ParsedCustomer(kennitala)
    return ParsedCustomer(kennitala, (_check_digit_warning(kennitala),))


def parse_app_code(text: str) -> AppCode:
    """``500004`` followed by 1–10 digits, as read or scanned off the customer's app."""
    digits = _digits(text, "app code")
    token = digits.removeprefix(APP_CODE_PREFIX)
    if not digits.startswith(APP_CODE_PREFIX):
        raise InputError(f"{_echo(digits)} is not an app code: an app code starts with 500004.")
    if not token:
        raise InputError(
            "The app code is missing its last part: it starts with 500004, then the digits "
            "the customer's app shows."
        )
    if len(token) > APP_TOKEN_MAX_DIGITS:
        raise InputError(
            f"App code {_echo(digits)} is too long: it starts with 500004, then at most "
            f"{APP_TOKEN_MAX_DIGITS} digits."
        )
    return AppCode(digits)


def parse_customer_id(
    text: str, *, sandbox: bool, kind: str | None = None
) -> ParsedCustomer[CustomerId]:
    """One field for all three: ``kind`` ("gsm", "ssn", "app_code") or detection decides.

    Detection: a country code or at most 7 digits is a phone number, ``500004…`` an app code,
    any other 10 digits a kennitala (so a 10-digit number that is not a date is refused).
    """
    return _parse_as(_detect(text) if kind is None else kind, text, sandbox)


def _detect(text: str) -> Kind:
    compact = _SEPARATORS.sub("", text)
    if _COUNTRY_CODE.match(compact):
        return "gsm"
    if compact.startswith(APP_CODE_PREFIX):
        return "app_code"
    if not _ASCII_DIGITS.fullmatch(compact):
        raise InputError(EXPECTED)
    if len(compact) == KENNITALA_LENGTH:
        return "ssn"
    if len(compact) <= GSM_LENGTH:
        return "gsm"  # parse_gsm says how many digits are missing
    raise InputError(f"{_echo(compact)} has {len(compact)} digits. {EXPECTED}")


def _parse_as(kind: str, text: str, sandbox: bool) -> ParsedCustomer[CustomerId]:
    if kind == "gsm":
        return ParsedCustomer(parse_gsm(text))
    if kind == "ssn":
        return parse_kennitala(text, sandbox=sandbox)
    if kind == "app_code":
        return ParsedCustomer(parse_app_code(text))
    raise InputError(f"Unknown customer id kind {_echo(kind)!r}: use gsm, ssn or app_code.")


# --- helpers ------------------------------------------------------------------------------------


def _digits(text: str, what: str) -> str:
    """``text`` without separators, refused unless it is ASCII digits."""
    compact = _SEPARATORS.sub("", text)
    if not compact:
        raise InputError(f"Enter the customer's {what}.")
    if not _ASCII_DIGITS.fullmatch(compact):
        article = "an" if what[0] in "aeiou" else "a"
        raise InputError(f"{_echo(text)} is not {article} {what}: use the digits 0–9 only.")
    return compact


def _national(text: str) -> str:
    """A phone number without separators and without a leading ``+354`` or ``00354``."""
    compact = _SEPARATORS.sub("", text)
    country = _COUNTRY_CODE.match(compact)
    return compact[country.end() :] if country else compact


def _echo(text: str) -> str:
    """What the cashier typed, fit for one line on their screen."""
    shown = "".join(char if char.isprintable() else "?" for char in text.strip())
    return shown if len(shown) <= _ECHO_LIMIT else shown[:_ECHO_LIMIT] + "…"


def _date_problem(digits: str) -> str | None:
    """Why ``DDMMYY`` with century digit ``digits[9]`` is not a date, or None."""
    century = CENTURIES.get(digits[9])
    if century is None:
        return "the last digit must be 9, 0 or 8 (the century)"
    day, month, year = int(digits[0:2]), int(digits[2:4]), century + int(digits[4:6])
    if not 1 <= month <= 12:
        return f"{digits[2:4]} is not a month"
    days_in_month = calendar.monthrange(year, month)[1]
    when = f"{MONTHS[month - 1]} {year}"
    if day > COMPANY_DAY_OFFSET:
        if day - COMPANY_DAY_OFFSET <= days_in_month:
            return None
        return (
            f"{digits[0:2]} is not a day in {when} (a company adds 40 to the day: "
            f"41–{COMPANY_DAY_OFFSET + days_in_month})"
        )
    if 1 <= day <= days_in_month:
        return None
    return f"{digits[0:2]} is not a day in {when}"


def _check_digit_passes(digits: str) -> bool:
    """The classic test (weights 3,2,7,6,5,4,3,2; 11 − sum mod 11; 11 → 0; 10 never passes)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:8], CHECK_WEIGHTS, strict=True)
    )
    expected = (11 - total % 11) % 11
    return expected == int(digits[8])


def _check_digit_warning(kennitala: Kennitala) -> str:
    return (
        f"Kennitala {kennitala.masked} does not pass the old check-digit test. Kennitölur "
        "issued since February 2026 need not; Netgíró will say if it does not exist."
    )
