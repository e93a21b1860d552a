"""Journaled sales as the till lists them: today's sales, the ones waiting for a manager."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pos.journal import Journal, sales
from pos.services.till_views import SaleSummary

BUSINESS_ZONE = ZoneInfo("Atlantic/Reykjavik")
"""Business days are Reykjavik days (TILL-CONTRACTS: time); the journal stores UTC."""
NEEDS_MANAGER_STATUSES = ("unknown", "manager")


def summary(journal: Journal, sale_id: int) -> SaleSummary:
    return summary_of(journal, sales.load_sale(journal, sale_id))


def summary_of(journal: Journal, stored: sales.StoredSale) -> SaleSummary:
    attempts = journal.sale(stored.sale_id).attempts
    newest = attempts[-1] if attempts else None
    sale = stored.sale
    return SaleSummary(
        sale_id=stored.sale_id,
        status=stored.status,
        total=sale.total,
        paid=sale.paid,
        change=sale.change,
        receipt_no=stored.receipt_no,
        created_at=stored.created_at,
        paid_at=stored.paid_at,
        tenders=sale.tenders,
        line_count=len(sale.lines),
        reference=newest.reference if newest else None,
        transaction_id=newest.state.transaction_id if newest else None,
        phase=newest.state.phase.value if newest else None,
    )


def today(journal: Journal, now: datetime | None = None) -> list[SaleSummary]:
    """Sales created since midnight in Reykjavik, newest first."""
    local = (now or datetime.now(UTC)).astimezone(BUSINESS_ZONE)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = midnight.astimezone(UTC).isoformat(timespec="milliseconds")
    return [summary_of(journal, stored) for stored in sales.sales_since(journal, since)]


def needs_manager(journal: Journal) -> tuple[SaleSummary, ...]:
    """Sales whose payment outcome is unknown or waits for a manager (TILL-CONTRACTS: Settling)."""
    stored = sales.sales_with_status(journal, NEEDS_MANAGER_STATUSES)
    return tuple(summary_of(journal, s) for s in stored)


def payment_touched(journal: Journal, sale_id: int) -> bool:
    """The sale took money or had a payment attempt."""
    return bool(sales.load_sale(journal, sale_id).sale.tenders) or bool(
        journal.sale(sale_id).attempts
    )
