"""The print banner at the till: a failed job offers retry / later / dismiss, a job a crash left
uncertain offers an AFRIT in its place; every decision is journaled, reprints and dismissals
audited. Real sandbox, real journal file, the real file printer (made to fail by a file in the
way of its folder)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import tzinfo
from typing import Any

import pytest
from textual.pilot import Pilot

from pos.core.receipt_layout import Block, Cut, Text
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.journal.audit import entries
from pos.services.printing import DOCUMENT_LAYOUTS
from pos.ui.app import TillApp
from pos.ui.screens.print_banner import PrintBanner
from pos.ui.screens.sale import SaleScreen

from .conftest import SIZE, Counter, screen_text, type_line, until


async def cash_sale(pilot: Pilot[Any], app: TillApp, amount: str = "2137") -> None:
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    await type_line(pilot, amount)
    await pilot.press("f3", "f3", "escape")  # cash, the exact amount: paid
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))


def banner(app: TillApp) -> PrintBanner:
    return app.screen.query_one(PrintBanner)


def flat(app: TillApp) -> str:
    return " ".join(screen_text(app).split())


def block_the_printer(counter: Counter) -> Any:
    counter.data_dir.mkdir(parents=True, exist_ok=True)
    in_the_way = counter.data_dir / "receipts"
    in_the_way.write_text("not a folder", encoding="utf-8")  # the file printer cannot write
    return in_the_way


def receipt_jobs(counter: Counter) -> list[jobs_db.QueuedJob]:
    with Journal(counter.settings.journal_file) as journal:
        return [job for job in jobs_db.jobs(journal) if job.sale_id is not None]


def audit_rows(counter: Counter, action: str) -> list[tuple[str, dict[str, Any]]]:
    with Journal(counter.settings.journal_file) as journal:
        return [(row.actor, row.details) for row in entries(journal, actions=(action,))]


async def test_a_failed_print_is_dismissed_by_the_cashier_audited_and_still_reprintable(
    counter: Counter,
) -> None:
    in_the_way = block_the_printer(counter)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
        await until(pilot, lambda: "Kvittun 1 prentaðist ekki" in flat(app))
        text = flat(app)
        assert "Ctrl+R prentar aftur" in text and "Ctrl+L síðar" in text
        assert "Ctrl+O sleppir" in text
        await pilot.press("ctrl+o")
        await until(pilot, lambda: "Kvittun 1 verður ekki prentuð" in flat(app))
        assert not banner(app).display and "prentaðist ekki" not in flat(app)
        await pilot.press("ctrl+o")  # nothing offered: the key does nothing
        in_the_way.unlink()
        await pilot.press("f8")  # the receipt stays reprintable: the cashier's free copy
        copy = counter.data_dir / "receipts" / "receipt-000001-afrit-1.txt"
        await until(pilot, copy.is_file)
    [original, _copy] = receipt_jobs(counter)
    assert original.status == "skipped" and original.reason.startswith("dismissed (failed: ")
    [(actor, details)] = audit_rows(counter, "print.dismissed")
    assert actor == "register:R1" and details["receipt_no"] == 1 and details["was"] == "failed"
    assert [d["why"] for _, d in audit_rows(counter, "print.reprint")] == ["free"]


async def test_later_puts_a_failed_receipt_back_to_print_with_the_next_one(
    counter: Counter,
) -> None:
    in_the_way = block_the_printer(counter)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
        await until(pilot, lambda: "Kvittun 1 prentaðist ekki" in flat(app))
        await pilot.press("ctrl+l")
        await until(pilot, lambda: not banner(app).display)
        assert "Kvittun 1 bíður í prentröð" in flat(app)
        assert [job.status for job in receipt_jobs(counter)] == ["queued"]
        in_the_way.unlink()  # paper back in
        await cash_sale(pilot, app, "990")
        second = counter.data_dir / "receipts" / "receipt-000002.txt"
        await until(pilot, second.is_file)
        assert (counter.data_dir / "receipts" / "receipt-000001.txt").is_file()
    assert [job.status for job in receipt_jobs(counter)] == ["printed", "printed"]
    assert audit_rows(counter, "print.reprint") == []  # the original, not a copy


async def test_a_failed_print_is_offered_again_at_the_next_start(counter: Counter) -> None:
    in_the_way = block_the_printer(counter)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
        await until(pilot, lambda: "Kvittun 1 prentaðist ekki" in flat(app))
    in_the_way.unlink()
    again = counter.app()
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Kvittun 1 prentaðist ekki" in flat(again))
        await pilot.press("ctrl+r")
        receipt = counter.data_dir / "receipts" / "receipt-000001.txt"
        await until(pilot, receipt.is_file)
        await until(pilot, lambda: not banner(again).display)
    assert [job.status for job in receipt_jobs(counter)] == ["printed"]


async def test_an_uncertain_receipt_found_at_start_offers_an_afrit_that_is_not_the_free_one(
    counter: Counter,
) -> None:
    app = counter.app(print_queue=None)  # the sale is paid; its receipt job waits, queued
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
    [job] = receipt_jobs(counter)
    with Journal(counter.settings.journal_file) as journal:
        assert jobs_db.claim(journal, job.id)  # the till died while the bytes were leaving
    again = counter.app()
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Kvittun 1 gæti hafa prentast" in flat(again))
        assert "prenta AFRIT? Ctrl+R prentar AFRIT" in flat(again)
        assert not (counter.data_dir / "receipts" / "receipt-000001.txt").exists()
        await pilot.press("ctrl+r")
        afrit = counter.data_dir / "receipts" / "receipt-000001-afrit-1.txt"
        await until(pilot, afrit.is_file)
        assert "AFRIT" in afrit.read_text(encoding="utf-8")
        await until(pilot, lambda: not banner(again).display)
        await pilot.press("f8")  # the cashier's free copy is still there
        await until(pilot, (counter.data_dir / "receipts" / "receipt-000001-afrit-2.txt").is_file)
    assert not (counter.data_dir / "receipts" / "receipt-000001.txt").exists()  # never resent
    assert [d["why"] for _, d in audit_rows(counter, "print.reprint")] == ["uncertain", "free"]
    assert [j.status for j in receipt_jobs(counter)] == ["skipped", "printed", "printed"]


async def start_and_say_later(counter: Counter) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Kvittun 1 gæti hafa prentast" in flat(app))
        await pilot.press("ctrl+l")
        await until(pilot, lambda: not banner(app).display)


async def test_later_on_an_uncertain_receipt_offers_it_again_at_the_next_start(
    counter: Counter,
) -> None:
    app = counter.app(print_queue=None)
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
    [job] = receipt_jobs(counter)
    with Journal(counter.settings.journal_file) as journal:
        assert jobs_db.claim(journal, job.id)  # the till died while the bytes were leaving
    for _ in range(2):
        await start_and_say_later(counter)
    assert [j.status for j in receipt_jobs(counter)] == ["uncertain"]
    assert not (counter.data_dir / "receipts").exists() or not any(
        (counter.data_dir / "receipts").iterdir()
    )


def a_report_layout(
    snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int
) -> list[Block]:
    mark = [Text(f"AFRIT {copy_no}")] if copy_no else []
    return [*mark, Text(f"Z-skýrsla nr. {snapshot['number']}"), Cut()]


@pytest.fixture
def report_layout() -> Iterator[None]:
    before = DOCUMENT_LAYOUTS.get("report")
    DOCUMENT_LAYOUTS["report"] = a_report_layout
    yield
    if before is None:
        del DOCUMENT_LAYOUTS["report"]
    else:
        DOCUMENT_LAYOUTS["report"] = before


async def test_a_document_queued_while_the_till_is_open_prints_through_the_same_queue(
    counter: Counter, report_layout: None
) -> None:
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert app.context is not None
        journal = app.context.session.till.journal
        jobs_db.enqueue(journal, "report", {"number": 7})  # as a manager screen's Z would
        report = counter.data_dir / "receipts" / "report-000007.txt"
        await until(pilot, report.is_file)
        await cash_sale(pilot, app)  # and receipts go on printing beside it
        await until(pilot, (counter.data_dir / "receipts" / "receipt-000001.txt").is_file)
    assert report.read_text(encoding="utf-8").startswith("Z-skýrsla nr. 7")
    with Journal(counter.settings.journal_file) as journal:
        assert {job.status for job in jobs_db.jobs(journal)} == {"printed"}


async def test_the_banner_says_why_in_the_screens_words(counter: Counter) -> None:
    """The printer's fault is said in Icelandic ("prentarinn svarar ekki"), not as the English
    reason journaled for the log ("offline: cannot write …: Not a directory")."""
    block_the_printer(counter)
    app = counter.app()
    async with app.run_test(size=SIZE) as pilot:
        await cash_sale(pilot, app)
        await until(pilot, lambda: "Kvittun 1 prentaðist ekki" in flat(app))
        text = flat(app)
    assert "Kvittun 1 prentaðist ekki: prentarinn er ekki tengdur." in text
    assert "cannot write" not in text and "offline" not in text
