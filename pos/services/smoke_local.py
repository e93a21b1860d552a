"""``pos smoke``'s checks on this machine: the config, the register lock, the data dir, the journal.

None of them takes the register lock or writes to the journal: the lock is probed without
blocking (and let go at once), and the journal is opened read-only, never migrated.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pos.config import Problem, Settings, check_config, load_settings
from pos.config.registry import section_named
from pos.config.section import blocks
from pos.core.errors import ConfigError, PosError
from pos.journal import Journal, JournalTooNew
from pos.journal.migrations import latest_version
from pos.journal.summary import JournalSummary
from pos.services.smoke_results import Check, fail, ok, warn

LOCK_NAME = "register.lock"
SHOWN_REFERENCES = 3
NEEDS_SETTLING = ("manager", "unknown")
STUCK_PRINT_JOBS = ("queued", "failed", "uncertain")
ACCESS_FIX = (
    "Give the till's user write access to it, its -wal and -shm files and its folder (chown, "
    "or chmod u+rw); do not move it, it may hold open payments."
)


# --- the config ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedConfig:
    """The config's checks; ``settings`` has the secret (None if it cannot run the till),
    ``read_settings`` is enough for the data dir, the journal and the devices."""

    checks: tuple[Check, ...]
    settings: Settings | None
    read_settings: Settings | None


def load_config(path: Path | None) -> LoadedConfig:
    """Every problem of the file as a check: errors that stop the till fail, the rest warn."""
    problems = [] if path is None else check_config(path)
    checks = [_problem_check(problem) for problem in problems]
    settings = _loaded(lambda: load_settings(path))
    read_settings = settings or _loaded(lambda: load_settings(path, need_secret=False))
    if not checks:
        where = path if path is not None else "no config file: the embedded sandbox's defaults"
        checks.append(ok("config", f"{where}: valid"))
    return LoadedConfig(tuple(checks), settings, read_settings)


def _problem_check(problem: Problem) -> Check:
    section = section_named(problem.section)
    role = "core" if section is None else section.role
    file = str(problem.file) if problem.file else ""
    if problem.severity == "error" and blocks(role, "till"):
        return fail("config", problem.message, problem.fix, file=file, key=problem.key)
    if problem.severity == "error":
        message = f"{problem.message} (the till starts degraded, with a banner)"
        return warn("config", message, problem.fix, file=file, key=problem.key)
    return warn("config", problem.message, problem.fix, file=file, key=problem.key)


def _loaded(load: Callable[[], Settings]) -> Settings | None:
    try:
        return load()
    except ConfigError:
        return None  # already reported, with its fix, by the config's own checks


# --- the register lock -------------------------------------------------------------------------


def till_holder(data_dir: Path) -> str | None:
    """The pid holding the register lock (the open till, or a payment), or None.

    A shared, non-blocking flock only asks; if it is granted it is let go at once.
    """
    try:
        descriptor = os.open(data_dir / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return None  # no lock file: no till has ever run here
    with os.fdopen(descriptor, encoding="utf-8", errors="replace") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return lock.read(32).strip() or "unknown"
        except OSError:
            return "unknown"  # cannot tell (a lock-less file system): act as if it were open
        fcntl.flock(lock, fcntl.LOCK_UN)
    return None


def till_check(holder: str | None) -> Check:
    if holder is None:
        return ok("till", "the till is not open (the register lock is free)")
    return ok(
        "till",
        f"the till is open (pid {holder} holds the register lock): the smoke takes no lock, "
        "reads the journal only, and leaves the devices to the till",
        pid=holder,
    )


# --- the data dir ------------------------------------------------------------------------------


def data_dir_check(data_dir: Path) -> Check:
    """The data dir takes a new file, or it does not exist yet and can be made."""
    if data_dir.is_dir():
        try:
            with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".smoke-") as probe:
                probe.write(b"smoke")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            return fail(
                "data_dir",
                f"{data_dir} cannot be written ({exc.strerror}).",
                "Give the till's user write access to it (chown, or chmod u+rwx).",
                path=str(data_dir),
            )
        return ok("data_dir", f"{data_dir} is writable", path=str(data_dir))
    if data_dir.exists():
        return fail(
            "data_dir",
            f"{data_dir} is not a folder.",
            "Point paths.data_dir at a folder.",
            path=str(data_dir),
        )
    parent = _nearest_existing(data_dir)
    if os.access(parent, os.W_OK | os.X_OK):
        return ok(
            "data_dir", f"{data_dir} does not exist yet; the till makes it", path=str(data_dir)
        )
    return fail(
        "data_dir",
        f"{data_dir} does not exist and {parent} cannot be written.",
        f"Make {data_dir} and give it to the till's user, or point paths.data_dir elsewhere.",
        path=str(data_dir),
    )


def _nearest_existing(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path("/")


# --- the journal -------------------------------------------------------------------------------


def journal_checks(journal_file: Path, *, till_open: bool) -> list[Check]:
    """Writable by the till, then read-only: integrity, schema version, open work, print jobs."""
    if not journal_file.exists():
        return [ok("journal", f"no journal yet at {journal_file}; the till makes it")]
    checks = [_writable_check(journal_file)]
    try:
        with Journal(journal_file, read_only=True) as journal:
            version = journal.schema_version
            summary = journal.summary()
    except JournalTooNew as exc:
        return [
            *checks,
            fail("journal.schema", exc.message, "Run the newer till on this register."),
        ]
    except PosError as exc:
        return [*checks, fail("journal.open", exc.message, "Stop the till and call support.")]
    checks.append(_integrity_check(journal_file, summary))
    checks.append(_schema_check(version))
    checks.extend(_open_work_checks(summary, till_open=till_open))
    return checks


def _writable_check(journal_file: Path) -> Check:
    side_files = [journal_file.with_name(journal_file.name + side) for side in ("-wal", "-shm")]
    files = [journal_file, *(side for side in side_files if side.exists())]
    not_writable = [str(f) for f in files if not os.access(f, os.W_OK)]
    if not os.access(journal_file.parent, os.W_OK | os.X_OK):
        not_writable.append(str(journal_file.parent))
    if not_writable:
        return fail(
            "journal.writable", f"the till cannot write {', '.join(not_writable)}.", ACCESS_FIX
        )
    return ok("journal.writable", f"{journal_file} and its folder are writable")


def _integrity_check(journal_file: Path, summary: JournalSummary) -> Check:
    if not summary.integrity:
        return ok("journal.integrity", "PRAGMA integrity_check: ok")
    return fail(
        "journal.integrity",
        f"{journal_file} is damaged: {'; '.join(summary.integrity)}.",
        "Close the till, then run `pos recover --salvage` and check the listed payments in "
        "Netgíró's portal.",
        problems=list(summary.integrity),
    )


def _schema_check(version: int) -> Check:
    newest = latest_version()
    if version < newest:
        return warn(
            "journal.schema",
            f"version {version}, older than this till's {newest} (read as it is).",
            "Open the till (or run `pos recover`) once to upgrade it.",
            version=version,
        )
    return ok("journal.schema", f"version {version}", version=version)


def _open_work_checks(summary: JournalSummary, *, till_open: bool) -> list[Check]:
    return [
        _open_attempts_check(summary.open_references, till_open=till_open),
        _unsettled_sales_check(summary.sales_by_status),
        _print_jobs_check(summary.print_jobs_by_status, till_open=till_open),
    ]


def _open_attempts_check(references: tuple[str, ...], *, till_open: bool) -> Check:
    if not references:
        return ok("journal.open_attempts", "no payment attempt is open")
    shown = ", ".join(references[:SHOWN_REFERENCES]) + (
        ", …" if len(references) > SHOWN_REFERENCES else ""
    )
    fix = "The open till finishes them." if till_open else "Run `pos recover` to finish them."
    return warn(
        "journal.open_attempts",
        f"{len(references)} payment attempt(s) open: {shown}.",
        fix,
        references=list(references),
    )


def _unsettled_sales_check(by_status: Mapping[str, int]) -> Check:
    counts = {status: by_status.get(status, 0) for status in NEEDS_SETTLING}
    if not any(counts.values()):
        return ok("journal.sales", "no sale waits for a manager or an unknown outcome")
    return warn(
        "journal.sales",
        f"{counts['manager']} sale(s) need a manager, {counts['unknown']} have an unknown outcome.",
        "Settle each: `pos recover --settle REF paid|unpaid --reason TEXT` with the till closed, "
        "or in manager mode (F9).",
        **counts,
    )


def _print_jobs_check(by_status: Mapping[str, int], *, till_open: bool) -> Check:
    counts = {status: by_status.get(status, 0) for status in STUCK_PRINT_JOBS}
    if not any(counts.values()):
        return ok("journal.print_jobs", "no print job is queued, failed or uncertain")
    fixes = []
    if counts["queued"] or counts["failed"]:
        fixes.append(
            "the open till prints or retries them"
            if till_open
            else "they print (or wait for Retry) when the till next opens"
        )
    if counts["uncertain"]:
        fixes.append("an uncertain receipt may have printed: reprint it as a copy (AFRIT) if asked")
    return warn(
        "journal.print_jobs",
        f"{counts['queued']} print job(s) queued, {counts['failed']} failed, "
        f"{counts['uncertain']} uncertain.",
        _sentence("; ".join(fixes)),
        **counts,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
