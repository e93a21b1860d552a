"""The screen's config sections, parsed purely: ``[ui]`` (language) and ``[keymap]``.

Errors here never block the till: each problem is returned as a line for a banner, and the
setting falls back to its default (TILL-CONTRACTS: Config sections).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pos.core.keymap import Keymap, parse_keymap_section

LANGUAGES = ("is", "en")
UI_KEYS = ("language",)


@dataclass(frozen=True)
class UiSettings:
    """How the till screen speaks and which keys it answers to."""

    language: str = "is"
    """``is`` (default) or ``en``."""
    keymap: Keymap = field(default_factory=Keymap)
    """Remapped action keys by binding id (``[keymap]``)."""


def parse_ui_sections(data: Mapping[str, object]) -> tuple[UiSettings, list[str]]:
    """``[ui]`` and ``[keymap]`` of a whole config document; never raises."""
    problems: list[str] = []
    ui = _table(data, "ui", problems)
    for key in ui:
        if key not in UI_KEYS:
            problems.append(f"ui.{key}: no such setting; known: {', '.join(UI_KEYS)}")
    language = ui.get("language", "is")
    if language not in LANGUAGES:
        problems.append(f"ui.language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        language = "is"
    keymap, keymap_problems = parse_keymap_section(_table(data, "keymap", problems))
    problems.extend(keymap_problems)
    return UiSettings(str(language), keymap), problems


def _table(data: Mapping[str, object], name: str, problems: list[str]) -> Mapping[str, object]:
    table = data.get(name, {})
    if isinstance(table, Mapping):
        return table
    problems.append(f"{name} must be a table: write [{name}] on a line of its own")
    return {}
