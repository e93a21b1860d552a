"""Receipts of sales paid before the upgrade (a version-1 journal, v1 snapshots) show and reprint."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import zxingcpp
from PIL import Image

from pos.devices.printers import FilePrinter
from pos.journal import Journal
from pos.journal.schema import SCHEMA
from pos.services.printing import JobPrinted, PrintQueue, ReceiptFormat
from pos.services.receipts import show_receipt
from tests.devices.receipts import V1_SNAPSHOT
from tests.support.escpos_parser import parse


def version_1_journal(path: Path) -> None:
    """The shape the release before the first migration step wrote: a paid sale and its job."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executescript(
        "INSERT INTO meta VALUES ('journal_id', 'ab12'), ('schema_version', '1');"
        "INSERT INTO sales VALUES (7, 'R1', 1990, 'paid', '2026-12-01T22:14:00.000+00:00', "
        "'2026-12-01T22:15:03.123+00:00');"
        "INSERT INTO sale_lines VALUES (7, 1, 'keyed', 'Keyed amount', 1990, 1000, 1990);"
    )
    db.execute(
        "INSERT INTO print_jobs (sale_id, kind, status, snapshot, created_at) "
        "VALUES (7, 'receipt', 'queued', ?, '2026-12-01T22:15:03.123+00:00')",
        (json.dumps(V1_SNAPSHOT),),
    )
    db.commit()
    db.close()


def test_a_v1_receipt_shows_from_the_old_journal_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    version_1_journal(path)
    before = path.read_bytes()
    shown = show_receipt(path, 7, ReceiptFormat(width=32), copy=True)
    assert path.read_bytes() == before  # read-only: never migrated, never written
    lines = shown.text.splitlines()
    assert lines[0].strip() == "*** AFRIT 1 ***"
    assert "Keyed amount               1.990" in lines
    shown.save_png(tmp_path / "v1.png")
    codes = {
        (r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(tmp_path / "v1.png"))
    }
    assert codes == {("QRCode", "R1-ab12-7-1"), ("Code128", "R1-ab12-7-1")}


def test_after_the_upgrade_the_v1_receipt_prints_and_reprints_as_afrit(tmp_path: Path) -> None:
    path, folder = tmp_path / "journal.sqlite3", tmp_path / "receipts"
    version_1_journal(path)
    with Journal(path) as journal:  # the till opens: the journal is upgraded
        queue = PrintQueue(journal, FilePrinter(folder), ReceiptFormat(width=32))
        assert queue.start() == []
        original = queue.print_pending()[0]
        copy = queue.reprint(original.job.id)
    assert isinstance(original, JobPrinted) and isinstance(copy, JobPrinted)
    first = parse((folder / "sale-000007.bin").read_bytes())
    again = parse((folder / "sale-000007-afrit-1.bin").read_bytes())
    assert again.lines[1:-1] == first.lines and again.lines[0].strip() == "*** AFRIT 1 ***"
