"""Reprints, dismissals and drawer kicks go into the audit chain, each with what it did.

A real sandbox over loopback, a real journal file, the real file printer; the drawer is a
stand-in (no drawer hangs on this machine), its kicks counted by the session's real code path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from pos.core.receipt_layout import Block, Cut, Text
from pos.devices.printers import FilePrinter
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.journal.audit import entries, verify
from pos.journal.errors import JournalError
from pos.services.printing import DOCUMENT_LAYOUTS, JobPrinted, PrintQueue, ReceiptFormat
from pos.services.reprint import (
    ReprintNeedsManager,
    dismiss_job,
    free_reprint,
    reprint_uncertain,
    retry_job,
)
from pos.services.till_views import DrawerKicked
from tests.services.till_fixtures import Counter, counter_at, sandbox_at


@pytest.fixture
async def counter(tmp_path: Path) -> Counter:  # type: ignore[misc]
    async with sandbox_at(tmp_path) as sandbox, counter_at(tmp_path, sandbox) as counter:
        yield counter


def cash_sale(counter: Counter, amount: str = "2137") -> int:
    counter.session.enter(amount)
    result = counter.session.pay_cash(int(amount))
    assert result.paid and result.summary.sale_id is not None
    return result.summary.sale_id


def audited(journal: Journal, action: str) -> list[tuple[str, dict[str, object]]]:
    return [(row.actor, row.details) for row in entries(journal, actions=(action,))]


def receipt_job(journal: Journal) -> jobs_db.QueuedJob:
    [job] = [j for j in jobs_db.jobs(journal) if j.kind == "receipt"]
    return job


async def test_each_cash_sale_kick_is_audited_with_who_and_which_sale(counter: Counter) -> None:
    first = cash_sale(counter)
    await counter.session.wait_for_kicks()
    counter.session.cashier = "Anna"
    second = cash_sale(counter, "990")
    await counter.session.wait_for_kicks()
    assert counter.drawer.kicks == 2
    assert audited(counter.journal, "drawer.kicked") == [
        ("register:R1", {"why": "cash_sale", "sale_id": first}),
        ("cashier:Anna", {"why": "cash_sale", "sale_id": second}),
    ]
    assert verify(counter.journal).ok


async def test_a_kick_that_could_not_be_sent_is_audited_as_open_with_the_key(
    counter: Counter,
) -> None:
    counter.drawer.opens = False
    sale = cash_sale(counter)
    await counter.session.wait_for_kicks()
    [kicked] = [u for u in counter.updates if isinstance(u, DrawerKicked)]
    assert kicked.sale_id == sale and "did not open" in kicked.problem
    [(actor, details)] = audited(counter.journal, "drawer.open_with_key")
    assert actor == "register:R1" and details["sale_id"] == sale
    assert "did not open" in str(details["problem"])
    assert audited(counter.journal, "drawer.kicked") == []


async def test_the_free_reprint_is_queued_with_its_audit_row_and_only_once(
    counter: Counter, tmp_path: Path
) -> None:
    sale = cash_sale(counter)
    journal = counter.journal
    copy = free_reprint(journal, datetime.now(UTC), actor="cashier:Anna")
    assert (copy.kind, copy.status, copy.copy_no) == ("copy", "queued", 1)
    [(actor, details)] = audited(journal, "print.reprint")
    assert actor == "cashier:Anna"
    assert details == {
        "of_job": receipt_job(journal).id,
        "sale_id": sale,
        "kind": "receipt",
        "receipt_no": 1,
        "job": copy.id,
        "copy_no": 1,
        "why": "free",
    }
    with pytest.raises(ReprintNeedsManager):
        free_reprint(journal, datetime.now(UTC), actor="cashier:Anna")
    with pytest.raises(ReprintNeedsManager):  # a fresh sale, but 11 minutes later
        cash_sale(counter, "500")
        free_reprint(journal, datetime.now(UTC) + timedelta(minutes=11), actor="cashier:Anna")
    assert len(audited(journal, "print.reprint")) == 1
    events = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat()).print_pending()
    assert all(isinstance(event, JobPrinted) for event in events)
    assert "AFRIT" in (tmp_path / "out" / "receipt-000001-afrit-1.txt").read_text("utf-8")


async def test_an_uncertain_receipt_reprinted_is_the_original_not_the_free_copy(
    counter: Counter, tmp_path: Path
) -> None:
    cash_sale(counter)
    journal = counter.journal
    original = receipt_job(journal)
    assert jobs_db.claim(journal, original.id)  # the bytes were leaving when the till died
    queue = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat())
    assert [job.id for job in queue.start()] == [original.id]
    assert queue.print_pending() == []  # never resent by itself
    copy = reprint_uncertain(journal, original.id, actor="register:R1")
    settled = jobs_db.job(journal, original.id)
    assert settled.status == "skipped" and f"job {copy.id}" in settled.reason
    [(_, details)] = audited(journal, "print.reprint")
    assert details["why"] == "uncertain" and details["job"] == copy.id
    free = free_reprint(journal, datetime.now(UTC), actor="register:R1")  # still the cashier's
    assert free.copy_no == 2
    with pytest.raises(JournalError):  # it is uncertain no more: offered once
        reprint_uncertain(journal, original.id, actor="register:R1")
    queue.print_pending()
    assert (tmp_path / "out" / "receipt-000001-afrit-1.bin").is_file()
    assert (tmp_path / "out" / "receipt-000001-afrit-2.bin").is_file()
    assert not (tmp_path / "out" / "receipt-000001.bin").exists()


async def test_a_dismissed_failed_job_is_journaled_audited_and_still_reprintable(
    counter: Counter, tmp_path: Path
) -> None:
    sale = cash_sale(counter)
    journal = counter.journal
    in_the_way = tmp_path / "out"
    in_the_way.write_text("not a folder", encoding="utf-8")
    [failed] = PrintQueue(journal, FilePrinter(in_the_way), ReceiptFormat()).print_pending()
    assert not isinstance(failed, JobPrinted)
    job = receipt_job(journal)
    assert job.status == "failed"
    with pytest.raises(JournalError):
        dismiss_job(journal, job.id + 100, actor="cashier:Anna")  # no such job
    dismissed = dismiss_job(journal, job.id, actor="cashier:Anna")
    assert dismissed.status == "skipped" and dismissed.reason.startswith("dismissed (failed: ")
    [(actor, details)] = audited(journal, "print.dismissed")
    assert actor == "cashier:Anna"
    assert details["sale_id"] == sale and details["was"] == "failed" and details["reason"]
    with pytest.raises(JournalError):  # a decision taken once
        dismiss_job(journal, job.id, actor="cashier:Anna")
    with pytest.raises(JournalError):  # and a dismissed job is not retried as if it failed
        retry_job(journal, job.id)
    in_the_way.unlink()
    copy = free_reprint(journal, datetime.now(UTC), actor="cashier:Anna")
    PrintQueue(journal, FilePrinter(in_the_way), ReceiptFormat()).print_pending()
    assert jobs_db.job(journal, copy.id).status == "printed"


def slip_layout(
    snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int
) -> list[Block]:
    mark = [Text(f"AFRIT {copy_no}")] if copy_no else []
    return [*mark, Text(f"Endurgreiðsla nr. {snapshot['number']}"), Cut()]


@pytest.fixture
def refund_slip_layout() -> Iterator[None]:
    before = DOCUMENT_LAYOUTS.get("refund_slip")
    DOCUMENT_LAYOUTS["refund_slip"] = slip_layout
    yield
    if before is None:
        del DOCUMENT_LAYOUTS["refund_slip"]
    else:
        DOCUMENT_LAYOUTS["refund_slip"] = before


def test_a_refund_slip_prints_at_most_once_and_its_uncertain_copy_is_audited(
    tmp_path: Path, refund_slip_layout: None
) -> None:
    out = tmp_path / "out"
    with Journal(tmp_path / "journal.sqlite3") as journal:
        printed = jobs_db.enqueue(journal, "refund_slip", {"number": 3})
        cut_off = jobs_db.enqueue(journal, "refund_slip", {"number": 4})
        queue = PrintQueue(journal, FilePrinter(out), ReceiptFormat())
        assert jobs_db.claim(journal, cut_off.id)  # a crash while its bytes were leaving
        assert queue.start() == [jobs_db.job(journal, cut_off.id)]
        assert [e.job.id for e in queue.print_pending()] == [printed.id]
        assert queue.print_pending() == []  # printed once; the uncertain one never by itself
        copy = reprint_uncertain(journal, cut_off.id, actor="register:R1")
        queue.print_pending()
        [(_, details)] = audited(journal, "print.reprint")
        assert details["document"] == "refund_slip" and details["number"] == 4
        assert jobs_db.job(journal, copy.id).status == "printed"
    assert sorted(path.name for path in out.glob("*.bin")) == [
        "refund-slip-000003.bin",
        "refund-slip-000004-afrit-1.bin",
    ]
    assert "AFRIT 1" in (out / "refund-slip-000004-afrit-1.txt").read_text(encoding="utf-8")


class OtherRunTakesTheNext:
    """The file printer, and while it prints the first job another print run (a second
    connection, as the till's next worker would have) claims the second job."""

    name = "file"

    def __init__(self, folder: Path, journal_file: Path, next_job: int) -> None:
        self.inner, self.journal_file, self.next_job = FilePrinter(folder), journal_file, next_job

    def send(self, job: object) -> None:
        with Journal(self.journal_file) as other:
            assert jobs_db.claim(other, self.next_job)
        self.inner.send(job)  # type: ignore[arg-type]

    def status(self) -> object:
        return self.inner.status()


def test_a_job_another_print_run_took_is_not_reported_as_failed(
    tmp_path: Path, refund_slip_layout: None
) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        first = jobs_db.enqueue(journal, "refund_slip", {"number": 1})
        second = jobs_db.enqueue(journal, "refund_slip", {"number": 2})
        printer = OtherRunTakesTheNext(tmp_path / "out", journal.path, second.id)
        events = PrintQueue(journal, printer, ReceiptFormat()).print_pending()  # type: ignore[arg-type]
        assert [(type(e).__name__, e.job.id) for e in events] == [("JobPrinted", first.id)]
        assert jobs_db.job(journal, second.id).status == "sending"  # the other run's, untouched


def test_headless_printing_names_documents_by_their_kind_and_number(
    tmp_path: Path, refund_slip_layout: None
) -> None:
    from pos.services.receipts import print_queued_receipts

    said: list[str] = []
    with Journal(tmp_path / "journal.sqlite3") as journal:
        jobs_db.enqueue(journal, "refund_slip", {"number": 3})
        cut_off = jobs_db.enqueue(journal, "refund_slip", {"number": 4})
        jobs_db.claim(journal, cut_off.id)  # a crash while it was printing
        jobs_db.enqueue(journal, "report", {"number": 7})  # no layout registered for it here
        saved = DOCUMENT_LAYOUTS.pop("report", None)
        try:
            print_queued_receipts(
                journal, FilePrinter(tmp_path / "out"), ReceiptFormat(), announce=said.append
            )
        finally:
            if saved is not None:
                DOCUMENT_LAYOUTS["report"] = saved
    assert said[0] == "Refund slip 4 may not have printed: reprint it as a copy."
    assert said[1] == "Refund slip 3 printed (file)."
    assert said[2].startswith("Report 7 not printed: cannot be rendered")
    assert "sale" not in " ".join(said)
