"""Report totals from plain rows (pure): each breakdown adds up to the total, VAT by the contract's
rule on each rate's total, the cash count, and the paper layout at every width."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.receipt_layout import WIDTHS, Cut, Text
from pos.core.report_layout import layout_report
from pos.core.z_report import (
    CashMove,
    PaidSale,
    Pending,
    PeriodRows,
    RefundDone,
    ReportHeader,
    accountant_rows,
    compute,
    snapshot,
    split_by_rates,
)

RATES = (24, 11, 0)
TZ = ZoneInfo("Atlantic/Reykjavik")


@st.composite
def paid_sales(draw: st.DrawFn) -> list[PaidSale]:
    found = []
    count = draw(st.integers(0, 12))
    for n in range(1, count + 1):
        by_rate = draw(
            st.dictionaries(st.sampled_from(RATES), st.integers(1, 2_000_000), min_size=1)
        )
        total = sum(by_rate.values())
        cash = draw(st.integers(0, total))
        found.append(
            PaidSale(
                sale_id=n,
                receipt_no=n,
                paid_at=f"2026-12-01T12:{n:02d}:00.000+00:00",
                total=total,
                gross_by_rate=by_rate,
                cash=cash,
                netgiro=total - cash,
                change=draw(st.integers(0, 5000)) if cash else 0,
                discount=draw(st.integers(0, 100)),
                cashier=draw(st.sampled_from([None, "Jón", "Sigga"])),
            )
        )
    return found


def vat_rule(gross: int, rate: int) -> int:
    """TILL-CONTRACTS' rule, written out here again: (gross * r + (100 + r) // 2) // (100 + r)."""
    return (gross * rate + (100 + rate) // 2) // (100 + rate)


@settings(max_examples=150, deadline=None)
@given(paid_sales())
def test_totals_by_rate_by_tender_and_per_cashier_add_up_to_the_z_total(
    sales: list[PaidSale],
) -> None:
    totals = compute(PeriodRows(sales=sales))
    assert totals.total == sum(s.total for s in sales)
    assert sum(r.gross for r in totals.by_rate) == totals.total
    assert sum(totals.by_tender.values()) == totals.total
    assert sum(c.total for c in totals.cashiers) == totals.total
    assert sum(c.sales for c in totals.cashiers) == totals.sales == len(sales)
    for rate in totals.by_rate:
        assert rate.vat == vat_rule(rate.gross, rate.rate)
        assert rate.net == rate.gross - rate.vat
    assert [r.rate for r in totals.by_rate] == sorted(
        {r.rate for r in totals.by_rate}, reverse=True
    )


def test_vat_is_stated_on_each_rates_total_not_summed_per_sale() -> None:
    # seven sales of 3 kr. at 24 %: 0.58 each rounds to 1 (7 summed), but 21 kr. holds 4.06: 4
    sales = [PaidSale(n, n, "", 3, {24: 3}, cash=3) for n in range(1, 8)]
    [rate] = compute(PeriodRows(sales=sales)).by_rate
    assert (rate.gross, rate.vat) == (21, 4)


def test_the_cash_count_and_its_difference() -> None:
    rows = PeriodRows(
        sales=[PaidSale(1, 1, "", 5000, {24: 5000}, cash=3000, netgiro=2000, change=1000)],
        movements=[
            CashMove("float", 20_000, "", "manager:Anna", "t1"),
            CashMove("paid_in", 1500, "Banki", "manager:Anna", "t2"),
            CashMove("paid_out", 700, "Kaffi", "manager:Anna", "t3"),
            CashMove("no_sale", 0, "", "manager:Anna", "t4"),
        ],
        refunds=[RefundDone("cash", 400, 1, {24: 400}), RefundDone("netgiro", 600, 1)],
    )
    short = compute(rows, counted=23_000)
    # 20 000 + 3 000 + 1 500 - 700 - 400
    assert (short.cash.expected, short.cash.over_short, short.no_sales) == (23_400, -400, 1)
    assert compute(rows, counted=23_500).cash.over_short == 100
    assert compute(rows).cash.over_short is None
    assert dict(short.refunds_by_tender) == {"cash": 400, "netgiro": 600}
    assert short.refunds_unsplit == 600
    # net at 24 %: 5 000 - 400 = 4 600, VAT on that total: (4 600·24 + 62) // 124 = 890
    assert [(r.rate, r.gross, r.vat) for r in short.net_by_rate] == [(24, 4600, 890)]


def full_snapshot() -> dict[str, object]:
    rows = PeriodRows(
        sales=[
            PaidSale(1, 1, "", 2137, {24: 990, 11: 1147}, cash=2137, change=2863, cashier="Jón"),
            PaidSale(2, 2, "", 2990, {24: 2990}, netgiro=2990, discount=300),
        ],
        movements=[
            CashMove("float", 25_000, "", "manager:Anna", "t0"),
            CashMove("paid_out", 3000, "Hreinsiefni " * 8, "manager:Anna", "t1"),
        ],
        refunds=[RefundDone("netgiro", 1000, 2)],
        voided=3,
        voided_at_close=1,
        endings={"CANCELLED": 1},
        pending=[Pending("NEEDS_REVIEW", 9, "S1-R1-ab12cd34-9-1", 1990, "a" * 36)],
    )
    header = ReportHeader(
        "Z",
        "2026-12-01T08:00:00.000+00:00",
        "2026-12-01T22:15:00.000+00:00",
        store_id="S1",
        register_id="R1",
        number=7,
        manager="manager:Anna",
        audit_head="0123456789abcdef" * 4,
        store={"name": "Dæmibúðin ehf."},
    )
    return snapshot(header, compute(rows, counted=20_000))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_layout_fits_every_width_and_carries_the_head(width: int) -> None:
    blocks = layout_report(full_snapshot(), width=width, tz=TZ)
    texts = [b.text for b in blocks if isinstance(b, Text)]
    assert all(len(t) <= width for t in texts)
    assert isinstance(blocks[-1], Cut)
    assert "Z-SKÝRSLA nr. 7" in texts
    assert "".join(t.strip() for t in texts[-4:]) == "0123456789abcdef" * 4
    assert any(t.startswith("Til ") and t.endswith("01.12.2026 22:15") for t in texts)
    # counted 20 000 against 25 000 + 2 137 - 3 000 = 24 137
    assert any(t.startswith("Vantar") and t.endswith("-4.137") for t in texts)


def test_a_reprint_is_marked_afrit_at_top_and_bottom() -> None:
    blocks = layout_report(full_snapshot(), width=48, tz=TZ, copy_no=2)
    texts = [b.text.strip() for b in blocks if isinstance(b, Text)]
    assert texts[0] == texts[-1] == "*** AFRIT 2 ***"


def test_the_accountant_rows_name_the_unsplit_refunds() -> None:
    rows = accountant_rows(full_snapshot())
    assert ("7", "2026-12-01T22:15:00.000+00:00", "refunds_vat", "unsplit", "1000", "", "") in rows
    assert rows[-1][2:5] == ("total", "sales", "5127")


def test_a_refund_by_amount_is_shared_over_the_sales_rates_by_largest_remainder() -> None:
    # 1 000 of a 2 137 sale (990 at 24 %, 1 147 at 11 %): 463.27 and 536.73 -> 463 and 537
    assert split_by_rates(1000, {24: 990, 11: 1147}) == {24: 463, 11: 537}
    assert split_by_rates(1000, {}) == {}


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(RATES), st.integers(1, 2_000_000), min_size=1),
    st.integers(1, 2_000_000),
)
def test_the_shares_of_a_refund_add_up_to_it(by_rate: dict[int, int], wanted: int) -> None:
    amount = min(wanted, sum(by_rate.values()))
    shares = split_by_rates(amount, by_rate)
    assert sum(shares.values()) == amount
    assert all(0 < share <= by_rate[rate] for rate, share in shares.items())
