"""Brings a journal file to the schema this code knows, or refuses it untouched.

- A new file gets the base schema and every step in one transaction.
- An older file is first copied with ``VACUUM INTO`` beside it, then stepped up one numbered step
  per transaction; each step is a named crash point, so a kill leaves a whole version behind.
- A file newer than this code is refused before anything is written to it: its bytes stay as
  they are, so the newer till that wrote it can still open it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from pos.core.errors import PosError
from pos.crashpoints import crash_point
from pos.journal.migrations import BASE_VERSION, MigrationStep, latest_version, steps
from pos.journal.schema import SCHEMA


class JournalTooNew(PosError):
    """The journal was written by a newer till; this one must not touch it."""

    title = "Journal"


def stored_version(db: sqlite3.Connection) -> int | None:
    """The journal's schema version, or None for an empty file."""
    has_meta = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if has_meta is None:
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row is not None else BASE_VERSION


def refuse_if_newer(path: Path, version: int | None) -> None:
    newest = latest_version()
    if version is not None and version > newest:
        raise JournalTooNew(
            f"The journal {path} is version {version}, newer than this till knows ({newest}). "
            "It was left untouched: run the newer till on this register, or upgrade this one."
        )


def create(db: sqlite3.Connection) -> None:
    """A new journal: the base schema and every step, in one transaction."""
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(SCHEMA):
            db.execute(statement)
        for step in steps():
            step.apply(db)
        _set_version(db, latest_version())
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    finally:
        db.execute("PRAGMA foreign_keys=ON")


def upgrade(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Step an older journal up to the latest version, after a backup beside it."""
    pending = [step for step in steps() if step.version > version]
    if not pending:
        return
    backup(db, path, version)
    for step in pending:
        _apply_step(db, step)


def backup(db: sqlite3.Connection, path: Path, version: int) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}-v{version}-backup-{stamp}{path.suffix}")
    if not target.exists():
        db.execute("VACUUM INTO ?", (str(target),))
        target.chmod(0o600)
    return target


def _apply_step(db: sqlite3.Connection, step: MigrationStep) -> None:
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("BEGIN IMMEDIATE")
    try:
        step.apply(db)
        _set_version(db, step.version)
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise PosError(
                f"Journal migration {step.name} would break {len(broken)} references; "
                "nothing was changed. Keep the journal and call support.",
                "Journal",
            )
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    finally:
        db.execute("PRAGMA foreign_keys=ON")
    crash_point(step.crash_point)


def _set_version(db: sqlite3.Connection, version: int) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (str(version),),
    )


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _statements(script: str) -> list[str]:
    """The schema's statements one by one: executescript would COMMIT our transaction."""
    return [part.strip() for part in script.split(";") if part.strip()]
