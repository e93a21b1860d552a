"""A Z for a scripted day, against LITERAL numbers worked out by hand (not by the code under test).

The day runs through the till's own code paths on a real journal file and the real sandbox
over loopback: cash with change, Netgíró, a split tender, discounts, a cancellation, two voids,
a parked sale voided at the Z, a cash refund and a Netgíró refund by line (through the Partner
API), a found reservation,
float, paid-in, paid-out, a no-sale, and a blind count that comes up short.

The hand arithmetic (prices from config/catalog.example.csv):

    A  2 × Mjólk 229 (11 %) = 458, Rúgbrauð 689 (11 %), keyed 990 (24 %)   = 2 137  cash 5 000, change 2 863
    B  Ullarsokkar 2 990 (24 %)                                              = 2 990  Netgíró
    C  Kaffi 1 190 + Harðfiskur 1 290 (11 %), Burðarpoki 50 (24 %)           = 2 530  cash 1 000 + Netgíró 1 530
    D  Lopapeysa 24 990 (24 %) less 10 % (2 499) = 22 491, Ullarsokkar 2 990
       (24 %): 25 481, less 500 on the sale                                  = 24 981  cash 25 000, change 19
    E  Kristall 249: Netgíró cancelled by the cashier, then cleared          voided
    F  Appelsín 459: parked, recalled, cleared                               voided
    G  Skyr 459: parked, voided at the Z                                      voided at close
    Jón rings up A and B (2 sales, 5 127: cash 2 137, Netgíró 2 990), Sigga C and D (2 sales,
    27 511: cash 1 000 + 24 981 = 25 981, Netgíró 1 530)
    sales 4, total 2 137 + 2 990 + 2 530 + 24 981 = 32 638
    24 %: 990 + 2 990 + 50 + 24 981 = 29 011; VAT (29 011·24 + 62) // 124 = 5 615; net 23 396
    11 %: 458 + 689 + 1 190 + 1 290 = 3 627;  VAT (3 627·11 + 55) // 111 = 359;    net 3 268
    cash 2 137 + 1 000 + 24 981 = 28 118; Netgíró 2 990 + 1 530 = 4 520; change 2 863 + 19 = 2 882
    discounts: 1 sale, 2 499 + 500 = 2 999
    refunds: one Mjólk of A (229 at 11 %) from the drawer; all of B (2 990 at 24 %) to Netgíró
      VAT (2 990·24 + 62) // 124 = 579, net 2 411; (229·11 + 55) // 111 = 23, net 206
    net of refunds: 24 %: 29 011 - 2 990 = 26 021, VAT (26 021·24 + 62) // 124 = 5 036, net 20 985
                    11 %: 3 627 - 229 = 3 398,   VAT (3 398·11 + 55) // 111 = 337,    net 3 061
    drawer: float 20 000 + cash 28 118 + paid-in 5 000 - paid-out 3 000 - refund 229 = 49 889
            expected; counted 49 800: 89 short
"""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pos.core.checkout import Phase
from pos.core.customer_ids import parse_gsm
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.sale import Discount, DiscountKind
from pos.devices.printers import FilePrinter
from pos.journal.audit import entries, verify
from pos.journal.z_reports import ZRefused
from pos.netgiro.partner import PartnerClient
from pos.people import PeopleFile, Person, hash_pin
from pos.services import cash, reports
from pos.services.line_refunds import LineRefunds, cash_paid_out
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.printing import JobPrinted, PrintQueue, ReceiptFormat
from pos.services.refunds import partner_base_url
from tests.services.refund_support import found_reservation
from tests.services.till_fixtures import Counter, counter_at, sandbox_at

GSM = parse_gsm("8223281")
MILK, BREAD, COFFEE, FISH = "5690010000012", "5690010000043", "5690010000081", "5690010000074"
BAG, SWEATER, SOCKS, WATER = "5690010000159", "5690010000128", "5690010000135", "5690010000104"
ORANGE, SKYR = "5690010000098", "5690010000036"


@pytest.fixture
async def counter(tmp_path: Path) -> AsyncIterator[Counter]:
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        yield counter


@pytest.fixture
def auth(tmp_path: Path, counter: Counter) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    return ManagerAuth(people, counter.journal)


@pytest.fixture
def manager(auth: ManagerAuth) -> Session:
    return auth.enter_manager_mode("Anna", "480263")


async def pay_netgiro(counter: Counter, carts_before: int, action: str = "accept") -> bool:
    paying = asyncio.create_task(counter.session.pay_netgiro(GSM))
    cart = await counter.newest_cart(carts_before + 1)
    await counter.until_checkout(lambda view: view.phase is Phase.PENDING)
    if action == "accept":
        await counter.act(cart["TransactionId"], "accept")
    else:
        assert counter.session.cancel_payment()
    return (await paying).paid


async def scripted_day(counter: Counter, auth: ManagerAuth, manager: Session) -> None:
    """The day up to the Z and its refunds."""
    session, journal = counter.session, counter.journal
    cash.opening_float(auth, manager, journal, 20_000)
    session.cashier = "Jón"
    # A: cash with change
    session.enter("2*")
    session.enter(MILK)
    session.enter(BREAD)
    session.enter("990")
    assert session.pay_cash(5000).change == 2863
    # B: Netgíró
    session.enter(SOCKS)
    assert await pay_netgiro(counter, 0)
    session.cashier = "Sigga"
    # C: split, cash first
    for code in (COFFEE, FISH, BAG):
        session.enter(code)
    assert not session.pay_cash(1000).paid
    assert await pay_netgiro(counter, 1)
    # D: a line discount and a sale discount
    session.enter(SWEATER)
    session.discount_line(Discount(DiscountKind.PERCENT, 10, "Útlitsgalli"))
    session.enter(SOCKS)
    session.discount_sale(Discount(DiscountKind.AMOUNT, 500, "Fastur viðskiptavinur"))
    assert session.pay_cash(25_000).change == 19
    # E: cancelled on Netgíró, then cleared (a void)
    session.enter(WATER)
    assert not await pay_netgiro(counter, 2, action="cancel")
    session.clear_sale()
    # F: parked, recalled, cleared (a void)
    session.enter(ORANGE)
    parked = session.park_sale()
    session.recall_sale(parked)
    session.clear_sale()
    # G: parked and left for the Z
    session.enter(SKYR)
    session.park_sale()
    # cash management
    cash.paid_in(auth, manager, journal, 5000, "Skiptimynt frá banka")
    cash.paid_out(auth, manager, journal, 3000, "Hreinsiefni")
    cash.no_sale(auth, manager, journal, reason="Viðskiptavinur skipti seðli")


async def test_the_z_of_a_scripted_day_matches_the_hand_worked_numbers(
    tmp_path: Path, counter: Counter, auth: ManagerAuth, manager: Session
) -> None:
    await scripted_day(counter, auth, manager)
    journal = counter.journal
    # refunds by line: one Mjólk of receipt 1 (A) from the drawer, all of receipt 2 (B) back to
    # Netgíró through the sandbox's Partner API
    partner_url = partner_base_url(counter.sandbox.base_url, None)
    async with PartnerClient(partner_url, FIRST_TEST_APPLICATION.secret_key) as partner:
        refunds = LineRefunds(journal, partner, auth)
        milk = await refunds.refund(manager, "1", [(1, 1000)], "Mjólkin súr")
        socks = await refunds.refund(manager, "2", [(1, None)], "Skilað: sokkar")
    assert (cash_paid_out(milk), cash_paid_out(socks)) == (229, 0)
    assert [r.status for r in socks.refunds] == ["DONE"]
    reservation = await found_reservation(counter.sandbox, journal)

    with pytest.raises(ZRefused, match="parked"):
        reports.close_z(auth, manager, journal, counted=49_800, backup_dir=tmp_path / "bk")
    closed = reports.close_z(
        auth, manager, journal, counted=49_800, backup_dir=tmp_path / "bk", void_open=True
    )
    z = closed.snapshot

    assert (z["kind"], z["number"], z["manager"]) == ("Z", 1, "manager:Anna")
    assert (z["sales"], z["total"]) == (4, 32_638)
    assert z["by_rate"] == [
        {"rate": 24, "gross": 29_011, "vat": 5_615, "net": 23_396},
        {"rate": 11, "gross": 3_627, "vat": 359, "net": 3_268},
    ]
    assert z["by_tender"] == {"cash": 28_118, "netgiro": 4_520}
    assert z["change_given"] == 2_882
    assert z["discounts"] == {"sales": 1, "amount": 2_999}
    assert z["refunds"] == {
        "count": 2,
        "by_tender": {"cash": 229, "netgiro": 2_990},
        "by_rate": [
            {"rate": 24, "gross": 2_990, "vat": 579, "net": 2_411},
            {"rate": 11, "gross": 229, "vat": 23, "net": 206},
        ],
        "unsplit": 0,
    }
    assert z["net_by_rate"] == [
        {"rate": 24, "gross": 26_021, "vat": 5_036, "net": 20_985},
        {"rate": 11, "gross": 3_398, "vat": 337, "net": 3_061},
    ]
    assert (z["voided"], z["voided_at_close"]) == (3, 1)
    assert z["endings"] == {
        "CANCELLED": 1,
        "DECLINED": 0,
        "FAILED": 0,
        "ABANDONED": 0,
        "UNKNOWN_ABANDONED": 0,
    }
    assert z["no_sales"] == 1
    assert z["cashiers"] == [
        {"name": "Jón", "sales": 2, "total": 5_127, "cash": 2_137, "netgiro": 2_990},
        {"name": "Sigga", "sales": 2, "total": 27_511, "cash": 25_981, "netgiro": 1_530},
    ]
    assert z["cash"] == {
        "float": 20_000,
        "cash_sales": 28_118,
        "paid_in": 5_000,
        "paid_out": 3_000,
        "cash_refunds": 229,
        "expected": 49_889,
        "counted": 49_800,
        "over_short": -89,
    }
    assert [(p["kind"], p["reference"], p["amount"]) for p in z["pending"]] == [
        ("RESERVED_UNCHARGED", reservation, 1_990)
    ]
    assert (closed.expected, closed.counted, closed.over_short) == (49_889, 49_800, -89)
    assert len(closed.voided) == 1
    assert journal.sale(closed.voided[0]).status == "voided"

    # the printed head is the chain's head, and the chain holds
    head = entries(journal)[-1]
    assert (head.action, head.hash) == ("z.closed", z["audit_head"])
    assert verify(journal, z["audit_head"]).ok
    text = reports.report_text(z)
    assert "Vantar" in text and "-89" in text and z["audit_head"][:16] in text

    # the accountant's CSV beside the backup
    assert closed.csv is not None and closed.backup is not None
    with open(closed.csv, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1:] == [
        ["1", z["closed_at"], "sales_vat", "24", "29011", "5615", "23396"],
        ["1", z["closed_at"], "sales_vat", "11", "3627", "359", "3268"],
        ["1", z["closed_at"], "refunds_vat", "24", "2990", "579", "2411"],
        ["1", z["closed_at"], "refunds_vat", "11", "229", "23", "206"],
        ["1", z["closed_at"], "net_vat", "24", "26021", "5036", "20985"],
        ["1", z["closed_at"], "net_vat", "11", "3398", "337", "3061"],
        ["1", z["closed_at"], "sales_tender", "cash", "28118", "", ""],
        ["1", z["closed_at"], "sales_tender", "netgiro", "4520", "", ""],
        ["1", z["closed_at"], "refunds_tender", "cash", "229", "", ""],
        ["1", z["closed_at"], "refunds_tender", "netgiro", "2990", "", ""],
        ["1", z["closed_at"], "total", "sales", "32638", "", ""],
    ]
    # the backup opens on its own and holds the day's sales and the Z
    backup = sqlite3.connect(f"file:{closed.backup}?mode=ro", uri=True)
    try:
        paid = backup.execute("SELECT COUNT(*), SUM(total) FROM sales WHERE status = 'paid'")
        assert paid.fetchone() == (4, 32_638)
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        backup.close()
    assert closed.backup.stat().st_mode & 0o077 == 0

    # the Z's print job prints by the report layout, with the head on paper
    events = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat()).print_pending()
    assert all(isinstance(event, JobPrinted) for event in events)
    paper = (tmp_path / "out" / "report-000001.txt").read_text(encoding="utf-8")
    assert "Z-SKÝRSLA nr. 1" in paper and "49.889" in paper
    assert "".join(line.strip() for line in paper.splitlines()[-5:-1]) == z["audit_head"]

    # the next period starts empty; the movements are stamped with Z 1
    x = reports.x_report(journal)
    assert (x["kind"], x["next_z"], x["sales"], x["total"], x["cash"]["expected"]) == (
        "X",
        2,
        0,
        0,
        0,
    )
    assert [m.z_number for m in cash.open_movements(journal)] == []
