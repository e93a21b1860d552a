"""``[paths]``: where the register keeps its journal, log and sandbox state."""

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


@dataclass(frozen=True)
class PathsSettings:
    data_dir: Path


def parse_paths(reader: Reader) -> PathsSettings:
    return PathsSettings(data_dir=reader.path("data_dir") or default_data_dir())


SECTION = Section("paths", parse_paths, role="paths")
