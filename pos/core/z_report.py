"""X and Z report totals from plain rows: by VAT rate, by tender, per cashier, the cash count. Pure.

Rules kept, and why:

- VAT is stated per rate on the period's total gross at that rate, rounding half up
  (``pos.core.vat``, TILL-CONTRACTS "Money, VAT"): the same rule as a receipt, applied once
  to the whole period, so the report never drifts by summing per-sale VAT.
- A paid sale belongs to the period its ``paid_at`` falls in; a refund to the period it was done
  in. The rows given here are already the period's: the journal picks them.
- Cash tenders count net of change (``amount``, not what was handed over), so the expected cash
  is ``float + cash sales + paid-in - paid-out - cash refunds``; the blind count is compared with
  it: ``over_short = counted - expected`` (negative: short).
- Money is int krónur throughout; a report's totals by rate, by tender and per cashier each add
  up to its sales total (a hypothesis test holds the code to that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pos.core.vat import vat_included

ReportKind = Literal["X", "Z"]
CASH, NETGIRO = "cash", "netgiro"
TENDERS = (CASH, NETGIRO)
MOVEMENT_KINDS = ("float", "paid_in", "paid_out", "no_sale")
ENDING_PHASES = ("CANCELLED", "DECLINED", "FAILED", "ABANDONED", "UNKNOWN_ABANDONED")
"""Payment attempts that ended without money: counted per phase."""
PENDING_KINDS = ("RESERVED_UNCHARGED", "NEEDS_REVIEW", "UNKNOWN_ABANDONED", "REFUND_UNKNOWN")
UNKNOWN_CASHIER = ""
"""A sale journaled before cashiers signed in (or with nobody signed in)."""


@dataclass(frozen=True)
class PaidSale:
    """One paid sale of the period, as the journal holds it."""

    sale_id: int
    receipt_no: int
    paid_at: str
    total: int
    gross_by_rate: Mapping[int, int]
    """Krónur at each VAT rate after line and sale discounts; adds up to ``total``."""
    cash: int = 0
    """Cash tenders taken, net of change."""
    netgiro: int = 0
    change: int = 0
    discount: int = 0
    """Krónur off: line discounts and the sale discount."""
    cashier: str | None = None


@dataclass(frozen=True)
class CashMove:
    """A float, paid-in, paid-out or no-sale opening of the drawer."""

    kind: str
    amount: int
    reason: str
    who: str
    at: str


@dataclass(frozen=True)
class RefundDone:
    """Money given back in the period: to the tender it came from."""

    tender: str
    amount: int
    sale_id: int | None = None
    """None for a total over several refunds (the journal may sum them by tender and rate)."""
    gross_by_rate: Mapping[int, int] = field(default_factory=dict)
    """Empty when the refund recorded no lines (an amount-only Netgíró refund): unsplit."""


@dataclass(frozen=True)
class Pending:
    """Something a manager must still decide; listed on every report until it is settled."""

    kind: str
    sale_id: int
    reference: str
    amount: int
    transaction_id: str | None = None


@dataclass(frozen=True)
class PeriodRows:
    """Everything a report counts, as plain rows (the journal reads them in one snapshot)."""

    sales: Sequence[PaidSale] = ()
    movements: Sequence[CashMove] = ()
    refunds: Sequence[RefundDone] = ()
    refund_count: int | None = None
    """Refund actions in the period (a refund split over two tenders is one); None: one per row."""
    voided: int = 0
    """Sales voided in the period, those voided at the Z included."""
    voided_at_close: int = 0
    endings: Mapping[str, int] = field(default_factory=dict)
    """Attempts that ended in the period without money, per phase (``ENDING_PHASES``)."""
    pending: Sequence[Pending] = ()


@dataclass(frozen=True)
class RateTotal:
    rate: int
    gross: int
    vat: int

    @property
    def net(self) -> int:
        """Without VAT."""
        return self.gross - self.vat


@dataclass(frozen=True)
class CashierTotal:
    name: str
    sales: int
    total: int
    cash: int
    netgiro: int


@dataclass(frozen=True)
class CashCount:
    """The drawer: what should be in it, what was counted, and the difference."""

    opening_float: int
    cash_sales: int
    paid_in: int
    paid_out: int
    cash_refunds: int
    counted: int | None = None

    @property
    def expected(self) -> int:
        return (
            self.opening_float + self.cash_sales + self.paid_in - self.paid_out - self.cash_refunds
        )

    @property
    def over_short(self) -> int | None:
        """Counted less expected: below zero the drawer is short."""
        return None if self.counted is None else self.counted - self.expected


@dataclass(frozen=True)
class Totals:
    """A report's numbers."""

    sales: int
    total: int
    by_rate: tuple[RateTotal, ...]
    by_tender: Mapping[str, int]
    change_given: int
    discounted_sales: int
    discount_total: int
    refunds: int
    refunds_by_tender: Mapping[str, int]
    refunds_by_rate: tuple[RateTotal, ...]
    refunds_unsplit: int
    net_by_rate: tuple[RateTotal, ...]
    cashiers: tuple[CashierTotal, ...]
    voided: int
    voided_at_close: int
    endings: Mapping[str, int]
    no_sales: int
    movements: tuple[CashMove, ...]
    cash: CashCount
    pending: tuple[Pending, ...]


def split_by_rates(amount: int, gross_by_rate: Mapping[int, int]) -> dict[int, int]:
    """``amount`` shared over the rates in proportion to their gross, by largest remainder (the
    shares add up exactly): a refund by amount of a sale's own payment, which named no lines."""
    total = sum(gross_by_rate.values())
    if total <= 0:
        return {}
    exact = {rate: amount * gross for rate, gross in gross_by_rate.items()}
    shares = {rate: value // total for rate, value in exact.items()}
    left = amount - sum(shares.values())
    for rate in sorted(exact, key=lambda r: (-(exact[r] % total), -r))[:left]:
        shares[rate] += 1
    return {rate: share for rate, share in shares.items() if share}


def rate_totals(gross_by_rate: Mapping[int, int]) -> tuple[RateTotal, ...]:
    """Each rate's gross and the VAT on it, highest rate first."""
    return tuple(
        RateTotal(rate, gross, vat_included(gross, rate))
        for rate, gross in sorted(gross_by_rate.items(), reverse=True)
    )


def _add(into: dict[Any, int], key: Any, amount: int) -> None:
    into[key] = into.get(key, 0) + amount


def _gross_by_rate(rows: Sequence[Mapping[int, int]]) -> dict[int, int]:
    summed: dict[int, int] = {}
    for row in rows:
        for rate, gross in row.items():
            _add(summed, rate, gross)
    return summed


def _cashiers(sales: Sequence[PaidSale]) -> tuple[CashierTotal, ...]:
    by_name: dict[str, list[PaidSale]] = {}
    for sale in sales:
        by_name.setdefault(sale.cashier or UNKNOWN_CASHIER, []).append(sale)
    return tuple(
        CashierTotal(
            name,
            len(rows),
            sum(s.total for s in rows),
            sum(s.cash for s in rows),
            sum(s.netgiro for s in rows),
        )
        for name, rows in sorted(by_name.items())
    )


def _moved(movements: Sequence[CashMove], kind: str) -> int:
    return sum(m.amount for m in movements if m.kind == kind)


def compute(rows: PeriodRows, counted: int | None = None) -> Totals:
    """The report's totals; ``counted`` is the blind count (a Z), None for an X."""
    sales = tuple(sorted(rows.sales, key=lambda s: s.receipt_no))
    sales_by_rate = _gross_by_rate([s.gross_by_rate for s in sales])
    split = [r for r in rows.refunds if r.gross_by_rate]
    refunds_by_rate = _gross_by_rate([r.gross_by_rate for r in split])
    net_by_rate = dict(sales_by_rate)
    for rate, gross in refunds_by_rate.items():
        _add(net_by_rate, rate, -gross)
    refunds_by_tender: dict[str, int] = dict.fromkeys(TENDERS, 0)
    for refund in rows.refunds:
        _add(refunds_by_tender, refund.tender, refund.amount)
    movements = tuple(sorted(rows.movements, key=lambda m: m.at))
    cash = CashCount(
        opening_float=_moved(movements, "float"),
        cash_sales=sum(s.cash for s in sales),
        paid_in=_moved(movements, "paid_in"),
        paid_out=_moved(movements, "paid_out"),
        cash_refunds=refunds_by_tender.get(CASH, 0),
        counted=counted,
    )
    return Totals(
        sales=len(sales),
        total=sum(s.total for s in sales),
        by_rate=rate_totals(sales_by_rate),
        by_tender={CASH: cash.cash_sales, NETGIRO: sum(s.netgiro for s in sales)},
        change_given=sum(s.change for s in sales),
        discounted_sales=sum(1 for s in sales if s.discount > 0),
        discount_total=sum(s.discount for s in sales),
        refunds=len(rows.refunds) if rows.refund_count is None else rows.refund_count,
        refunds_by_tender=refunds_by_tender,
        refunds_by_rate=rate_totals(refunds_by_rate),
        refunds_unsplit=sum(r.amount for r in rows.refunds if not r.gross_by_rate),
        net_by_rate=rate_totals(net_by_rate),
        cashiers=_cashiers(sales),
        voided=rows.voided,
        voided_at_close=rows.voided_at_close,
        endings={phase: rows.endings.get(phase, 0) for phase in ENDING_PHASES},
        no_sales=sum(1 for m in movements if m.kind == "no_sale"),
        movements=movements,
        cash=cash,
        pending=tuple(rows.pending),
    )


# --- the snapshot: what is stored, printed and shown ------------------------------------------


@dataclass(frozen=True)
class ReportHeader:
    """Who and when: the period, the register, the manager (a Z), the audit head (a Z)."""

    kind: ReportKind
    opened_at: str
    closed_at: str
    store_id: str = ""
    register_id: str = ""
    number: int | None = None
    """A Z's number; an X has none (it says which Z it leads up to: ``next_z``)."""
    next_z: int | None = None
    manager: str = ""
    audit_head: str = ""
    store: Mapping[str, object] = field(default_factory=dict)


def _rates_json(rates: Sequence[RateTotal]) -> list[dict[str, int]]:
    return [{"rate": r.rate, "gross": r.gross, "vat": r.vat, "net": r.net} for r in rates]


def snapshot(header: ReportHeader, totals: Totals) -> dict[str, Any]:
    """The report as plain JSON data: stored with a Z, printed, shown by ``--json``."""
    cash = totals.cash
    return {
        "kind": header.kind,
        "number": header.number,
        "next_z": header.next_z,
        "opened_at": header.opened_at,
        "closed_at": header.closed_at,
        "store_id": header.store_id,
        "register": header.register_id,
        "store": dict(header.store),
        "manager": header.manager,
        "audit_head": header.audit_head,
        "sales": totals.sales,
        "total": totals.total,
        "by_rate": _rates_json(totals.by_rate),
        "by_tender": dict(totals.by_tender),
        "change_given": totals.change_given,
        "discounts": {"sales": totals.discounted_sales, "amount": totals.discount_total},
        "refunds": {
            "count": totals.refunds,
            "by_tender": dict(totals.refunds_by_tender),
            "by_rate": _rates_json(totals.refunds_by_rate),
            "unsplit": totals.refunds_unsplit,
        },
        "net_by_rate": _rates_json(totals.net_by_rate),
        "cashiers": [
            {
                "name": c.name,
                "sales": c.sales,
                "total": c.total,
                "cash": c.cash,
                "netgiro": c.netgiro,
            }
            for c in totals.cashiers
        ],
        "voided": totals.voided,
        "voided_at_close": totals.voided_at_close,
        "endings": dict(totals.endings),
        "no_sales": totals.no_sales,
        "movements": [
            {"kind": m.kind, "amount": m.amount, "reason": m.reason, "who": m.who, "at": m.at}
            for m in totals.movements
        ],
        "cash": {
            "float": cash.opening_float,
            "cash_sales": cash.cash_sales,
            "paid_in": cash.paid_in,
            "paid_out": cash.paid_out,
            "cash_refunds": cash.cash_refunds,
            "expected": cash.expected,
            "counted": cash.counted,
            "over_short": cash.over_short,
        },
        "pending": [
            {
                "kind": p.kind,
                "sale_id": p.sale_id,
                "reference": p.reference,
                "amount": p.amount,
                "transaction_id": p.transaction_id,
            }
            for p in totals.pending
        ],
    }


CSV_HEADER = ("z_number", "closed_at", "section", "key", "gross", "vat", "net")


def accountant_rows(report: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The Z for the accountant: one row per VAT rate (sales, refunds, net) and per tender.

    Amounts are whole krónur with VAT included in ``gross``; tender rows carry no VAT split.
    """
    number = str(report.get("number") or "")
    closed = str(report.get("closed_at") or "")
    rows: list[tuple[str, ...]] = [CSV_HEADER]

    def rates(section: str, items: Any) -> None:
        for item in items:
            rows.append(
                (
                    number,
                    closed,
                    section,
                    str(item["rate"]),
                    str(item["gross"]),
                    str(item["vat"]),
                    str(item["net"]),
                )
            )

    refunds = report["refunds"]
    rates("sales_vat", report["by_rate"])
    rates("refunds_vat", refunds["by_rate"])
    if refunds["unsplit"]:
        rows.append((number, closed, "refunds_vat", "unsplit", str(refunds["unsplit"]), "", ""))
    rates("net_vat", report["net_by_rate"])
    for tender, amount in report["by_tender"].items():
        rows.append((number, closed, "sales_tender", str(tender), str(amount), "", ""))
    for tender, amount in refunds["by_tender"].items():
        rows.append((number, closed, "refunds_tender", str(tender), str(amount), "", ""))
    rows.append((number, closed, "total", "sales", str(report["total"]), "", ""))
    return rows
