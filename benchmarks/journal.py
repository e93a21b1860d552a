"""4. Journal: one payment-state write through ``Journal.record`` vs the same SQL run bare.

Both arms write to their own copy of one journal file, with the journal's pragmas (WAL,
``synchronous=FULL``, foreign keys): ours commits a checkout state the way the runner does;
the bare arm runs BEGIN IMMEDIATE, the UPDATE of the attempt and the INSERT of its event, and
COMMIT, serializing a plain dict of the same fields with ``json.dumps``. Gated on tmpfs (``/dev/shm``), where the
disk's flush does not hide the Python around it; reported on the real disk. The runner's
re-read of the attempt after each commit is timed apart. Z is in ``benchmarks.z_report``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.harness import Result, Row, Target, interleaved
from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.journal import Journal, SaleLine
from pos.journal.state_codec import state_to_json
from pos.journal.store import now_iso

TMPFS = Path("/dev/shm")
TRANSACTION_ID = "0b0e1c3a-5d2f-4f55-9a57-2a6f0c1d9e11"


def journal_with_attempt(path: Path) -> tuple[Journal, int, Checkout]:
    """A journal with one sale and one live attempt, as ``pos pay`` leaves it after InsertCart."""
    journal = Journal(path)
    sale_id = journal.create_sale("R1", [SaleLine("1", "Mjólk", 229, 1000, 229)])
    state = Checkout(Phase.INSERTING, CustomerKind.GSM, amount=229, note="Sending the cart")
    attempt = journal.begin_attempt(sale_id, "***-**81", state)
    pending = replace(
        attempt.state,
        phase=Phase.PENDING,
        transaction_id=TRANSACTION_ID,
        reference=attempt.reference,
        note="Waiting for the customer",
    )
    return journal, attempt.id, pending


def check_pragmas_and_commits(journal: Journal, attempt_id: int, state: Checkout) -> int:
    """The journal's pragmas are the ones it promises, and a state is one commit."""
    db = journal._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    commits: list[str] = []
    db.set_trace_callback(lambda sql: commits.append(sql) if sql.strip() == "COMMIT" else None)
    try:
        for n in range(3):
            journal.record(attempt_id, replace(state, note=f"poll {n}"), event="x", point="bench")
    finally:
        db.set_trace_callback(None)
    assert len(commits) == 3, commits
    return len(commits)


class BareWriter:
    """The same two statements on a plain connection with the journal's pragmas."""

    def __init__(self, path: Path, attempt_id: int, state: Checkout) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.attempt_id = attempt_id
        # The same fields as the journal's state JSON, held as a plain dict by a bare program.
        self.state: dict[str, object] = json.loads(state_to_json(state))

    def write(self, n: int) -> None:
        state = {**self.state, "note": f"poll {n}"}
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "UPDATE attempts SET phase = ?, live = ?, transaction_id = ?, state_json = ?, "
            "updated_at = ? WHERE id = ?",
            (
                "PENDING",
                1,
                TRANSACTION_ID,
                json.dumps(state, ensure_ascii=False),
                now_iso(),
                self.attempt_id,
            ),
        )
        db.execute(
            "INSERT INTO attempt_events (attempt_id, at, crash_point, event, phase, result_code, "
            "netgiro_reference_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self.attempt_id, now_iso(), "bench", "x", "PENDING", 10425, None, state["note"]),
        )
        db.execute("COMMIT")

    def reread(self) -> None:
        self.db.execute("SELECT * FROM attempts WHERE id = ?", (self.attempt_id,)).fetchone()


def writes_on(folder: Path, quick: bool) -> tuple[list[Row], dict[str, object]]:
    """Ours vs bare, writes and re-reads, on the file system that holds ``folder``."""
    ours_path, bare_path = folder / "ours.sqlite3", folder / "bare.sqlite3"
    journal, attempt_id, state = journal_with_attempt(ours_path)
    commits = check_pragmas_and_commits(journal, attempt_id, state)
    journal.close()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{ours_path}{suffix}").exists():
            shutil.copy(f"{ours_path}{suffix}", f"{bare_path}{suffix}")
    journal = Journal(ours_path)
    bare = BareWriter(bare_path, attempt_id, state)
    tmpfs = folder.is_relative_to(TMPFS)
    calls = (20 if quick else 200) if tmpfs else (5 if quick else 30)
    rounds = 3 if quick else 20
    counter = iter(range(10**9))

    def ours() -> float:
        # The states are the runner's (made by the pure machine): built before the clock runs.
        states = [replace(state, note=f"poll {next(counter)}") for _ in range(calls)]
        start = time.perf_counter()
        for each in states:
            journal.record(attempt_id, each, event="x", point="b")
        return (time.perf_counter() - start) * 1e6 / calls

    def baseline() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            bare.write(next(counter))
        return (time.perf_counter() - start) * 1e6 / calls

    def ours_read() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            journal.attempt(attempt_id)
        return (time.perf_counter() - start) * 1e6 / calls

    def bare_read() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            bare.reread()
        return (time.perf_counter() - start) * 1e6 / calls

    try:
        write_ours, write_bare = interleaved(rounds, ours, baseline)
        read_ours, read_bare = interleaved(rounds, ours_read, bare_read)
    finally:
        journal.close()
        bare.db.close()
    where = "tmpfs" if tmpfs else "disk"
    rows = [
        Row(
            f"state write ({where})",
            "µs",
            write_ours,
            write_bare,
            "bare UPDATE+INSERT",
            Target("ratio", "<=", 1.3) if tmpfs else None,
        ),
        Row(f"runner's re-read ({where})", "µs", read_ours, read_bare, "bare SELECT"),
    ]
    return rows, {f"commits_per_state_{where}": commits / 3, f"calls_per_round_{where}": calls}


def run(quick: bool = False) -> Result:
    rows: list[Row] = []
    extra: dict[str, object] = {}
    places = [TMPFS, Path(__file__).resolve().parent]
    for place in places:
        with tempfile.TemporaryDirectory(prefix="bench-journal-", dir=place) as folder:
            found, facts = writes_on(Path(folder), quick)
            rows += found
            extra.update(facts)
    from benchmarks import z_report

    found, facts = z_report.rows(quick)
    return Result("journal", rows + found, {**extra, **facts})
