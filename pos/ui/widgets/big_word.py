"""A word in large, spaced capitals in a heavy box: GREITT must be unmistakable without colour."""

from __future__ import annotations

from textual.widgets import Static


class BigWord(Static):
    """Shows one short phrase spaced out (``G R E I T T``), bold, boxed, centred."""

    DEFAULT_CSS = """
    BigWord {
        height: 5; width: 1fr; border: heavy $foreground; text-style: bold;
        content-align: center middle; text-align: center;
    }
    """

    def update(self, content: object = "") -> None:  # type: ignore[override]
        text = str(content)
        spaced = text if len(text) > 20 else " ".join(text)
        super().update(spaced)
