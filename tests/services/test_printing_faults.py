"""Printer faults before, during and after a job, on a real loopback printer and a real journal.

Whatever the printer does, the sale stays PAID; the job ends failed with its reason (or
uncertain after a crash), and a reprint after a restart is the original bytes plus AFRIT.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.devices.printers import NetworkPrinter
from pos.journal import Journal, SaleLine
from pos.journal import print_jobs as jobs_db
from pos.services.printing import JobFailed, JobPrinted, PrintQueue, ReceiptFormat
from tests.devices.loopback_printer import LoopbackPrinter, closed_port, loopback_printer
from tests.support.escpos_parser import parse

FORMAT = ReceiptFormat(width=42)


def paid_sale(journal: Journal) -> int:
    sale_id = journal.create_sale("R1", [SaleLine("1", "Rúgbrauð", 690, 2000, 1380)])
    attempt = journal.begin_attempt(
        sale_id, "***-**81", start(CustomerKind.GSM, ConfirmationType.MANUAL)[0]
    )
    paid = replace(
        attempt.state, phase=Phase.PAID, transaction_id="0f4c2a8e-bbbb", invoice_number=5
    )
    journal.record(attempt.id, paid, event="paid", point="journal.paid")
    return sale_id


def network(port: int, timeout_s: float = 1.0) -> NetworkPrinter:
    return NetworkPrinter("127.0.0.1", port, timeout_s=timeout_s, profile="default")


def received(listener: LoopbackPrinter, count: int = 1) -> list[bytes]:
    deadline = time.monotonic() + 5
    while len(listener.received) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return listener.received


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("refused", "unreachable"),
        ("stalled", "may have printed in part"),
        ("reset", "may have printed in part"),
    ],
)
def test_a_fault_leaves_the_sale_paid_and_a_reprint_after_restart_is_the_same_bytes_plus_afrit(
    fault: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        sale_id = paid_sale(journal)
        if fault == "refused":
            event = PrintQueue(journal, network(closed_port()), FORMAT).print_pending()[0]
        else:
            # a job big enough to fill the socket buffers, so a stall or a reset is seen mid-job
            monkeypatch.setattr(
                "pos.services.printing.render_escpos", lambda *a, **k: b"\x1b@" + b"x" * 8_000_000
            )
            mode = "never_read" if fault == "stalled" else "reset_after"
            with loopback_printer(mode=mode, reset_after=1000) as listener:
                event = PrintQueue(journal, network(listener.port, 0.5), FORMAT).print_pending()[0]
            monkeypatch.undo()
        assert isinstance(event, JobFailed) and reason in event.reason
        assert journal.sale(sale_id).status == "paid"
        assert [j.status for j in jobs_db.jobs_for_sale(journal, sale_id)] == ["failed"]

    with Journal(path) as journal, loopback_printer() as listener:  # the till restarted
        queue = PrintQueue(journal, network(listener.port), FORMAT)
        assert queue.start() == [] and queue.print_pending() == []  # never resent by itself
        original_job = jobs_db.jobs_for_sale(journal, sale_id)[0]
        assert isinstance(queue.retry(original_job.id), JobPrinted)
        assert isinstance(queue.reprint(original_job.id), JobPrinted)
        original, copy = (parse(data) for data in received(listener, 2))
    assert copy.lines[0].strip() == copy.lines[-1].strip() == "*** AFRIT 1 ***"
    assert copy.lines[1:-1] == original.lines
    assert journal_statuses(path, sale_id) == [("receipt", "printed", 0), ("copy", "printed", 1)]


def test_a_printer_that_fails_after_the_job_changes_nothing(tmp_path: Path) -> None:
    """The listener takes every byte, then the printer goes away: the job is printed, the sale paid."""
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal, loopback_printer() as listener:
        sale_id = paid_sale(journal)
        queue = PrintQueue(journal, network(listener.port), FORMAT)
        assert isinstance(queue.print_pending()[0], JobPrinted)
    assert network(listener.port).status().kind == "unreachable"
    assert journal_statuses(path, sale_id) == [("receipt", "printed", 0)]


def journal_statuses(path: Path, sale_id: int) -> list[tuple[str, str, int]]:
    with Journal(path, read_only=True) as journal:
        assert journal.sale(sale_id).status == "paid"
        return [(j.kind, j.status, j.copy_no) for j in jobs_db.jobs_for_sale(journal, sale_id)]
