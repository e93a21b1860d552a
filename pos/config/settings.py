"""One register's settings, as the loader built them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from pos.config.netgiro import NetgiroSettings
from pos.config.paths import PEOPLE_FILE_NAME, PathsSettings
from pos.config.problems import Problem
from pos.config.register import RegisterSettings
from pos.config.section import Section
from pos.config.store import StoreSettings
from pos.config.timing import TimingSettings
from pos.core.addresses import is_loopback
from pos.core.public_test_data import is_test_app_key

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """One register's settings; ``source`` is the file they came from (None: defaults).

    ``problems`` are those that did not block the command: warnings, and errors of sections
    that only degrade the till (``degraded``). Any section's value: ``settings.get(SECTION)``.
    """

    register: RegisterSettings
    netgiro: NetgiroSettings
    timing: TimingSettings
    data_dir: Path
    source: Path | None = None
    store: StoreSettings = field(default_factory=StoreSettings)
    sections: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    problems: tuple[Problem, ...] = ()

    def get(self, section: Section[T]) -> T:
        """The section's value as loaded, or its defaults when these settings were built by hand."""
        if section.name in self.sections:
            return cast(T, self.sections[section.name])
        return section.default()

    @property
    def degraded(self) -> tuple[Problem, ...]:
        """Errors in sections that only degrade the till: the banner lists them."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def people_file(self) -> Path:
        """``[paths] people_file``, else ``people.json`` in the data dir."""
        paths = self.sections.get("paths")
        chosen = paths.people_file if isinstance(paths, PathsSettings) else None
        return chosen or self.data_dir / PEOPLE_FILE_NAME

    @property
    def sandbox_state_file(self) -> Path:
        """The embedded sandbox's carts, in its own 0700 folder (pos.netgiro.sandbox.server)."""
        return self.data_dir / "sandbox" / "sandbox.sqlite3"

    @property
    def is_embedded_sandbox(self) -> bool:
        return self.netgiro.base_url is None

    @property
    def sandbox_mode(self) -> bool:
        """A sandbox (embedded or on loopback) or a public test application.

        Only then are Netgíró's test kennitölur accepted.
        """
        base_url = self.netgiro.base_url
        if base_url is None or is_loopback(urlsplit(base_url).hostname or ""):
            return True
        return is_test_app_key(self.netgiro.app_key)
