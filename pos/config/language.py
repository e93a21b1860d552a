"""``language``: the till screen's words, ``is`` (default) or ``en`` (a top-level key)."""

from __future__ import annotations

from pos.config.reader import Reader
from pos.config.section import Section
from pos.core.ui_settings import LANGUAGES


def parse_language(reader: Reader) -> str:
    return reader.choice("language", LANGUAGES, "is")


SECTION = Section("language", parse_language, role="feature", scalar=True)
