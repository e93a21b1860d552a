"""Product barcodes: check digits, GTIN comparison, in-store variable-measure codes, app codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.barcodes import (
    AppCodeScan,
    BarcodeError,
    ProductCode,
    UnknownScan,
    VariableLayout,
    VariableMeasure,
    check_digit,
    classify_scan,
    decode_variable,
    parse_product_code,
    price_check_digit,
    price_for_weight,
)

WEIGHT_LAYOUT = {"23": VariableLayout("23", item_digits=5, measure="weight_g")}
PRICE_LAYOUT = {"24": VariableLayout("24", item_digits=5, measure="price", price_check_digit=True)}


def with_check_digit(body: str) -> str:
    return body + str(check_digit(body))


bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        ("4006381333931", "EAN-13"),
        ("96385074", "EAN-8"),
        ("036000291452", "UPC-A"),
        ("10614141000415", "GTIN-14"),
    ],
)
def test_published_codes_pass_with_their_symbology(code: str, symbology: str) -> None:
    assert parse_product_code(code).symbology == symbology


def test_upc_a_is_the_same_product_as_its_ean_13_with_a_leading_zero() -> None:
    upc = parse_product_code("036000291452")
    ean = parse_product_code("0036000291452")
    assert upc.same_product(ean) and upc.gtin14 == "00036000291452"
    assert not upc.same_product(parse_product_code("4006381333931"))


@settings(deadline=None)
@given(bodies)
def test_every_code_with_its_check_digit_passes(body: str) -> None:
    code = with_check_digit(body)
    assert parse_product_code(code).digits == code


@settings(deadline=None)
@given(bodies, st.data())
def test_every_single_digit_change_fails(body: str, data: st.DataObject) -> None:
    code = with_check_digit(body)
    position = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    changed = code[:position] + digit + code[position + 1 :]
    with pytest.raises(BarcodeError, match="check digit is wrong"):
        parse_product_code(changed)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "400638133393A",
        "４００６３８１３３３９３１",
        "4006381333931 7",
        "123456789012345",
    ],
)
def test_what_is_not_a_product_code_says_why(text: str) -> None:
    with pytest.raises(BarcodeError):
        parse_product_code(text)


def test_the_gs1_price_check_digit_example() -> None:
    assert price_check_digit("2875") == 9  # GS1 General Specifications' 4-digit example


@settings(deadline=None)
@given(st.text("0123456789", min_size=4, max_size=5), st.data())
def test_the_price_check_digit_catches_every_single_digit_change(
    value: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(value) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    changed = value[:position] + digit + value[position + 1 :]
    assert price_check_digit(changed) != price_check_digit(value)


def test_a_weighed_item_code_gives_item_and_grams_where_a_layout_is_configured() -> None:
    code = parse_product_code(with_check_digit("231234501250"))
    found = decode_variable(code, WEIGHT_LAYOUT)
    assert found == VariableMeasure(code, "12345", "weight_g", 1250)
    assert price_for_weight(3990, found.value) == 4988  # 4987.5 rounds half up


def test_without_a_layout_a_variable_measure_code_is_a_plain_product() -> None:
    code = with_check_digit("231234501250")
    assert classify_scan(code, {}) == ProductCode(code, "EAN-13")
    assert isinstance(classify_scan(code, WEIGHT_LAYOUT), VariableMeasure)


def test_a_price_code_checks_its_price_check_digit() -> None:
    good = with_check_digit("24" + "12345" + str(price_check_digit("2875")) + "2875")
    assert classify_scan(good, PRICE_LAYOUT) == VariableMeasure(
        ProductCode(good, "EAN-13"), "12345", "price", 2875
    )
    wrong = with_check_digit("24" + "12345" + "0" + "2875")
    scan = classify_scan(wrong, PRICE_LAYOUT)
    assert isinstance(scan, UnknownScan) and "price check digit" in scan.reason


def test_layout_problems_are_named() -> None:
    assert VariableLayout("19").problems() == [
        "prefix '19': in-store codes use the GS1 prefixes 20 to 29"
    ]
    assert VariableLayout("20", item_digits=3, price_check_digit=True).problems() != []
    assert VariableLayout("20", item_digits=5, price_check_digit=True).problems() == []


@settings(deadline=None)
@given(st.text("0123456789", min_size=1, max_size=10))
def test_app_codes_are_never_taken_as_products(token: str) -> None:
    code = "500004" + token
    assert classify_scan(code, WEIGHT_LAYOUT) == AppCodeScan(code)


def test_a_scan_with_a_wrong_check_digit_is_unknown_never_an_amount() -> None:
    scan = classify_scan("4006381333932", {})
    assert isinstance(scan, UnknownScan) and "check digit" in scan.reason
