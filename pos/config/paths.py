"""``[paths]``: where the register keeps its journal, log, sandbox state and people file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from pos.config.reader import Reader
from pos.config.section import Section

DATA_DIR_ENV = "POS_DATA_DIR"


def default_data_dir() -> Path:
    """``$POS_DATA_DIR``, else the user data dir for ``pos-till``."""
    return Path(os.environ.get(DATA_DIR_ENV) or user_data_dir("pos-till", appauthor=False))


PEOPLE_FILE_NAME = "people.json"


@dataclass(frozen=True)
class PathsSettings:
    data_dir: Path
    people_file: Path | None = None
    """Managers, cashiers and their PIN hashes (0600), never in this file; None: data_dir's."""


def parse_paths(reader: Reader) -> PathsSettings:
    data_dir = reader.path("data_dir") or default_data_dir()
    people_file = reader.path("people_file")
    return PathsSettings(data_dir=data_dir, people_file=people_file or data_dir / PEOPLE_FILE_NAME)


SECTION = Section("paths", parse_paths, role="paths")
