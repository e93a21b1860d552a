"""Customer ids and amounts as a cashier types them: accepted, warned about, or refused clearly."""

from __future__ import annotations

import calendar
import contextlib
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pos.core.customer_ids import (
    AppCode,
    Gsm,
    Kennitala,
    parse_app_code,
    parse_customer_id,
    parse_gsm,
    parse_kennitala,
)
from pos.core.errors import InputError
from pos.core.money import MAX_AMOUNT, format_isk, parse_amount

CENTURY_DIGIT = {1800: "8", 1900: "9", 2000: "0"}


def kennitala_for(day: date, serial: str, company: bool = False) -> str:
    dd = day.day + (40 if company else 0)
    return (
        f"{dd:02d}{day.month:02d}{day.year % 100:02d}{serial}{CENTURY_DIGIT[day.year // 100 * 100]}"
    )


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.from_regex(r"\A[0-9]{3}\Z"),
    st.booleans(),
)
def test_every_real_date_is_a_kennitala_whatever_its_check_digit(
    day: date, serial: str, company: bool
) -> None:
    digits = kennitala_for(day, serial, company)
    parsed = parse_kennitala(digits, sandbox=False)
    assert parsed.customer.for_netgiro == digits
    assert all("check-digit" in warning for warning in parsed.warnings)


def test_a_wrong_check_digit_only_warns() -> None:
    parsed = parse_kennitala("010199-2349", sandbox=False)
    assert parsed.customer.for_netgiro == "0101992349"
    assert parsed.warnings and "check-digit" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("011399-2349", "Kennitala 011399-2349: 13 is not a month."),
        ("320199-2349", "32 is not a day in January 1999"),
        ("290299-2349", "29 is not a day in February 1999"),
        ("010199-2347", "the last digit must be 9, 0 or 8"),
        ("2222222229", "22 is not a month"),
        ("01019923", "has 8 digits"),
    ],
)
def test_a_kennitala_that_is_not_a_date_is_refused(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_kennitala(typed, sandbox=False)


def test_netgiro_test_ids_are_kennitolur_in_sandbox_mode_only() -> None:
    assert parse_kennitala("2222222229", sandbox=True).customer.for_netgiro == "2222222229"
    assert parse_kennitala("1111111119", sandbox=True).warnings == ()
    with pytest.raises(InputError):
        parse_kennitala("2222222229", sandbox=False)


@pytest.mark.parametrize(
    "typed", ["8223281", "822 3281", "822-3281", "+354 822 3281", "00354 8223281"]
)
def test_mobile_numbers_in_every_usual_form(typed: str) -> None:
    assert parse_gsm(typed).for_netgiro == "8223281"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("822328", "has 6 digits"),
        ("82232811", "has 8 digits"),
        ("5551234", "landline"),
        ("82a3281", "digits"),
    ],
)
def test_phone_numbers_that_are_not_icelandic_mobiles_are_refused(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_gsm(typed)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("8223281", "gsm"),
        ("1111111119", "ssn"),
        ("500004-1234", "app_code"),
        ("5000041234", "app_code"),
    ],
)
def test_one_field_detects_the_kind(typed: str, kind: str) -> None:
    assert parse_customer_id(typed, sandbox=True).customer.kind == kind


def test_the_kind_can_be_forced() -> None:
    assert isinstance(parse_customer_id("8223281", sandbox=True, kind="gsm").customer, Gsm)
    with pytest.raises(InputError):
        parse_customer_id("8223281", sandbox=True, kind="ssn")
    with pytest.raises(InputError, match="starts with 500004"):
        parse_app_code("12345")


def test_a_non_date_ten_digit_number_is_refused_not_sent() -> None:
    with pytest.raises(InputError, match="not a month"):
        parse_customer_id("0113992349", sandbox=False)


@given(st.from_regex(r"\A[0-9]{10}\Z"))
def test_masked_ids_never_show_the_full_number(digits: str) -> None:
    for customer in (Kennitala(digits), Gsm(digits[:7]), AppCode("500004" + digits[:4])):
        full = customer.for_netgiro
        assert full not in str(customer)
        assert full not in repr(customer)
    assert str(Kennitala(digits)) == "******-" + digits[-4:]
    assert str(Gsm(digits[:7])) == "***-**" + digits[5:7]


@given(st.text(max_size=30), st.booleans())
@example("¹²³⁴⁵⁶⁷", False)  # found by fuzzing: str.isdigit() is true, int() fails
@example("0¹01992349", False)
def test_id_parsers_raise_only_their_own_error(text: str, sandbox: bool) -> None:
    for parse in (
        lambda t: parse_customer_id(t, sandbox=sandbox),
        parse_gsm,
        lambda t: parse_kennitala(t, sandbox=sandbox),
        parse_app_code,
    ):
        with contextlib.suppress(InputError):
            parse(text)


@pytest.mark.parametrize("typed", ["1990", "1.990", "1 990", "1\u00a0990", "1990 kr.", " 1990 "])
def test_amounts_in_every_usual_form(typed: str) -> None:
    assert parse_amount(typed) == 1990


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("19,90", "decimal part"),
        ("1.99", "decimal part"),
        ("0", "zero"),
        ("-100", "negative"),
        ("19a0", "not an amount"),
        ("", "Enter an amount"),
        (str(MAX_AMOUNT + 1), "more than the till takes"),
    ],
)
def test_amounts_that_cannot_be_taken_are_refused(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_amount(typed)


@given(st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_formatted_amounts_parse_back(amount: int) -> None:
    assert parse_amount(format_isk(amount)) == amount


@given(st.text(max_size=30))
@example("¹")  # found by fuzzing: str.isdigit() is true, int() fails
@example("1.99¹")
def test_the_amount_parser_raises_only_its_own_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except InputError:
        return
    assert isinstance(value, int) and 0 < value <= MAX_AMOUNT


def test_february_29_follows_leap_years() -> None:
    assert calendar.isleap(2000)
    assert parse_kennitala("290200-2340", sandbox=False).customer
    with pytest.raises(InputError, match="29 is not a day in February 1900"):
        parse_kennitala("290200-2349", sandbox=False)
