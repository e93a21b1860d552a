"""Numbered journal migration steps, found by file name: ``NNNN_what_it_does.py``.

Each step module defines ``apply(db)``, run inside the one transaction the migrator opens for it.
The base schema (``pos.journal.schema``) is version 1 and never changes; every change after it is
a step here, and the step's number is the version it leaves the journal at. Numbers start at 2,
with no gap and no duplicate: ``steps()`` refuses anything else, so a rebase that renumbered one
step and not another fails at once rather than on a store's journal.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

BASE_VERSION = 1
_STEP_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)$")


class StepNumberingError(Exception):
    """Two steps share a number, or a number is missing: fix the file names."""


@dataclass(frozen=True)
class MigrationStep:
    """One numbered change to the journal's schema and rows."""

    version: int
    name: str
    apply: Callable[[sqlite3.Connection], None]

    @property
    def crash_point(self) -> str:
        return f"journal.migrate.{self.version:04d}"


def step_names() -> list[str]:
    """Module names of every step file, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)


def check_numbering(names: list[str]) -> list[tuple[int, str]]:
    """The (version, name) pairs of these step files, or StepNumberingError."""
    numbered = []
    for name in names:
        match = _STEP_NAME.match(name)
        if match is None:
            raise StepNumberingError(f"{name}.py is not named NNNN_what_it_does.py")
        numbered.append((int(match.group(1)), name))
    versions = [version for version, _ in numbered]
    expected = list(range(BASE_VERSION + 1, BASE_VERSION + 1 + len(numbered)))
    if versions != expected:
        raise StepNumberingError(
            f"Migration steps must be numbered {expected} with no gap or duplicate; found {versions}"
        )
    return numbered


def steps() -> list[MigrationStep]:
    """Every step, in order."""
    found = []
    for version, name in check_numbering(step_names()):
        module = importlib.import_module(f"{__name__}.{name}")
        found.append(MigrationStep(version, name, module.apply))
    return found


def latest_version() -> int:
    return BASE_VERSION + len(step_names())
