"""Defects found by a hostile pass over refunds and the Z period, on real journal files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos.core.errors import ConfigError
from pos.core.sale import Sale
from pos.journal import Journal, sales
from pos.journal.refunds import finish_refund, request_refund
from pos.people import PeopleFile, Person, hash_pin
from pos.services import cash, reports
from pos.services.line_refunds import LineRefunds
from pos.services.manager_auth import ManagerAuth
from tests.services.refund_support import journal_paid_sale

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    """The register's clock, which NTP may step back (tests set ``now``)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3", store_id="S1") as opened:
        yield opened


async def test_a_cash_refund_made_with_the_clock_stepped_back_still_lands_in_the_next_z(
    tmp_path: Path, journal: Journal
) -> None:
    clock = Clock()
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    auth = ManagerAuth(people, journal, clock=clock)
    anna = auth.enter_manager_mode("Anna", "480263")
    sale_id = sales.save_sale(journal, "R1", Sale().add_open_price(1990, 24))
    assert sales.take_cash(journal, sale_id, 1990, 1990).paid
    first = reports.close_z(auth, anna, journal, counted=1990, backup_dir=tmp_path / "bk")
    assert first.z.snapshot["cash"]["expected"] == 1990

    clock.now = T0 - timedelta(minutes=5)  # the clock was fast at the Z; NTP stepped it back
    cash.opening_float(auth, anna, journal, 5000)
    service = LineRefunds(journal, ConfigError("no Partner API on this register"), auth)
    await service.refund(anna, "1", [(1, None)], "Skilað")  # 1 990 kr. out of the drawer

    x = reports.x_report(journal)
    second = reports.close_z(auth, anna, journal, counted=0, backup_dir=tmp_path / "bk")
    assert (x["cash"]["cash_refunds"], x["cash"]["expected"]) == (1990, 3010)
    assert second.z.snapshot["refunds"]["count"] == 1
    assert second.z.snapshot["cash"]["cash_refunds"] == 1990


def test_a_refund_by_amount_of_a_sales_own_payment_leaves_the_net_vat_right(
    tmp_path: Path, journal: Journal
) -> None:
    sale_id = journal_paid_sale(journal, "a6a00924-8ed0-44cd-b78d-9137f4570a0d", 5000)  # 24 %
    record = request_refund(
        journal,
        sale_id=sale_id,
        amount=4000,
        reason="Skilað",
        manager="manager:Anna",
        idempotency_key="hostile-1",
        at=T0,
    )
    finish_refund(journal, record.id, "DONE", "Netgíró took the refund (HTTP 200).", at=T0)
    x = reports.x_report(journal)
    [net_24] = [row for row in x["net_by_rate"] if row["rate"] == 24]
    assert x["refunds"]["by_tender"]["netgiro"] == 4000
    assert net_24["gross"] == 1000, (x["net_by_rate"], x["refunds"])
