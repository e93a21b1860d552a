"""How the till screen speaks and which keys it answers to (read from ``language`` and ``[keymap]``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pos.core.keymap import Keymap

LANGUAGES = ("is", "en")


@dataclass(frozen=True)
class UiSettings:
    """The screen's language and its remapped action keys."""

    language: str = "is"
    """``is`` (default) or ``en``."""
    keymap: Keymap = field(default_factory=Keymap)
    """Remapped action keys by binding id (``[keymap]``)."""
