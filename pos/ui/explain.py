"""An error in the screen's language: known kinds by catalog key, others with their own words."""

from __future__ import annotations

from pos.core.errors import PosError
from pos.ui.text import Messages


def explain(say: Messages, error: PosError, *, text: str = "") -> str:
    """``error.<ClassName>`` from the catalog when it has one; else the error's own message."""
    key = f"error.{type(error).__name__}"
    if key in say:
        return say(key, text=text, detail=error.message)
    return say("error.other", detail=error.message)
