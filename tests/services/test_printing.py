"""The print queue on a real journal and the file printer: at most once, faults never touch the sale."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.devices.printers import FilePrinter
from pos.journal import Journal, SaleLine
from pos.journal import print_jobs as jobs_db
from pos.services.printing import (
    JobFailed,
    JobPrinted,
    PrintEvent,
    PrintQueue,
    ReceiptFormat,
    job_file_name,
    print_pending_in_this_thread,
)
from tests.support.escpos_parser import parse

LINE = SaleLine("123", "Harðfiskur", 1990, 1000, 1990)


def paid_sale(journal: Journal, lines: tuple[SaleLine, ...] = (LINE,)) -> int:
    sale_id = journal.create_sale("R1", list(lines))
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    paid = replace(
        attempt.state, phase=Phase.PAID, transaction_id="0f4c2a8e-aaaa", invoice_number=77
    )
    journal.record(attempt.id, paid, event="paid", point="journal.paid")
    return sale_id


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def base_of(journal: Journal, sale_id: int) -> str:
    """The receipt's file name: by receipt number once sales have one, else by sale id."""
    return job_file_name(jobs_db.jobs_for_sale(journal, sale_id)[0])


def queue_for(journal: Journal, folder: Path, events: list[PrintEvent] | None = None) -> PrintQueue:
    sink = events.append if events is not None else (lambda event: None)
    return PrintQueue(journal, FilePrinter(folder), ReceiptFormat(width=32), on_event=sink)


def test_a_paid_sale_leaves_its_receipt_in_the_file_printer(
    journal: Journal, tmp_path: Path
) -> None:
    sale_id = paid_sale(journal)
    events: list[PrintEvent] = []
    printed = queue_for(journal, tmp_path / "receipts", events).print_pending()
    assert [type(e) for e in printed] == [JobPrinted] and events == printed
    job = jobs_db.jobs_for_sale(journal, sale_id)[0]
    assert (job.status, job.copy_no, job.reason) == ("printed", 0, "")
    data = (tmp_path / "receipts" / f"{base_of(journal, sale_id)}.bin").read_bytes()
    text = (tmp_path / "receipts" / f"{base_of(journal, sale_id)}.txt").read_text(encoding="utf-8")
    assert any(line.startswith("Harðfiskur") for line in parse(data).lines)
    assert "Harðfiskur" in text and text.endswith("✂\n")
    assert journal.sale(sale_id).status == "paid"


def test_a_printed_job_is_never_printed_twice(journal: Journal, tmp_path: Path) -> None:
    paid_sale(journal)
    queue = queue_for(journal, tmp_path / "receipts")
    assert len(queue.print_pending()) == 1
    assert queue.print_pending() == []


def test_a_reprint_is_the_same_bytes_plus_the_afrit_mark(journal: Journal, tmp_path: Path) -> None:
    sale_id = paid_sale(journal)
    queue = queue_for(journal, tmp_path / "receipts")
    original_job = queue.print_pending()[0].job
    first = queue.reprint(original_job.id)
    second = queue.reprint(original_job.id)
    assert (first.job.kind, first.job.copy_no, second.job.copy_no) == ("copy", 1, 2)
    original = parse((tmp_path / "receipts" / f"{base_of(journal, sale_id)}.bin").read_bytes())
    copy = parse((tmp_path / "receipts" / f"{base_of(journal, sale_id)}-afrit-2.bin").read_bytes())
    assert [line.strip() for line in (copy.lines[0], copy.lines[-1])] == ["*** AFRIT 2 ***"] * 2
    assert copy.lines[1:-1] == original.lines
    assert [c for c in copy.commands if c.name not in {"line", "bold"}] == [
        c for c in original.commands if c.name not in {"line", "bold"}
    ]


def test_a_printer_fault_before_the_job_leaves_the_sale_paid_and_the_job_failed_with_its_reason(
    journal: Journal, tmp_path: Path
) -> None:
    sale_id = paid_sale(journal)
    blocked = tmp_path / "receipts"
    blocked.write_text("a file where the folder should be")
    events = queue_for(journal, blocked).print_pending()
    assert isinstance(events[0], JobFailed)
    job = jobs_db.jobs_for_sale(journal, sale_id)[0]
    assert job.status == "failed" and "cannot write" in job.reason
    assert journal.sale(sale_id).status == "paid"
    assert queue_for(journal, blocked).print_pending() == []  # a failed job waits for a person


def test_retry_after_the_fault_is_fixed_prints_the_job_even_after_a_restart(tmp_path: Path) -> None:
    path, folder = tmp_path / "journal.sqlite3", tmp_path / "receipts"
    folder.write_text("blocked")
    with Journal(path) as journal:
        sale_id = paid_sale(journal)
        queue_for(journal, folder).print_pending()
    folder.unlink()
    with Journal(path) as journal:  # the till restarted
        failed = jobs_db.jobs(journal, "failed")[0]
        event = queue_for(journal, folder).retry(failed.id)
        assert isinstance(event, JobPrinted) and event.job.status == "printed"
        assert (folder / f"{base_of(journal, sale_id)}.bin").exists()


def test_no_receipt_is_journaled_as_skipped_and_still_reprints(
    journal: Journal, tmp_path: Path
) -> None:
    sale_id = paid_sale(journal)
    job = jobs_db.jobs(journal, "queued")[0]
    jobs_db.mark_skipped(journal, job.id)
    queue = queue_for(journal, tmp_path / "receipts")
    assert queue.print_pending() == []
    assert isinstance(queue.reprint(job.id), JobPrinted)
    assert (tmp_path / "receipts" / f"{base_of(journal, sale_id)}-afrit-1.bin").exists()


def test_a_snapshot_that_cannot_be_read_fails_its_job_without_sending(
    journal: Journal, tmp_path: Path
) -> None:
    sale_id = paid_sale(journal)
    journal._db.execute("UPDATE print_jobs SET snapshot = '{\"sale_id\": 1}'")
    event = queue_for(journal, tmp_path / "receipts").print_pending()[0]
    assert isinstance(event, JobFailed) and "cannot be rendered" in event.reason
    assert not (tmp_path / "receipts").exists()
    assert journal.sale(sale_id).status == "paid"


CRASH_SCRIPT = """
import sys
from pathlib import Path
from pos.devices.printers import FilePrinter
from pos.journal import Journal
from pos.services.printing import PrintQueue, ReceiptFormat
with Journal(Path(sys.argv[1])) as journal:
    PrintQueue(journal, FilePrinter(Path(sys.argv[2])), ReceiptFormat()).print_pending()
"""


@pytest.mark.parametrize("point", ["journal.print_sending", "print.sent"])
def test_a_job_cut_off_by_a_crash_becomes_uncertain_and_is_never_resent_by_itself(
    tmp_path: Path, point: str
) -> None:
    path, folder = tmp_path / "journal.sqlite3", tmp_path / "receipts"
    with Journal(path) as journal:
        sale_id = paid_sale(journal)
    env = {**os.environ, "POS_CRASH_AT": point}
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(path), str(folder)], env=env, check=False
    )
    assert done.returncode == -9
    with Journal(path) as journal:
        queue = queue_for(journal, folder)
        uncertain = queue.start()
        assert [(j.sale_id, j.status) for j in uncertain] == [(sale_id, "uncertain")]
        assert queue.print_pending() == []
        assert journal.sale(sale_id).status == "paid"
        event = queue.reprint(uncertain[0].id)
        assert isinstance(event, JobPrinted) and event.job.copy_no == 1
        base = base_of(journal, sale_id)
    copies = [f"{base}-afrit-1.bin", f"{base}-afrit-1.txt"]
    originals = [f"{base}.bin", f"{base}.txt"]
    expected = copies + (originals if point == "print.sent" else [])
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)


async def test_the_queue_runs_off_the_event_loop_with_its_own_connection(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        sale_id = paid_sale(journal)
    events = await asyncio.to_thread(
        print_pending_in_this_thread, path, FilePrinter(tmp_path / "r"), ReceiptFormat()
    )
    assert [(type(e), e.job.sale_id) for e in events] == [(JobPrinted, sale_id)]


def test_a_receipt_is_found_by_its_number_once_sales_carry_receipt_numbers(
    journal: Journal,
) -> None:
    first, second = paid_sale(journal), paid_sale(journal)
    numbers = dict(journal._db.execute("SELECT id, receipt_no FROM sales").fetchall())
    assert (numbers[first], numbers[second]) == (1, 2)  # gapless, taken in the paid commit
    journal._db.execute("UPDATE sales SET receipt_no = 100 + id")  # numbers apart from ids
    assert jobs_db.receipt_job(journal, 100 + first).sale_id == first  # type: ignore[union-attr]
    assert jobs_db.receipt_job(journal, first) is None


class BrokenPrinter:
    """A printer adapter with a bug: it raises something that is not a PrinterFault."""

    name = "broken"

    def send(self, job: object) -> None:
        raise RuntimeError("adapter bug")

    def status(self) -> object:
        raise NotImplementedError


def test_an_adapter_bug_fails_the_job_as_maybe_printed_and_never_escapes(journal: Journal) -> None:
    sale_id = paid_sale(journal)
    event = PrintQueue(journal, BrokenPrinter(), ReceiptFormat()).print_pending()[0]  # type: ignore[arg-type]
    assert isinstance(event, JobFailed) and "may have printed in part" in event.reason
    assert jobs_db.jobs_for_sale(journal, sale_id)[0].status == "failed"


def test_a_job_someone_else_claimed_is_left_alone(journal: Journal, tmp_path: Path) -> None:
    paid_sale(journal)
    job = jobs_db.jobs(journal, "queued")[0]
    assert jobs_db.claim(journal, job.id)  # another run has it
    event = queue_for(journal, tmp_path / "r").print_job(job)
    assert isinstance(event, JobFailed)
    assert jobs_db.job(journal, job.id).status == "sending"  # untouched


@pytest.mark.parametrize(("width", "font"), [(32, None), (42, "B"), (48, None)])
def test_the_receipt_width_picks_the_font(
    journal: Journal, width: int, font: str | None, tmp_path: Path
) -> None:
    sale_id = paid_sale(journal)
    queue = PrintQueue(journal, FilePrinter(tmp_path), ReceiptFormat(width=width))
    queue.print_pending()
    parsed = parse((tmp_path / f"{base_of(journal, sale_id)}.bin").read_bytes())
    fonts = [c.value for c in parsed.commands if c.name == "font"]
    assert fonts == ([font] if font else [])
    assert max(len(line) for line in parsed.lines) == width
