"""X and Z reports: running totals since the last Z, and closing a Z with a manager's blind count.

- ``x_report`` only reads: it runs beside the open till, on a read-only journal too.
- ``close_z`` needs a manager in manager mode and the counted cash, given before the expected
  amount is shown anywhere (a blind count: the caller asks for the count first, and the
  expected amount first appears in what this returns). It refuses while a payment runs or a
  sale is open or parked, unless asked to void the open and parked ones (counted as voided).
- After the Z has committed: a ``VACUUM INTO`` backup of the journal and a CSV by VAT rate and
  tender in the configured folder. A failure there never undoes the Z; it is reported.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pos.core.receipt_layout import text_lines
from pos.core.report_layout import layout_report
from pos.core.z_report import accountant_rows
from pos.journal import Journal, JournalError
from pos.journal import print_jobs as jobs_db
from pos.journal import z_reports as zdb
from pos.journal.audit import append_audit
from pos.journal.z_reports import Blockers, ClosedZ, ZRecord, ZRefused
from pos.services.manager_auth import ManagerAuth, Session

log = logging.getLogger(__name__)

REPORT_ZONE = ZoneInfo("Atlantic/Reykjavik")
REPRINT_ACTION = "z.reprinted"

__all__ = [
    "Blockers",
    "ZClosed",
    "ZRefused",
    "close_z",
    "print_x",
    "report_text",
    "reprint_z",
    "x_report",
    "z_blockers",
    "z_report",
]


@dataclass(frozen=True)
class ZClosed:
    """A closed Z: its row and snapshot, its print job, what it voided, where the copies went."""

    z: ZRecord
    job_id: int
    voided: tuple[int, ...]
    backup: Path | None
    csv: Path | None
    problems: tuple[str, ...] = ()
    """What went wrong after the Z committed (the backup, the CSV): the Z itself stands."""

    @property
    def snapshot(self) -> dict[str, Any]:
        return self.z.snapshot

    @property
    def expected(self) -> int:
        return self.z.expected

    @property
    def counted(self) -> int:
        return self.z.counted

    @property
    def over_short(self) -> int:
        return self.z.over_short


def _now() -> datetime:
    return datetime.now(UTC)


def x_report(
    journal: Journal, *, register_id: str = "", at: datetime | None = None
) -> dict[str, Any]:
    """Running totals since the last Z (the X's snapshot); reads only, beside the open till."""
    return zdb.x_snapshot(journal, at=at or _now(), register_id=register_id)


def z_blockers(journal: Journal) -> Blockers:
    """What would stop a Z now (payments running, open and parked sales); ``.empty`` if none."""
    return zdb.blockers(journal)


def z_report(journal: Journal, number: int) -> dict[str, Any]:
    """Closed Z ``number``'s snapshot, as it was printed; reads only."""
    return zdb.z_report(journal, number).snapshot


def close_z(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    *,
    counted: int,
    backup_dir: Path,
    register_id: str = "",
    void_open: bool = False,
) -> ZClosed:
    """Close the period with the manager's blind count; then back up and write the CSV."""
    auth.require_manager(session)
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ZRefused("The counted cash is whole krónur, 0 or more.")
    closed = zdb.close_z(
        journal,
        counted=counted,
        manager=session.actor,
        at=auth.clock(),
        register_id=register_id,
        void_open=void_open,
    )
    return _after_close(journal, closed, backup_dir)


def _after_close(journal: Journal, closed: ClosedZ, folder: Path) -> ZClosed:
    problems: list[str] = []
    backup = csv_file = None
    stem = _file_stem(closed.z)
    try:
        backup = backup_journal(journal, folder / f"{stem}-journal.sqlite3")
    except (OSError, JournalError) as exc:
        problems.append(f"The journal backup was not written to {folder}: {exc}")
    try:
        csv_file = write_csv(closed.z.snapshot, folder / f"{stem}.csv")
        write_missing_csvs(journal, folder)
    except OSError as exc:
        problems.append(f"The accountant's CSV was not written to {folder}: {exc}")
    for problem in problems:
        log.warning("Z %s: %s", closed.z.number, problem)
    return ZClosed(closed.z, closed.job_id, closed.voided, backup, csv_file, tuple(problems))


def _file_stem(z: ZRecord) -> str:
    day = datetime.fromisoformat(z.closed_at).astimezone(REPORT_ZONE).strftime("%Y-%m-%d")
    return f"Z{z.number:05d}-{day}"


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def backup_journal(journal: Journal, target: Path) -> Path:
    """A consistent copy of the whole journal (``VACUUM INTO``), readable by its owner only."""
    _private_folder(target.parent)
    if target.exists():
        raise FileExistsError(f"{target} exists already; it was left as it is")
    # Written under another name and renamed when whole: a copy cut short (disk full, a kill)
    # must never pass for this Z's backup.
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        zdb.backup_into(journal, partial)
        partial.chmod(0o600)
        partial.replace(target)
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    return target


def csv_text(report: dict[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(accountant_rows(report))
    return out.getvalue()


def write_csv(report: dict[str, Any], target: Path) -> Path:
    """The Z by VAT rate and tender, for the accountant (UTF-8, comma separated, CRLF)."""
    _private_folder(target.parent)
    partial = target.with_name(target.name + ".part")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        out.write(csv_text(report))
        out.flush()
        os.fsync(out.fileno())
    partial.chmod(0o600)
    partial.replace(target)
    return target


def write_missing_csvs(journal: Journal, folder: Path) -> list[Path]:
    """The CSV of every earlier Z that has none in ``folder`` (a crash right after its commit)."""
    present = {path.name[:6] for path in folder.glob("Z*.csv")}
    written = []
    for z in zdb.z_reports(journal):
        if f"Z{z.number:05d}" not in present:
            written.append(write_csv(z.snapshot, folder / f"{_file_stem(z)}.csv"))
    return written


def reprint_z(auth: ManagerAuth, session: Session, journal: Journal, number: int) -> int:
    """Queue Z ``number`` for the printer again, marked AFRIT (a manager's action, audited)."""
    auth.require_manager(session)
    z = zdb.z_report(journal, number)
    original = zdb.z_job(journal, number)
    if original is None:  # its job is gone (a journal restored without it): print it anew
        job_id = zdb.queue_report(journal, z.snapshot)
    else:
        job_id = jobs_db.add_copy(journal, original).id
    append_audit(
        journal,
        session.actor,
        REPRINT_ACTION,
        {"number": number, "job_id": job_id},
        at=auth.clock(),
    )
    return job_id


def print_x(journal: Journal, report: dict[str, Any]) -> int:
    """Queue an X report (``x_report``'s snapshot) for the printer; the job's id."""
    if report.get("kind") != "X":
        raise ZRefused("Only an X report is printed this way; a Z is printed when it closes.")
    return zdb.queue_report(journal, report)


def report_text(report: dict[str, Any], *, width: int = 48, tz: tzinfo = REPORT_ZONE) -> str:
    """The report as the paper shows it, for a terminal."""
    return "\n".join(text_lines(layout_report(report, width=width, tz=tz))) + "\n"
