"""Turns SQLite's failures into journal errors a person can act on, and salvages a damaged file.

A read-only journal is fixed by its owner or mode, never moved: moving it would hide open
attempts from recovery, and its ``-wal`` file may hold the last commits. A malformed one stops
Netgíró payments on the register; its files are copied aside with their ``-wal`` and ``-shm``,
SQLite's ``.recover`` writes what it can read into a new file, and the open attempts found there
are listed with their TransactionIds so a manager can check each in Netgíró's portal.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pos.journal.errors import JournalDamaged, JournalError, JournalFull, JournalReadOnly

SIDE_FILES = ("-wal", "-shm")
_READ_ONLY_SIGNS = ("readonly", "read-only", "unable to open", "permission", "access permission")


def journal_files(path: Path) -> list[Path]:
    """The journal and the side files SQLite keeps beside it, those that exist."""
    candidates = [path, *(path.with_name(path.name + side) for side in SIDE_FILES)]
    return [candidate for candidate in candidates if candidate.exists()]


def translate(path: Path, exc: BaseException) -> JournalError:
    """A journal error for SQLite's (or the OS's) failure on this file."""
    text = str(exc).lower()
    if isinstance(exc, PermissionError) or any(sign in text for sign in _READ_ONLY_SIGNS):
        return JournalReadOnly(
            f"The journal {path} cannot be written ({exc}). Give the till's user write access "
            f"to it, its -wal and -shm files and its folder (chown, or chmod u+rw): do not move "
            "it, it may hold open payments.",
            "Journal",
        )
    if "disk is full" in text or "no space" in text:
        return JournalFull(
            f"The disk under the journal {path} is full ({exc}). Free some space; the last "
            "committed state is safe, and recovery finishes the rest on the next start.",
            "Journal",
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return JournalDamaged(
            f"The journal {path} is damaged ({exc}). Netgíró payments on this register are "
            "stopped. Run `pos recover --salvage` to copy it aside, recover what can be read "
            "and list the open payments to check in Netgíró's portal.",
            "Journal damaged",
        )
    return JournalError(f"The journal {path} failed: {exc}", "Journal")


@dataclass(frozen=True)
class OpenAttemptFound:
    """A live attempt read out of a damaged journal."""

    reference: str
    transaction_id: str | None
    phase: str
    amount: int


@dataclass(frozen=True)
class SalvageReport:
    """Where the damaged files were copied, what could be recovered, and what was open."""

    copied_to: Path
    recovered: Path | None
    open_attempts: tuple[OpenAttemptFound, ...]
    problem: str = ""


def salvage(path: Path) -> SalvageReport:
    """Copy the damaged journal aside with its side files, recover it, list open attempts."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = path.with_name(f"damaged-{stamp}")
    folder.mkdir(mode=0o700)
    for source in journal_files(path):
        shutil.copy2(source, folder / source.name)
    copy = folder / path.name
    recovered, problem = _recover(copy, folder / "recovered.sqlite3")
    source = recovered if recovered is not None else copy
    return SalvageReport(folder, recovered, tuple(_open_attempts(source)), problem)


def _recover(copy: Path, target: Path) -> tuple[Path | None, str]:
    cli = shutil.which("sqlite3")
    if cli is None:
        return None, "the sqlite3 command is not installed (apt-get install sqlite3)"
    dump = subprocess.run(
        [cli, str(copy), ".recover"], capture_output=True, text=True, timeout=120, check=False
    )
    if dump.returncode != 0 and not dump.stdout:
        return None, dump.stderr.strip()[:300]
    db = sqlite3.connect(target)
    try:
        db.executescript(dump.stdout)
    except sqlite3.DatabaseError as exc:
        return None, f"the recovered rows could not be written ({exc})"
    finally:
        db.close()
    target.chmod(0o600)
    return target, ""


def _open_attempts(source: Path) -> list[OpenAttemptFound]:
    """Live attempts that can still be read; a damaged page only hides the rows on it."""
    try:
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return []
    try:
        rows = db.execute(
            "SELECT reference, transaction_id, phase, amount FROM attempts WHERE live = 1"
        ).fetchall()
    except sqlite3.DatabaseError:
        return []
    finally:
        db.close()
    return [OpenAttemptFound(str(r[0]), r[1], str(r[2]), int(r[3])) for r in rows]
