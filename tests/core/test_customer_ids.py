"""Customer ids at the counter: kennitala date rules, GSM, app codes, detection, masking, fuzz."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pos.core.customer_ids import (
    AppCode,
    Gsm,
    Kennitala,
    ParsedCustomer,
    parse_app_code,
    parse_customer_id,
    parse_gsm,
    parse_kennitala,
)
from pos.core.errors import InputError

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
CENTURY_DIGIT = {18: "8", 19: "9", 20: "0"}


def check_digit(first8: str) -> int | None:
    """The classic check digit, or None when no digit can pass (remainder 10)."""
    expected = (11 - sum(int(d) * w for d, w in zip(first8, WEIGHTS, strict=True)) % 11) % 11
    return None if expected == 10 else expected


def kennitala_for(date: dt.date, *, company: bool, serial: str, check: int) -> str:
    day = date.day + (40 if company else 0)
    return (
        f"{day:02d}{date.month:02d}{date.year % 100:02d}{serial}{check}"
        f"{CENTURY_DIGIT[date.year // 100]}"
    )


dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31))
serials = st.from_regex(r"[0-9]{2}", fullmatch=True)


@st.composite
def valid_kennitolur(draw: st.DrawFn) -> str:
    date = draw(dates)
    company = draw(st.booleans())
    serial = draw(serials)
    return kennitala_for(date, company=company, serial=serial, check=draw(st.integers(0, 9)))


# --- kennitala: dates --------------------------------------------------------------------------


@given(date=dates, company=st.booleans(), serial=serials, check=st.integers(0, 9))
def test_every_real_date_parses_whatever_the_check_digit(
    date: dt.date, company: bool, serial: str, check: int
) -> None:
    digits = kennitala_for(date, company=company, serial=serial, check=check)
    for sandbox in (False, True):
        parsed = parse_kennitala(digits, sandbox=sandbox)
        assert isinstance(parsed.customer, Kennitala)
        assert parsed.customer.for_netgiro == digits
        assert parsed.customer.kind == "ssn"
        passes = check_digit(digits[:8]) == check
        assert bool(parsed.warnings) is not passes


@given(date=dates, company=st.booleans(), serial=serials)
def test_a_correct_check_digit_gives_no_warning(date: dt.date, company: bool, serial: str) -> None:
    digits8 = kennitala_for(date, company=company, serial=serial, check=0)[:8]
    check = check_digit(digits8)
    assume(check is not None)
    assert check is not None
    digits = kennitala_for(date, company=company, serial=serial, check=check)
    assert parse_kennitala(digits, sandbox=False).warnings == ()


@given(date=dates, company=st.booleans(), serial=serials, data=st.data())
def test_a_wrong_check_digit_only_warns(
    date: dt.date, company: bool, serial: str, data: st.DataObject
) -> None:
    digits8 = kennitala_for(date, company=company, serial=serial, check=0)[:8]
    right = check_digit(digits8)
    wrong = data.draw(st.integers(0, 9).filter(lambda d: d != right))
    digits = kennitala_for(date, company=company, serial=serial, check=wrong)
    parsed = parse_kennitala(digits, sandbox=False)
    assert parsed.customer.for_netgiro == digits
    assert len(parsed.warnings) == 1
    assert "check-digit" in parsed.warnings[0]
    assert f"******-{digits[6:]}" in parsed.warnings[0]  # masked: warnings may reach a log
    assert digits[:6] not in parsed.warnings[0]
    assert digits[:6] not in repr(parsed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120160-3389", "1201603389"),  # a person, 12 January 1960
        ("1201603389", "1201603389"),
        (" 120160 3389 ", "1201603389"),
        ("520160-3389", "5201603389"),  # the same date as a company (day + 40)
        ("290200-2340", "2902002340"),  # 29 February 2000, a leap year
        ("310199-2349", "3101992349"),
        ("010100-2328", "0101002328"),  # 1 January 1800
    ],
)
def test_kennitala_examples(text: str, expected: str) -> None:
    parsed = parse_kennitala(text, sandbox=False)
    assert parsed.customer.for_netgiro == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("011399-2349", "Kennitala 011399-2349: 13 is not a month"),
        ("010099-2349", "Kennitala 010099-2349: 00 is not a month"),
        ("320199-2349", "Kennitala 320199-2349: 32 is not a day in January 1999"),
        ("000199-2349", "00 is not a day in January 1999"),
        ("290299-2349", "Kennitala 290299-2349: 29 is not a day in February 1999"),
        ("690299-2349", "69 is not a day in February 1999 (a company adds 40 to the day: 41–68)"),
        ("700200-2340", "70 is not a day in February 2000 (a company adds 40 to the day: 41–69)"),
        ("290200-2349", "29 is not a day in February 1900"),  # 1900 was not a leap year
        ("310499-2349", "31 is not a day in April 1999"),
        ("400199-2349", "40 is not a day in January 1999"),
        ("720199-2349", "72 is not a day in January 1999 (a company adds 40 to the day: 41–71)"),
        ("990199-2349", "99 is not a day in January 1999"),
        ("0101992347", "Kennitala 010199-2347: the last digit must be 9, 0 or 8 (the century)."),
        ("0113992349", "Kennitala 011399-2349: 13 is not a month."),
    ],
)
def test_non_dates_are_refused(text: str, message: str) -> None:
    for sandbox in (False, True):
        with pytest.raises(InputError) as caught:
            parse_kennitala(text, sandbox=sandbox)
        assert message in str(caught.value)


@given(valid=valid_kennitolur(), century=st.sampled_from("1234567"))
def test_century_digit_must_be_9_0_or_8(valid: str, century: str) -> None:
    digits = valid[:9] + century
    with pytest.raises(InputError, match="must be 9, 0 or 8"):
        parse_kennitala(digits, sandbox=False)


@pytest.mark.parametrize("text", ["012345678", "01234567890", "1", "120160-33899"])
def test_kennitala_needs_ten_digits(text: str) -> None:
    with pytest.raises(InputError, match="a kennitala has 10"):
        parse_kennitala(text, sandbox=False)


@pytest.mark.parametrize("text", ["", "   ", "-", "12016O-3389", "1201603389x", "¹²⁰¹⁶⁰³³⁸⁹"])
def test_kennitala_not_digits(text: str) -> None:
    with pytest.raises(InputError):
        parse_kennitala(text, sandbox=False)


# --- sandbox test ids --------------------------------------------------------------------------


@pytest.mark.parametrize("digits", ["1111111119", "2222222229", "111111-1119", "222222-2229"])
def test_sandbox_test_ids_accepted_in_sandbox(digits: str) -> None:
    parsed = parse_kennitala(digits, sandbox=True)
    assert parsed.customer.for_netgiro == digits.replace("-", "")
    assert parsed.warnings == ()
    assert parse_customer_id(digits, sandbox=True).customer == parsed.customer


def test_2222222229_refused_outside_sandbox() -> None:
    with pytest.raises(InputError, match="22 is not a month"):
        parse_kennitala("2222222229", sandbox=False)
    with pytest.raises(InputError, match="22 is not a month"):
        parse_customer_id("2222222229", sandbox=False)


def test_1111111119_is_a_real_date_anyway() -> None:
    # 11 November 1911 with a passing check digit: a plain kennitala outside the sandbox too.
    parsed = parse_kennitala("1111111119", sandbox=False)
    assert parsed.customer.for_netgiro == "1111111119"
    assert parsed.warnings == ()


# --- GSM ---------------------------------------------------------------------------------------


@given(st.from_regex(r"[678][0-9]{6}", fullmatch=True))
def test_every_mobile_number_parses(digits: str) -> None:
    for text in (
        digits,
        f"{digits[:3]} {digits[3:]}",
        f"{digits[:3]}-{digits[3:]}",
        f"+354{digits}",
        f"+354 {digits[:3]} {digits[3:]}",
        f"00354{digits}",
        f"00354 {digits[:3]}-{digits[3:]}",
        f"  {digits}  ",
    ):
        gsm = parse_gsm(text)
        assert gsm.for_netgiro == digits
        assert gsm.kind == "gsm"
        assert parse_customer_id(text, sandbox=False).customer == gsm


@pytest.mark.parametrize("text", ["8223281", "7700001", "690 1234", "+354 822-3281"])
def test_gsm_examples(text: str) -> None:
    assert isinstance(parse_gsm(text), Gsm)


@pytest.mark.parametrize("text", ["822328", "822 328", "+354 822328", "00354-822-328"])
def test_six_digits_refused(text: str) -> None:
    with pytest.raises(InputError, match="6 digits"):
        parse_gsm(text)
    with pytest.raises(InputError, match="6 digits"):
        parse_customer_id(text, sandbox=False)


@pytest.mark.parametrize("text", ["82232811", "822 32811"])
def test_eight_digits_refused(text: str) -> None:
    with pytest.raises(InputError, match="8 digits"):
        parse_gsm(text)


@given(st.from_regex(r"[45][0-9]{6}", fullmatch=True))
def test_landlines_refused(digits: str) -> None:
    with pytest.raises(InputError, match=f"{digits} is a landline number; Netgíró needs a mobile"):
        parse_gsm(digits)


@given(st.from_regex(r"[01239][0-9]{6}", fullmatch=True))
def test_other_non_mobiles_refused(digits: str) -> None:
    with pytest.raises(
        InputError, match=f"{digits} is not a mobile number; Netgíró needs a mobile"
    ):
        parse_gsm(digits)


def test_landline_example() -> None:
    with pytest.raises(InputError, match="landline"):
        parse_gsm("5551234")
    with pytest.raises(InputError, match="landline"):
        parse_customer_id("555 1234", sandbox=False)


@pytest.mark.parametrize("text", ["", " ", "abcdefg", "822328l", "+354", "822.32.8l"])
def test_gsm_garbage_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_gsm(text)


# --- app codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["500004-1234", "5000041234", "500004 1234"])
def test_app_code_examples(text: str) -> None:
    code = parse_app_code(text)
    assert code.for_netgiro == "5000041234"
    assert code.kind == "app_code"
    assert parse_customer_id(text, sandbox=False).customer == code


@given(st.from_regex(r"[0-9]{1,10}", fullmatch=True))
def test_every_app_code_token_parses(token: str) -> None:
    assert parse_app_code("500004" + token).for_netgiro == "500004" + token


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("500004", "The app code is missing its last part: it starts with 500004"),
        ("500004-", "missing its last part"),
        ("50000412345678901", "App code 50000412345678901 is too long: it starts with 500004"),
        ("4000041234", "4000041234 is not an app code: an app code starts with 500004"),
        ("1234", "1234 is not an app code"),
        ("500004-12a4", "500004-12a4 is not an app code: use the digits 0–9 only"),
        ("", "Enter the customer's app code"),
    ],
)
def test_bad_app_codes_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_app_code(text)


# --- detection and the kind override -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "full"),
    [
        ("8223281", Gsm, "8223281"),
        ("+354 770 0001", Gsm, "7700001"),
        ("500004-1234", AppCode, "5000041234"),
        ("5000041234", AppCode, "5000041234"),
        ("120160-3389", Kennitala, "1201603389"),
        ("1201603389", Kennitala, "1201603389"),
    ],
)
def test_detection(text: str, kind: type, full: str) -> None:
    parsed = parse_customer_id(text, sandbox=False)
    assert isinstance(parsed, ParsedCustomer)
    assert isinstance(parsed.customer, kind)
    assert parsed.customer.for_netgiro == full


@given(valid_kennitolur())
def test_detection_of_any_valid_kennitala(digits: str) -> None:
    parsed = parse_customer_id(digits, sandbox=False)
    assert isinstance(parsed.customer, Kennitala)
    assert parsed == parse_kennitala(digits, sandbox=False)


@given(valid_kennitolur())
def test_no_kennitala_looks_like_an_app_code(digits: str) -> None:
    # Detection sends 500004… to the app-code parser; no real date starts that way (month 00).
    assert not digits.startswith("500004")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("82232811", "82232811 has 8 digits. Enter a 7-digit mobile number, a 10-digit kennitala"),
        ("822328111", "has 9 digits"),
        ("12345678901", "has 11 digits"),
        (
            "hello",
            "Enter a 7-digit mobile number, a 10-digit kennitala, or the customer's app code.",
        ),
        ("", "Enter a 7-digit mobile number"),
        ("  - ", "Enter a 7-digit mobile number"),
        ("¹²⁰¹⁶⁰³³⁸⁹", "Enter a 7-digit mobile number"),
    ],
)
def test_detection_refuses_other_shapes(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_customer_id(text, sandbox=False)


def test_a_country_code_means_a_phone_number() -> None:
    with pytest.raises(InputError, match="Phone number 1201603389 has 10 digits"):
        parse_customer_id("+354 120160-3389", sandbox=False)
    with pytest.raises(InputError, match="has 10 digits"):
        parse_customer_id("00354 5000041234", sandbox=False)


def test_short_numbers_are_read_as_phone_numbers_missing_digits() -> None:
    with pytest.raises(InputError, match="Phone number 82232 has 5 digits"):
        parse_customer_id("822 32", sandbox=False)


def test_long_input_is_echoed_shortened() -> None:
    with pytest.raises(InputError) as caught:
        parse_gsm("x" * 5000)
    assert len(str(caught.value)) < 120
    assert "…" in str(caught.value)


def test_kind_override() -> None:
    assert isinstance(parse_customer_id("8223281", sandbox=False, kind="gsm").customer, Gsm)
    assert isinstance(
        parse_customer_id("120160-3389", sandbox=False, kind="ssn").customer, Kennitala
    )
    assert isinstance(
        parse_customer_id("500004-1234", sandbox=False, kind="app_code").customer, AppCode
    )
    # The override is obeyed even when detection would say otherwise.
    with pytest.raises(InputError, match="00 is not a month"):
        parse_customer_id("500004-1239", sandbox=False, kind="ssn")
    with pytest.raises(InputError, match="starts with 500004"):
        parse_customer_id("8223281", sandbox=False, kind="app_code")
    with pytest.raises(InputError, match="10 digits"):
        parse_customer_id("1201603389", sandbox=False, kind="gsm")
    with pytest.raises(InputError, match="Unknown customer id kind"):
        parse_customer_id("8223281", sandbox=False, kind="email")


def test_wrong_check_digit_warning_survives_detection() -> None:
    parsed = parse_customer_id("120160-3379", sandbox=False)
    assert parsed.customer.for_netgiro == "1201603379"
    assert parsed.warnings


# --- fuzz: nothing but InputError --------------------------------------------------------------

kinds = st.sampled_from([None, "gsm", "ssn", "app_code", "other"])
texts = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 -.+¹²³٠١٢٣", max_size=20),
    st.from_regex(r"(\+354|00354)?[ \-]?[0-9 \-]{0,14}", fullmatch=True),
)


@given(text=texts, sandbox=st.booleans(), kind=kinds)
def test_parse_customer_id_raises_only_input_error(
    text: str, sandbox: bool, kind: str | None
) -> None:
    try:
        parsed = parse_customer_id(text, sandbox=sandbox, kind=kind)
    except InputError:
        return
    assert re.fullmatch(r"[0-9]+", parsed.customer.for_netgiro)


@given(text=texts, sandbox=st.booleans())
def test_each_parser_raises_only_input_error(text: str, sandbox: bool) -> None:
    for parse in (parse_gsm, parse_app_code, lambda t: parse_kennitala(t, sandbox=sandbox)):
        with contextlib.suppress(InputError):
            parse(text)


# --- masking -----------------------------------------------------------------------------------


@given(st.from_regex(r"[678][0-9]{6}", fullmatch=True))
def test_gsm_masks_itself(digits: str) -> None:
    gsm = parse_gsm(digits)
    assert str(gsm) == gsm.masked == "***-**" + digits[-2:]
    assert re.fullmatch(r"\*\*\*-\*\*[0-9]{2}", str(gsm))
    for shown in (str(gsm), repr(gsm), repr(ParsedCustomer(gsm)), f"{gsm}"):
        assert digits not in shown


@given(valid_kennitolur())
def test_kennitala_masks_itself(digits: str) -> None:
    parsed = parse_kennitala(digits, sandbox=False)
    ssn = parsed.customer
    assert str(ssn) == "******-" + digits[-4:]
    assert re.fullmatch(r"\*{6}-[0-9]{4}", str(ssn))
    for shown in (str(ssn), repr(ssn), f"{ssn}", repr(ParsedCustomer(ssn))):
        assert digits not in shown
        assert digits[:6] not in shown


@given(st.from_regex(r"[0-9]{1,10}", fullmatch=True))
def test_app_code_masks_itself(token: str) -> None:
    code = parse_app_code("500004" + token)
    for shown in (str(code), repr(code), repr(ParsedCustomer(code))):
        assert "500004" + token not in shown
        assert "500004" not in shown


def test_mask_examples() -> None:
    assert str(parse_gsm("822 3281")) == "***-**81"
    assert repr(parse_gsm("822 3281")) == "Gsm(***-**81)"
    assert str(parse_kennitala("310199-2349", sandbox=False).customer) == "******-2349"
    assert repr(parse_kennitala("310199-2349", sandbox=False).customer) == (
        "Kennitala(******-2349)"
    )
    assert "1234" not in repr(parse_app_code("500004-1234"))


# --- the types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "bad"),
    [
        (Gsm, "822328"),
        (Gsm, "822328a"),
        (Gsm, "82232811"),
        (Kennitala, "120160-3389"),
        (Kennitala, "¹²⁰¹⁶⁰³³⁸⁹"),
        (AppCode, "50000412345678901"),
        (AppCode, "5000051234"),
        (AppCode, "500004-1234"),
    ],
)
def test_the_types_refuse_a_value_of_the_wrong_shape_without_echoing_it(
    make: type, bad: str
) -> None:
    with pytest.raises(ValueError) as caught:
        make(bad)
    assert bad not in str(caught.value)


def test_kind_is_fixed_by_the_type() -> None:
    assert (Gsm("8223281").kind, Kennitala("1201603389").kind) == ("gsm", "ssn")
    assert AppCode("5000041234").kind == "app_code"
    with pytest.raises(TypeError):
        Gsm("8223281", "ssn")  # type: ignore[call-arg]


def test_the_types_are_frozen_values() -> None:
    gsm = parse_gsm("822 3281")
    assert gsm == Gsm("8223281")
    assert len({gsm, Gsm("8223281")}) == 1
    with pytest.raises(AttributeError):
        gsm.digits = "7700001"  # type: ignore[misc]


def test_a_parsed_kennitala_is_typed_as_a_kennitala() -> None:
    parsed = parse_kennitala("120160-3389", sandbox=False)
    assert isinstance(parsed.customer, Kennitala)
    assert parsed.customer.digits == "1201603389"  # mypy: no narrowing needed
