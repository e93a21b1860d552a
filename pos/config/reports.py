"""``[reports]``: where each Z puts its journal backup and the CSV for the accountant."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pos.config.reader import Reader
from pos.config.section import Section

BACKUP_FOLDER_NAME = "z-backups"


@dataclass(frozen=True)
class ReportsSettings:
    backup_dir: Path | None = None
    """A folder for ``VACUUM INTO`` backups and CSVs; None: ``z-backups`` in the data dir.
    Best on another disk (a USB stick, a network share) than the journal."""

    def backup_folder(self, data_dir: Path) -> Path:
        return self.backup_dir or data_dir / BACKUP_FOLDER_NAME


def parse_reports(reader: Reader) -> ReportsSettings:
    return ReportsSettings(reader.path("backup_dir"))


SECTION = Section("reports", parse_reports, role="feature")
