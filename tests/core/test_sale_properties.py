"""Any sequence of counter actions keeps the sale's sums true (hypothesis, stateful)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pos.core.catalog import CatalogItem
from pos.core.sale import (
    Discount,
    DiscountKind,
    DiscountLimit,
    Sale,
    SaleError,
    TenderStatus,
)

ITEMS = [
    CatalogItem("101", "5690010000012", "Mjólk 1 l", 229, 11),
    CatalogItem("112", "5690010000128", "Lopapeysa", 24990, 24),
    CatalogItem("120", None, "Bananar (kg)", 398, 11),
]
LIMIT = DiscountLimit(percent=30, amount=20_000)
discounts = st.builds(
    Discount,
    st.sampled_from(DiscountKind),
    st.integers(1, 100),
    st.just("Reason"),
)


class Counter(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sale = Sale()

    def attempt(self, change: Callable[[], Sale]) -> None:
        """Apply a change; a refusal must leave the sale exactly as it was."""
        before = self.sale
        try:
            self.sale = change()
        except SaleError:
            assert self.sale is before

    @rule(amount=st.integers(1, 200_000), rate=st.sampled_from([24, 11, 0]))
    def key_amount(self, amount: int, rate: int) -> None:
        self.attempt(lambda: self.sale.add_open_price(amount, rate))

    @rule(item=st.sampled_from(ITEMS), quantity=st.integers(1, 20_000))
    def scan(self, item: CatalogItem, quantity: int) -> None:
        self.attempt(lambda: self.sale.with_quantity(quantity).add_item(item))

    @rule(index=st.integers(0, 6))
    def void(self, index: int) -> None:
        self.attempt(lambda: self.sale.void_line(index))

    @rule(index=st.integers(0, 6), discount=discounts)
    def discount_line(self, index: int, discount: Discount) -> None:
        self.attempt(lambda: self.sale.discount_line(index, discount, LIMIT))

    @rule(discount=discounts)
    def discount_sale(self, discount: Discount) -> None:
        self.attempt(lambda: self.sale.discount_sale(discount, LIMIT))

    @rule(tendered=st.integers(1, 300_000))
    def cash(self, tendered: int) -> None:
        self.attempt(lambda: self.sale.take_cash(tendered))

    @rule()
    def netgiro(self) -> None:
        self.attempt(self.sale.start_netgiro)

    @rule(paid=st.booleans())
    def netgiro_ends(self, paid: bool) -> None:
        self.attempt(lambda: self.sale.netgiro_ended(paid))

    @invariant()
    def sums_hold(self) -> None:
        sale = self.sale
        assert sale.total == sale.subtotal - sale.sale_discount_amount >= 0
        assert sum(v.gross for v in sale.vat_lines) == sale.total
        assert all(0 <= v.vat <= v.gross for v in sale.vat_lines)
        assert sale.paid <= sale.total
        assert sale.balance_due == sale.total - sale.paid
        assert sale.change >= 0
        assert sum(t.status is TenderStatus.LIVE for t in sale.tenders) <= 1
        assert sale.frozen == bool(sale.tenders)
        if sale.netgiro_live:
            assert sale.tenders[-1].amount == sale.total - sale.paid
        if sale.netgiro_items():
            assert sum(line.amount for line in sale.netgiro_items()) == sale.total
        assert sale.selected is None or 0 <= sale.selected < len(sale.lines)


TestCounter = Counter.TestCase
TestCounter.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
