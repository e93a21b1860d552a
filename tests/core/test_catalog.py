"""The catalog file: good lines become items, bad lines problems; lookups and name search."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.catalog import BadBarcode, Catalog, CatalogItem, check_code, parse_catalog

EXAMPLE = Path(__file__).parents[2] / "config" / "catalog.example.csv"


def test_the_example_catalog_parses_cleanly() -> None:
    catalog, problems = parse_catalog(EXAMPLE.read_text(encoding="utf-8"))
    assert problems == []
    assert len(catalog) >= 15
    assert {item.vat_rate for item in catalog.items} == {24, 11}
    milk = catalog.by_code("5690010000012")
    assert milk == CatalogItem("101", "5690010000012", "Mjólk 1 l", 229, 11)
    assert catalog.by_code("101") == milk  # by PLU too


def test_upc_a_finds_the_same_item_as_its_ean_13() -> None:
    catalog = Catalog([CatalogItem("1", "0012345678905", "Tea", 500, 11)])
    assert catalog.by_code("012345678905") is not None


def test_bad_lines_are_reported_with_their_number_and_skipped() -> None:
    text = (
        "barcode,plu,name,price,vat\n"
        "5690010000012,101,Mjólk 1 l,229,11\n"
        "5690010000013,102,Bad check digit,100,11\n"
        ",103,Bad rate,100,7\n"
        ",104,Bad price,12,50,24\n"
        ",101,Same PLU,100,24\n"
        ',105,Decimal price,"19,90",24\n'
        "\n"
        "# a comment\n"
        ",106,Fine,1.990,24 %\n"
    )
    catalog, problems = parse_catalog(text)
    assert [item.plu for item in catalog.items] == ["101", "106"]
    assert catalog.by_code("106") == CatalogItem("106", None, "Fine", 1990, 24)
    assert [p.line_no for p in problems] == [3, 4, 5, 6, 7]
    assert "check digit" in problems[0].message
    assert "VAT" in problems[1].message
    assert "fields" in problems[2].message
    assert "twice" in problems[3].message
    assert "decimal" in problems[4].message


def test_a_missing_header_is_one_problem() -> None:
    catalog, problems = parse_catalog("5690010000012,101,Mjólk,229,11\n")
    assert len(catalog) == 0
    assert "header" in problems[0].message


def test_find_by_name_ignores_case_and_accents_and_by_plu_prefix() -> None:
    catalog, _ = parse_catalog(EXAMPLE.read_text(encoding="utf-8"))
    assert [i.name for i in catalog.find("rugbrauð")] == ["Rúgbrauð"]
    assert [i.name for i in catalog.find("MJÓLK")] == ["Léttmjólk 1 l", "Mjólk 1 l"]
    assert catalog.find("11")[0].plu.startswith("11")
    assert catalog.find("  ") == []


@pytest.mark.parametrize("code", ["5690010000012", "96385074", "012345678905", "10012345678902"])
def test_good_check_digits_pass(code: str) -> None:
    check_code(code)


@pytest.mark.parametrize("code", ["5690010000013", "96385075", "012345678906"])
def test_bad_check_digits_are_refused(code: str) -> None:
    with pytest.raises(BadBarcode, match="check digit"):
        check_code(code)


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_changing_one_digit_breaks_the_check(body: str) -> None:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    code = body + str((10 - total % 10) % 10)
    if len(code) not in (8, 12, 13, 14):
        return
    check_code(code)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(BadBarcode):
        check_code(wrong)


@given(st.text(max_size=300))
def test_any_text_parses_without_raising(text: str) -> None:
    catalog, problems = parse_catalog("barcode,plu,name,price,vat\n" + text)
    assert len(catalog) + len(problems) <= text.count("\n") + text.count("\r") + 1
