"""A till killed (SIGKILL) right after each of its journal commits leaves a whole sale behind.

The child process rings up the screen's example sale, keeps it, takes part in cash and then
the rest; ``POS_CRASH_AT`` kills it right after the named commit is durable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pos.journal import Journal, sales

CHILD = """
import sys
from pathlib import Path
from pos.core.catalog import CatalogItem
from pos.core.sale import Sale
from pos.journal import Journal, sales

milk = CatalogItem("101", "5690010000012", "Mjólk 1 l", 229, 11)
sale = Sale().with_quantity(2000).add_item(milk).add_open_price(990, 24)
with Journal(Path(sys.argv[1])) as journal:
    sales.mark_till_running(journal, 1)
    sale_id = sales.park_sale(journal, "R1", sale)
    sales.recall_sale(journal, sale_id)
    sales.save_sale(journal, "R1", sale, sale_id)
    sales.take_cash(journal, sale_id, 1000, 1000)
    sales.take_cash(journal, sale_id, 448, 500)
"""


def run_child(path: Path, crash_at: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    if crash_at:
        env["POS_CRASH_AT"] = crash_at
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        capture_output=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    return done.returncode


@pytest.mark.parametrize(
    ("point", "status", "taken", "receipt_no"),
    [
        ("journal.sale_parked", "parked", 0, None),
        ("journal.sale_recalled", "open", 0, None),
        ("journal.sale_saved", "open", 0, None),
        ("journal.cash_taken#1", "open", 1000, None),
        ("journal.cash_taken#2", "paid", 1448, 1),
    ],
)
def test_killed_after_each_commit(
    tmp_path: Path, point: str, status: str, taken: int, receipt_no: int | None
) -> None:
    path = tmp_path / "journal.sqlite3"
    assert run_child(path, point) == -signal.SIGKILL  # "name#n": the n-th pass
    with Journal(path) as journal:
        assert sales.mark_till_running(journal, 2) is True  # the next start knows it was killed
        stored = sales.load_sale(journal, 1)
        assert (stored.status, stored.sale.paid, stored.receipt_no) == (status, taken, receipt_no)
        assert stored.sale.total == 1448
        receipts = [job for job in journal.print_jobs() if job.kind == "receipt"]
        assert len(receipts) == (1 if status == "paid" else 0)


def test_the_child_runs_whole_without_a_crash(tmp_path: Path) -> None:
    assert run_child(tmp_path / "journal.sqlite3", None) == 0
