"""Documents other than receipts (Z reports, refund slips) through the same at-most-once queue:
each kind printed by its own pure layout, named in the file printer, copied as AFRIT."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import tzinfo
from pathlib import Path

import pytest

from pos.core.receipt_layout import Block, Cut, Text
from pos.devices.printers import FilePrinter
from pos.journal import Journal
from pos.journal import print_jobs as jobs_db
from pos.journal.errors import JournalError
from pos.services.printing import DOCUMENT_LAYOUTS, JobFailed, JobPrinted, PrintQueue, ReceiptFormat
from tests.support.escpos_parser import parse


def a_test_layout(
    snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int
) -> list[Block]:
    mark = [Text(f"AFRIT {copy_no}")] if copy_no else []
    return [*mark, Text(f"Z-skýrsla nr. {snapshot['number']}"[:width]), Cut()]


@pytest.fixture
def report_layout() -> Iterator[None]:
    registered = DOCUMENT_LAYOUTS.get("report")
    DOCUMENT_LAYOUTS["report"] = a_test_layout
    yield
    if registered is None:
        del DOCUMENT_LAYOUTS["report"]
    else:
        DOCUMENT_LAYOUTS["report"] = registered


def test_a_report_prints_by_its_own_layout_and_file_name(
    tmp_path: Path, report_layout: None
) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        job = jobs_db.enqueue(journal, "report", {"number": 7})
        queue = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat())
        [event] = queue.print_pending()
        assert isinstance(event, JobPrinted) and event.job.status == "printed"
        assert job.sale_id is None
        copy = queue.reprint(job.id)
        assert isinstance(copy, JobPrinted)
    assert (
        (tmp_path / "out" / "report-000007.txt")
        .read_text(encoding="utf-8")
        .startswith("Z-skýrsla nr. 7")
    )
    assert "AFRIT 1" in (tmp_path / "out" / "report-000007-afrit-1.txt").read_text(encoding="utf-8")
    parsed = parse((tmp_path / "out" / "report-000007.bin").read_bytes())
    assert "Z-skýrsla nr. 7" in [line.strip() for line in parsed.lines]
    assert parsed.names()[-1] == "cut"


def test_a_document_without_a_layout_fails_with_a_reason_and_stays_reprintable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(DOCUMENT_LAYOUTS, "refund_slip", raising=False)  # a till without it
    with Journal(tmp_path / "journal.sqlite3") as journal:
        jobs_db.enqueue(journal, "refund_slip", {"number": 1}, sale_id=None)
        queue = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat())
        [event] = queue.print_pending()
        assert isinstance(event, JobFailed)
        assert "No layout for a 'refund_slip' document" in event.reason
        assert jobs_db.jobs(journal, "failed")


def test_receipts_are_not_documents(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal, pytest.raises(JournalError):
        jobs_db.enqueue(journal, "receipt", {"number": 1})


def test_a_refund_slip_prints_through_its_registered_layout(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        snapshot = {"number": 4, "receipt_no": 9, "receipt_code": "S1-R1-R9", "total": 500}
        jobs_db.enqueue(journal, "refund_slip", snapshot, sale_id=None)
        queue = PrintQueue(journal, FilePrinter(tmp_path / "out"), ReceiptFormat())
        [event] = queue.print_pending()
        assert isinstance(event, JobPrinted)
        parsed = parse((tmp_path / "out" / "refund-slip-000004.bin").read_bytes())
        lines = [line.strip() for line in parsed.lines]
        assert "ENDURGREIÐSLA" in lines and "Af kvittun nr. 9" in lines
        assert parsed.names()[-1] == "cut"
