"""The register's data is private to the till's user: folders 0700, files 0600.

The journal, the log and the sandbox's carts hold masked customers, amounts and (the
sandbox) full customer ids; nobody else on the machine needs to read them. New files follow
the process umask (077, set by ``pos``); these fix what an older release left 0644.
"""

from __future__ import annotations

import os
from pathlib import Path

from pos.core.errors import PosError

PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class NotPrivate(PosError):
    """The register's data cannot be created or kept private: its owner or mode is wrong."""

    title = "Data folder"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700."""
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)
    except OSError as exc:
        raise _not_private(path, exc, "chmod 700") from exc
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, without ever making it readable by others; 0600."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE))
        os.chmod(path, PRIVATE_FILE)
    except OSError as exc:
        raise _not_private(path, exc, "chmod 600") from exc
    return path


def _not_private(path: Path, exc: OSError, fix: str) -> NotPrivate:
    return NotPrivate(
        f"Cannot use {path} ({exc.strerror or exc}). It must belong to the user running the "
        f"till and be writable: chown $USER {path} && {fix} {path}. Nothing was sent."
    )
