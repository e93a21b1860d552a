"""The receipt as data and as laid-out lines: v1 snapshots, rich snapshots, widths, copies."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.receipt import ReceiptError, StoreHeader, receipt_from_snapshot
from pos.core.receipt_layout import (
    WIDTHS,
    Barcode128,
    Cut,
    QrCode,
    Templates,
    Text,
    fill_template,
    layout_receipt,
    quantity_text,
    template_problems,
    text_lines,
)
from tests.devices.receipts import V1_SNAPSHOT

REYKJAVIK = ZoneInfo("Atlantic/Reykjavik")

STORE = StoreHeader(
    "Þórður & Ævar ehf.", "Laugavegi 1, 101 Reykjavík", "550101-2340", "123456", "S1"
)

RICH_SNAPSHOT: dict[str, Any] = {
    **V1_SNAPSHOT,
    "store": {
        "name": STORE.name,
        "address": STORE.address,
        "kennitala": STORE.kennitala,
        "vsk_number": STORE.vsk_number,
        "store_id": "S1",
    },
    "receipt_no": 42,
    "register": "R1",
    "cashier": "Ásdís",
    "total": 4199,
    "lines": [
        {
            "name": "Harðfiskur",
            "unit_price": 2000,
            "quantity_milli": 2000,
            "amount": 4000,
            "vat_rate": 24,
        },
        {
            "name": "Mjólk",
            "unit_price": 219,
            "quantity_milli": 1000,
            "amount": 199,
            "discount": 20,
            "vat_rate": 11,
        },
    ],
    "tenders": [{"kind": "netgiro", "amount": 3000}, {"kind": "cash", "amount": 1199}],
    "change": 1,
}


def lines_of(snapshot: dict[str, Any], width: int = 42, copy_no: int = 0) -> list[str]:
    receipt = receipt_from_snapshot(snapshot)
    return text_lines(layout_receipt(receipt, width=width, tz=REYKJAVIK, copy_no=copy_no))


def test_a_v1_snapshot_renders_its_lines_total_and_netgiro_block() -> None:
    lines = lines_of(V1_SNAPSHOT)
    assert "Keyed amount                         1.990" in lines
    assert "SAMTALS                          1.990 kr." in lines
    assert "Reikningur                          123456" in lines
    assert "Færsla                            0f4c2a8e" in lines
    assert "Viðskiptavinur                    ***-**81" in lines
    assert "Dags.                     01.12.2026 22:15" in lines
    assert "Verð eru með VSK" in lines  # prices include VAT …
    assert not any("þar af VSK" in line for line in lines)  # … but v1 knew no rates: none made up


def test_a_v1_snapshot_code_is_its_reference() -> None:
    blocks = layout_receipt(receipt_from_snapshot(V1_SNAPSHOT), width=32, tz=REYKJAVIK)
    assert QrCode("R1-ab12-7-1") in blocks and Barcode128("R1-ab12-7-1") in blocks


def test_a_rich_snapshot_has_header_number_tenders_change_and_vat_per_rate() -> None:
    lines = lines_of(RICH_SNAPSHOT)
    assert lines[:4] == [
        "            Þórður & Ævar ehf.",
        "        Laugavegi 1, 101 Reykjavík",
        "             Kt. 550101-2340",
        "              VSK-nr. 123456",
    ]
    for expected in (
        "Kvittun nr. 42",
        "Kassi                                   R1",
        "Afgreiðsla                           Ásdís",
        "Harðfiskur",
        "  2 x 2.000                          4.000",
        "Mjólk                                  219",
        "  Afsláttur                            -20",
        "SAMTALS                          4.199 kr.",
        "Greitt: Netgíró                      3.000",
        "Greitt: Reiðufé                      1.199",
        "Til baka                                 1",
        "þar af VSK 24 %                        774",  # (4000*24 + 62) // 124
        "þar af VSK 11 %                         20",  # (199*11 + 55) // 111
        "Samtals VSK                            794",
        "[QR S1-R1-R42]",
        "[Code128 S1-R1-R42]",
    ):
        assert expected in lines


def test_vat_frozen_in_the_snapshot_wins_over_recomputing() -> None:
    snapshot = {**RICH_SNAPSHOT, "vat": [{"rate": 24, "gross": 4000, "vat": 775}]}
    assert "þar af VSK 24 %                        775" in lines_of(snapshot)


def test_the_store_header_of_the_snapshot_wins_over_todays_config() -> None:
    moved = StoreHeader("Þórður & Ævar ehf.", "Nýjavegi 9", "550101-2340", "123456", "S1")
    receipt = receipt_from_snapshot(RICH_SNAPSHOT, store=moved)
    assert receipt.store.address == "Laugavegi 1, 101 Reykjavík"
    assert receipt_from_snapshot(V1_SNAPSHOT, store=moved).store.address == "Nýjavegi 9"


def test_a_copy_says_afrit_with_its_counter_at_top_and_bottom() -> None:
    lines = lines_of(V1_SNAPSHOT, copy_no=2)
    marks = [n for n, line in enumerate(lines) if line.strip() == "*** AFRIT 2 ***"]
    assert marks == [0, len(lines) - 2]
    assert lines[1:-2] == lines_of(V1_SNAPSHOT)[:-1]  # otherwise the same receipt


def test_the_receipt_ends_with_the_cut() -> None:
    blocks = layout_receipt(receipt_from_snapshot(V1_SNAPSHOT), width=48, tz=REYKJAVIK)
    assert blocks[-1] == Cut()


def test_an_unmasked_customer_in_a_snapshot_is_masked_on_paper() -> None:
    lines = lines_of({**V1_SNAPSHOT, "customer": "0101302989"})
    assert not any("0101302989" in line for line in lines)
    assert any("******-2989" in line for line in lines)


def test_control_characters_never_reach_paper() -> None:
    snapshot = {
        **V1_SNAPSHOT,
        "lines": [{**V1_SNAPSHOT["lines"][0], "name": "Kaffi\x1b@\x1dV\x00\u202e"}],
    }
    blocks = layout_receipt(receipt_from_snapshot(snapshot), width=32, tz=REYKJAVIK)
    texts = "".join(b.text for b in blocks if isinstance(b, Text))
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in texts)


@pytest.mark.parametrize(
    "bad", [{"sale_id": 1}, {**V1_SNAPSHOT, "total": "1990"}, {**V1_SNAPSHOT, "lines": {}}]
)
def test_an_unreadable_snapshot_is_a_receipt_error(bad: dict[str, Any]) -> None:
    with pytest.raises(ReceiptError, match="cannot be read"):
        receipt_from_snapshot(bad)


@pytest.mark.parametrize(
    ("milli", "shown"), [(1000, "1"), (1500, "1,5"), (250, "0,25"), (1234, "1,234"), (12000, "12")]
)
def test_quantities_are_icelandic_decimals(milli: int, shown: str) -> None:
    assert quantity_text(milli) == shown


def test_templates_fill_store_fields_and_drop_lines_left_empty() -> None:
    template = "{store.name}\nKt. {store.kennitala}\nOpið alla daga"
    assert fill_template(template, StoreHeader(name="Búðin")) == ["Búðin", "Opið alla daga"]
    assert template_problems("{store.phone}") == ["{store.phone} is not a store field"]


names = st.text(st.characters(codec="utf-8"), min_size=0, max_size=120)


@settings(deadline=None)
@given(
    name=names,
    amount=st.integers(-10_000_000, 10_000_000),
    quantity=st.integers(1, 10_000_000),
    width=st.sampled_from(WIDTHS),
    copy_no=st.integers(0, 99),
)
def test_every_line_fits_the_width(
    name: str, amount: int, quantity: int, width: int, copy_no: int
) -> None:
    line = {"name": name, "unit_price": amount, "quantity_milli": quantity, "amount": amount}
    snapshot = {**RICH_SNAPSHOT, "lines": [line], "cashier": name}
    receipt = receipt_from_snapshot(snapshot)
    templates = Templates(header=name, footer=name)
    blocks = layout_receipt(
        receipt, width=width, tz=REYKJAVIK, templates=templates, copy_no=copy_no
    )
    assert all(len(b.text) <= width for b in blocks if isinstance(b, Text))


CASH_SNAPSHOT: dict[str, Any] = {  # the till model's PAID snapshot of a cash sale
    "sale_id": 12,
    "reference": None,
    "customer": None,
    "transaction_id": None,
    "invoice_number": None,
    "paid_at": "2026-12-01T12:00:00+00:00",
    "receipt_no": 5,
    "register": "R1",
    "store_id": "S1",
    "receipt_code": "S1-R1-R5",
    "total": 900,
    "subtotal": 1000,
    "discount": 100,
    "discount_reason": "fastakúnni",
    "lines": [
        {
            "product_no": "1",
            "barcode": "5690000000001",
            "name": "Kaffi",
            "unit_price": 500,
            "quantity_milli": 2000,
            "gross": 1000,
            "discount": 0,
            "discount_reason": "",
            "amount": 1000,
            "vat_rate": 11,
        }
    ],
    "vat": [{"rate": 11, "gross": 900, "vat": 89}],
    "tenders": [{"kind": "cash", "amount": 900, "tendered": 1000, "change": 100}],
    "change": 100,
}


def test_a_cash_sale_of_the_till_model_shows_tendered_change_discount_and_its_code() -> None:
    receipt = receipt_from_snapshot(CASH_SNAPSHOT, store=STORE)
    lines = text_lines(layout_receipt(receipt, width=32, tz=REYKJAVIK))
    for expected in (
        "Kvittun nr. 5",
        "Afsláttur (fastakúnni)      -100",
        "SAMTALS                  900 kr.",
        "Greitt: Reiðufé            1.000",
        "Til baka                     100",
        "þar af VSK 11 %               89",
        "[QR S1-R1-R5]",
    ):
        assert expected in lines, lines
    assert receipt.netgiro is None and not any("Netgíró" in line for line in lines)
    assert receipt.store.name == STORE.name and receipt.store.store_id == "S1"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
snapshot_keys = st.sampled_from(
    [
        "sale_id",
        "total",
        "lines",
        "tenders",
        "vat",
        "store",
        "receipt_no",
        "change",
        "customer",
        "transaction_id",
        "paid_at",
    ]
)


@settings(deadline=None)
@given(st.dictionaries(snapshot_keys, json_values))
def test_any_snapshot_is_a_receipt_or_a_receipt_error(snapshot: dict[str, Any]) -> None:
    merged = {**V1_SNAPSHOT, **snapshot}
    try:
        receipt = receipt_from_snapshot(merged)
    except ReceiptError:
        return
    layout_receipt(receipt, width=32, tz=REYKJAVIK)
