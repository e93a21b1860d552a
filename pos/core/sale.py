"""A sale being rung up: lines, discounts, VAT per rate and the tenders that settle it. Pure.

A ``Sale`` is immutable: every change returns a new one, or raises ``SaleError`` with a message
the cashier can act on and leaves the old one as it was. Rules kept, and why:

- Money is int krónur, quantities int thousandths; a line's gross is ``unit_price × quantity``
  rounded half up to the króna. Prices include VAT.
- VAT is computed per rate on the sale's total at that rate (``pos.core.vat``), after line
  discounts and a share of the sale discount (largest remainder, so the shares add up).
- A sale is settled by tenders (DESIGN.md). Once any tender is live or taken the lines are
  frozen: a Netgíró attempt asked for the balance due when it started, and its answers are
  checked against that amount, so nothing may change it underneath.
- A partial Netgíró tender carries no cart items: they would not add up to its amount.
- A discount above the configured limit needs a manager; until manager mode exists it is
  refused with ``NeedsManager``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from pos.core.catalog import CatalogItem
from pos.core.errors import InputError
from pos.core.money import MAX_AMOUNT, format_isk
from pos.core.vat import VAT_RATES, vat_included

OPEN_PRICE_NO = "OPEN"
OPEN_PRICE_NAME = "Opin vara"
"""The journal's and receipt's name for a keyed amount (the receipt is printed in Icelandic)."""
ONE = 1000
"""One item, in thousandths."""
MAX_QUANTITY_MILLI = 999 * ONE
MAX_REASON = 60


class SaleError(InputError):
    """The sale cannot change that way; it is left as it was."""

    title = "Sale"


class NeedsManager(SaleError):
    """Only a manager may do this; until manager mode exists it is refused."""

    title = "Needs manager mode"


class DiscountKind(StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"


@dataclass(frozen=True)
class DiscountLimit:
    """The most a cashier may give without a manager: both limits hold."""

    percent: int = 20
    amount: int = 5000


@dataclass(frozen=True)
class Discount:
    """Krónur off, or a whole percent off, and why (the reason is journaled and audited)."""

    kind: DiscountKind
    value: int
    reason: str

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError("a discount is an int")
        if self.value <= 0:
            raise SaleError("A discount is more than zero.")
        if self.kind is DiscountKind.PERCENT and self.value > 100:
            raise SaleError("A discount is at most 100 %.")
        if not self.reason.strip():
            raise SaleError("Say why the discount is given: the reason is kept with the sale.")
        if len(self.reason) > MAX_REASON or not self.reason.isprintable():
            raise SaleError(f"Keep the reason short: one line of at most {MAX_REASON} letters.")

    def off(self, gross: int) -> int:
        """Krónur off ``gross``; a percent rounds half up."""
        if self.kind is DiscountKind.PERCENT:
            return (gross * self.value + 50) // 100
        return self.value


@dataclass(frozen=True)
class SaleLine:
    """One line: a catalog item or an open-price amount, with its VAT rate and discount."""

    product_no: str
    barcode: str | None
    name: str
    unit_price: int
    quantity_milli: int
    vat_rate: int
    discount: Discount | None = None

    @property
    def gross(self) -> int:
        """``unit_price × quantity``, half up to the króna."""
        return (self.unit_price * self.quantity_milli + ONE // 2) // ONE

    @property
    def discount_amount(self) -> int:
        return 0 if self.discount is None else self.discount.off(self.gross)

    @property
    def amount(self) -> int:
        return self.gross - self.discount_amount

    @property
    def open_price(self) -> bool:
        return self.product_no == OPEN_PRICE_NO


class TenderKind(StrEnum):
    CASH = "cash"
    NETGIRO = "netgiro"


class TenderStatus(StrEnum):
    LIVE = "live"
    """A Netgíró attempt is running for it."""
    TAKEN = "taken"


@dataclass(frozen=True)
class Tender:
    """Money towards the sale: ``amount`` counts, ``tendered`` is what was handed over."""

    kind: TenderKind
    amount: int
    tendered: int
    status: TenderStatus = TenderStatus.TAKEN
    attempt_id: int | None = None

    @property
    def change(self) -> int:
        return self.tendered - self.amount


@dataclass(frozen=True)
class VatLine:
    """One rate's share of the sale: gross (VAT included) and the VAT in it."""

    rate: int
    gross: int
    vat: int


@dataclass(frozen=True)
class Sale:
    """The sale on the counter. Line indexes are 0-based; ``selected`` follows the last change."""

    lines: tuple[SaleLine, ...] = ()
    discount: Discount | None = None
    tenders: tuple[Tender, ...] = ()
    selected: int | None = None
    next_quantity_milli: int | None = None
    rates: tuple[int, ...] = VAT_RATES

    # --- reading ----------------------------------------------------------------------------

    @property
    def subtotal(self) -> int:
        """Lines after their own discounts, before the sale discount."""
        return sum(line.amount for line in self.lines)

    @property
    def sale_discount_amount(self) -> int:
        """Krónur off the sale; never more than its lines (the total is never negative)."""
        return 0 if self.discount is None else min(self.discount.off(self.subtotal), self.subtotal)

    @property
    def total(self) -> int:
        return self.subtotal - self.sale_discount_amount

    @property
    def paid(self) -> int:
        return sum(t.amount for t in self.tenders if t.status is TenderStatus.TAKEN)

    @property
    def balance_due(self) -> int:
        return max(0, self.total - self.paid)

    @property
    def change(self) -> int:
        return sum(t.change for t in self.tenders if t.status is TenderStatus.TAKEN)

    @property
    def frozen(self) -> bool:
        """Any tender live or taken: the amount is settled, the lines may not change."""
        return bool(self.tenders)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def is_covered(self) -> bool:
        """Tenders taken cover the total: the sale is paid."""
        return bool(self.lines) and self.total > 0 and self.paid >= self.total

    @property
    def netgiro_live(self) -> bool:
        return any(t.status is TenderStatus.LIVE for t in self.tenders)

    @property
    def vat_lines(self) -> tuple[VatLine, ...]:
        """Per rate present, highest first: gross after all discounts, and its VAT."""
        gross = _gross_by_rate(self.lines, self.sale_discount_amount)
        return tuple(
            VatLine(rate, gross[rate], vat_included(gross[rate], rate))
            for rate in sorted(gross, reverse=True)
        )

    @property
    def selected_line(self) -> SaleLine | None:
        return None if self.selected is None else self.lines[self.selected]

    def netgiro_items(self) -> tuple[SaleLine, ...]:
        """Lines to send as CartItemRequests: only when they add up to the whole amount asked."""
        undiscounted = self.discount is None and all(ln.discount is None for ln in self.lines)
        if self.paid or not undiscounted:
            return ()
        return self.lines

    # --- ringing up -------------------------------------------------------------------------

    def with_quantity(self, quantity_milli: int) -> Sale:
        """``N*``: the next line's quantity."""
        self._refuse_if_frozen()
        if not 0 < quantity_milli <= MAX_QUANTITY_MILLI:
            raise SaleError(f"A quantity is from 1 to {MAX_QUANTITY_MILLI // ONE}.")
        return replace(self, next_quantity_milli=quantity_milli)

    def add_open_price(self, amount: int, vat_rate: int, name: str = OPEN_PRICE_NAME) -> Sale:
        """A keyed amount as a line at ``vat_rate``; a pending ``N*`` multiplies it."""
        self._refuse_bad_rate(vat_rate)
        return self._add(SaleLine(OPEN_PRICE_NO, None, name, amount, self._quantity(), vat_rate))

    def add_item(self, item: CatalogItem) -> Sale:
        self._refuse_bad_rate(item.vat_rate)
        line = SaleLine(
            item.plu, item.barcode, item.name, item.price, self._quantity(), item.vat_rate
        )
        return self._add(line)

    def select(self, index: int | None) -> Sale:
        if index is not None and not 0 <= index < len(self.lines):
            raise SaleError("There is no such line.")
        return replace(self, selected=index)

    def move_selection(self, step: int) -> Sale:
        """Up (-1) and Down (+1), staying on the first or last line."""
        if not self.lines:
            return self
        start = len(self.lines) if self.selected is None else self.selected
        return replace(self, selected=min(max(start + step, 0), len(self.lines) - 1))

    def void_line(self, index: int | None = None) -> Sale:
        """Remove a line (the selected one by default).

        A sale discount in krónur goes with it: it was checked against the limit on the old
        total, and on a smaller one it could pass the limit unseen. A percent stays.
        """
        self._refuse_if_frozen()
        index = self._line_index(index)
        lines = self.lines[:index] + self.lines[index + 1 :]
        selected = min(index, len(lines) - 1) if lines else None
        discount = self.discount
        if not lines or (discount is not None and discount.kind is DiscountKind.AMOUNT):
            discount = None
        return replace(self, lines=lines, selected=selected, discount=discount)

    def discount_line(
        self, index: int | None, discount: Discount | None, limit: DiscountLimit
    ) -> Sale:
        """Set (or with None, remove) a line's discount."""
        self._refuse_if_frozen()
        index = self._line_index(index)
        line = self.lines[index]
        if discount is not None:
            _check_discount(discount, line.gross, limit, "the line")
        lines = list(self.lines)
        lines[index] = replace(line, discount=discount)
        return replace(self, lines=tuple(lines), selected=index)

    def discount_sale(self, discount: Discount | None, limit: DiscountLimit) -> Sale:
        """Set (or with None, remove) a discount on the whole sale."""
        self._refuse_if_frozen()
        if not self.lines:
            raise SaleError("Ring up the sale first, then give the discount.")
        if discount is not None:
            _check_discount(discount, self.subtotal, limit, "the sale")
        return replace(self, discount=discount)

    # --- tenders ----------------------------------------------------------------------------

    def take_cash(self, tendered: int) -> Sale:
        """Cash handed over: it counts up to the balance due, the rest is change."""
        self._refuse_unpayable()
        if isinstance(tendered, bool) or not isinstance(tendered, int) or tendered <= 0:
            raise SaleError("Enter the cash handed over, in krónur.")
        if tendered > MAX_AMOUNT:
            raise SaleError(f"{format_isk(tendered)} is more than a till takes; check the amount.")
        amount = min(tendered, self.balance_due)
        return replace(self, tenders=(*self.tenders, Tender(TenderKind.CASH, amount, tendered)))

    def start_netgiro(self, attempt_id: int | None = None) -> Sale:
        """A live Netgíró tender for the balance due; the lines are frozen from now on."""
        self._refuse_unpayable()
        live = Tender(
            TenderKind.NETGIRO, self.balance_due, self.balance_due, TenderStatus.LIVE, attempt_id
        )
        return replace(self, tenders=(*self.tenders, live))

    def netgiro_ended(self, paid: bool) -> Sale:
        """The live Netgíró tender is taken (paid) or dropped (anything else)."""
        # a live tender becomes taken when paid, and is dropped otherwise
        tenders = tuple(
            replace(t, status=TenderStatus.TAKEN) if t.status is TenderStatus.LIVE else t
            for t in self.tenders
            if paid or t.status is not TenderStatus.LIVE
        )
        return replace(self, tenders=tenders)

    # --- helpers ----------------------------------------------------------------------------

    def _quantity(self) -> int:
        return self.next_quantity_milli or ONE

    def _add(self, line: SaleLine) -> Sale:
        self._refuse_if_frozen()
        if line.unit_price <= 0:
            raise SaleError("A price is more than zero.")
        if line.gross <= 0:
            raise SaleError("That line would be worth nothing: check the quantity.")
        if self.subtotal + line.amount > MAX_AMOUNT:
            raise SaleError(
                f"The sale would pass {format_isk(MAX_AMOUNT)}, the most one sale takes; "
                "split it into two sales."
            )
        lines = (*self.lines, line)
        return replace(self, lines=lines, selected=len(lines) - 1, next_quantity_milli=None)

    def _line_index(self, index: int | None) -> int:
        if index is None:
            index = self.selected
        if index is None:
            raise SaleError("Select a line first (Up / Down).")
        if not 0 <= index < len(self.lines):
            raise SaleError("There is no such line.")
        return index

    def _refuse_if_frozen(self) -> None:
        if self.frozen:
            raise SaleError(
                "The sale is being paid: its lines cannot change. Finish or cancel the payment."
            )

    def _refuse_bad_rate(self, rate: int) -> None:
        if rate not in self.rates:
            shown = ", ".join(f"{r} %" for r in self.rates)
            raise SaleError(f"VAT {rate} % is not one of this till's rates ({shown}).")

    def _refuse_unpayable(self) -> None:
        if not self.lines:
            raise SaleError("There is nothing to pay: ring up the sale first.")
        if self.netgiro_live:
            raise SaleError("A Netgíró payment is running for this sale; wait for its end.")
        if self.total <= 0:
            raise SaleError("The sale's total is zero; there is nothing to take.")
        if self.balance_due <= 0:
            raise SaleError("The sale is paid already.")


def _check_discount(discount: Discount, gross: int, limit: DiscountLimit, what: str) -> None:
    off = discount.off(gross)
    if off > gross:
        raise SaleError(
            f"The discount ({format_isk(off)}) is more than {what} ({format_isk(gross)})."
        )
    # A percent is judged as given (rounding 17 % of 3 kr. to 1 kr. is not a 33 % discount).
    if discount.kind is DiscountKind.PERCENT:
        too_much = discount.value > limit.percent
    else:
        too_much = off * 100 > gross * limit.percent
    if too_much or off > limit.amount:
        raise NeedsManager(
            f"A discount above {limit.percent} % or {format_isk(limit.amount)} needs manager "
            "mode, which this till does not have yet."
        )


def _gross_by_rate(lines: Iterable[SaleLine], sale_discount: int) -> dict[int, int]:
    """Each rate's gross after line discounts, less its share of the sale discount.

    The share is proportional, by largest remainder, so the shares add up to the discount
    exactly and every rate's VAT is stated on what the customer really pays at that rate.
    """
    gross: dict[int, int] = {}
    for line in lines:
        gross[line.vat_rate] = gross.get(line.vat_rate, 0) + line.amount
    subtotal = sum(gross.values())
    if sale_discount <= 0 or subtotal <= 0:
        return gross
    exact = {rate: sale_discount * amount for rate, amount in gross.items()}
    shares = {rate: value // subtotal for rate, value in exact.items()}
    left = sale_discount - sum(shares.values())
    by_remainder = sorted(gross, key=lambda rate: (-(exact[rate] % subtotal), -rate))
    for rate in by_remainder[:left]:
        shares[rate] += 1
    return {rate: gross[rate] - shares[rate] for rate in gross}


ROUND_UP_TO = (500, 1000, 5000, 10000)
"""Sums customers hand over: the next 500, thousand, 5.000 note or 10.000 note above the total."""


def cash_suggestions(
    balance_due: int, notes: tuple[int, ...] = ROUND_UP_TO, most: int = 4
) -> list[int]:
    """Quick keys for cash: the exact amount, then the next round sums in notes a customer hands over."""
    if balance_due <= 0:
        return []
    found = [balance_due]
    for note in notes:
        rounded = -(-balance_due // note) * note  # the smallest multiple of the note that covers
        if rounded not in found:
            found.append(rounded)
    return sorted(found)[:most]
