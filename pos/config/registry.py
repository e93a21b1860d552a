"""Every config section the till knows, in the order problems are reported.

To add a section: write ``pos/config/<name>.py`` with a settings dataclass, a
``parse_<name>(reader: Reader) -> <Name>Settings`` that reads every key, and
``SECTION = Section("<name>", parse_<name>, role="feature")``; then add it to ``SECTIONS`` below.
Read it with ``settings.get(<name>.SECTION)``.
"""

from __future__ import annotations

from typing import Any

from pos.config import (
    keymap,
    language,
    netgiro,
    paths,
    printer,
    receipt,
    register,
    reports,
    scanner,
    store,
    till,
    timing,
)
from pos.config.section import Section

SECTIONS: tuple[Section[Any], ...] = (
    register.SECTION,
    netgiro.SECTION,
    timing.SECTION,
    paths.SECTION,
    store.SECTION,
    printer.SECTION,
    scanner.SECTION,
    receipt.SECTION,
    reports.SECTION,
    *till.SECTIONS,
    keymap.SECTION,
    language.SECTION,
)


def section_named(name: str) -> Section[Any] | None:
    for section in SECTIONS:
        if section.name == name:
            return section
    return None
