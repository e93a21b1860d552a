"""Amounts in whole krónur: what a cashier types, how it is shown, and nothing else raising."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core import money
from pos.core.errors import InputError
from pos.core.money import MAX_AMOUNT, format_isk, parse_amount


@pytest.mark.parametrize(
    "text",
    [
        "1990",
        "1.990",
        "1 990",
        "1\u00a0990",  # non-breaking space
        "1\u202f990",  # narrow non-breaking space
        "1990 kr.",
        "1990 kr",
        "1990kr.",
        "1.990 kr.",
        "1 990 kr.",
        "1990 ISK",
        "1990\u00a0kr.",
        "  1990  ",
        "01990",
    ],
)
def test_1990(text: str) -> None:
    assert parse_amount(text) == 1990


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("999", 999),
        ("1.000", 1000),
        ("10.000.000", MAX_AMOUNT),
        ("10 000 000", MAX_AMOUNT),
        (str(MAX_AMOUNT), MAX_AMOUNT),
        ("123.456", 123456),
    ],
)
def test_amount_examples(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("19,90", "decimal part"),
        ("1.99", "decimal part"),
        ("19.9", "decimal part"),
        ("1990,00", "decimal part"),
        ("1990.5 kr.", "decimal part"),
        ("0", "zero"),
        ("000", "zero"),
        ("0 kr.", "zero"),
        ("-1990", "negative"),
        ("-1", "negative"),
        ("- 5", "negative"),
        ("abc", "not an amount"),
        ("19a0", "not an amount"),
        ("1990 EUR", "not an amount"),
        ("1.99.0", "not an amount"),
        ("1 99", "not an amount"),
        ("1..990", "not an amount"),
        ("1e3", "not an amount"),
        ("+1990", "not an amount"),
        ("¹⁹⁹⁰", "not an amount"),
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("kr.", "Enter an amount"),
        (str(MAX_AMOUNT + 1), "more than"),
        ("10.000.001", "more than"),
        ("99999999999", "more than"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_amount(text)


def test_format_isk() -> None:
    assert format_isk(1990) == "1.990 kr."
    assert format_isk(5) == "5 kr."
    assert format_isk(1000) == "1.000 kr."
    assert format_isk(MAX_AMOUNT) == "10.000.000 kr."
    assert format_isk(-1990) == "-1.990 kr."


@given(st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_round_trip(amount: int) -> None:
    assert parse_amount(format_isk(amount)) == amount
    assert parse_amount(str(amount)) == amount
    grouped = format_isk(amount).removesuffix(" kr.")
    assert parse_amount(grouped) == amount
    assert parse_amount(grouped.replace(".", " ")) == amount
    assert parse_amount(grouped.replace(".", "\u00a0")) == amount


@given(st.integers(min_value=MAX_AMOUNT + 1, max_value=10**30))
def test_above_max_refused(amount: int) -> None:
    with pytest.raises(InputError, match="more than"):
        parse_amount(str(amount))
    with pytest.raises(InputError, match="more than"):
        parse_amount(format_isk(amount))


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789 .,-\u00a0\u202fkrISK¹", max_size=30),
        st.from_regex(r"-?[0-9 .,]{0,20}( ?kr\.?)?", fullmatch=True),
    )
)
def test_fuzz_only_input_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except InputError:
        return
    assert isinstance(value, int)
    assert 1 <= value <= MAX_AMOUNT


@pytest.mark.parametrize("text", ["1" * 5000, "1" + ".000" * 1500, "9" * 4301 + " kr."])
def test_very_long_digit_strings_are_an_input_error(text: str) -> None:
    # Regression: int() on more than 4300 digits raised ValueError, not InputError.
    with pytest.raises(InputError, match="more than") as caught:
        parse_amount(text)
    assert len(str(caught.value)) < 120  # the echo is shortened


def test_leading_zeros_do_not_count_towards_the_cap() -> None:
    assert parse_amount("0" * 5000 + "1990") == 1990
    with pytest.raises(InputError, match="zero"):
        parse_amount("0" * 5000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 990.000", "not an amount"),  # one separator throughout
        ("1.990 000", "not an amount"),
        ("1.990,50", "Amounts are whole krónur: 1.990,50 has a decimal part."),
        ("1 990,5", "decimal part"),
        ("1.99", "Amounts are whole krónur: 1.99 has a decimal part."),
        ("−1990", "negative"),  # U+2212, the minus sign
        ("–500", "negative"),  # an en dash
        ("-", "not an amount"),
        ("1990 kr. kr.", "not an amount"),
    ],
)
def test_more_refusals(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_amount(text)


@pytest.mark.parametrize("text", ["1\u2009990", "1\t990 kr.", "1990\u2009kr", " 1990 KR. "])
def test_any_unicode_space_groups(text: str) -> None:
    assert parse_amount(text) == 1990


def test_messages_echo_what_was_typed_on_one_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_amount("19\x0090,5")
    assert "19?90,5" in str(caught.value)


@pytest.mark.parametrize("amount", [19.9, 1990.0, True])
def test_format_isk_refuses_anything_but_an_int(amount: object) -> None:
    with pytest.raises(TypeError):
        format_isk(amount)  # type: ignore[arg-type]


def test_no_float_in_the_money_module() -> None:
    source = Path(money.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    floats = [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.Constant) and isinstance(node.value, float))
        or (isinstance(node, ast.Name) and node.id in {"float", "Decimal"})
    ]
    assert floats == []
