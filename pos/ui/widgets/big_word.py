"""A result word in large block letters in a heavy box: GREITT must be unmistakable without colour.

Words whose letters the block font has (the result words, Icelandic and English) are drawn three
rows high, with the plain word on the box's border too; longer phrases stay plain and bold.
"""

from __future__ import annotations

from textual.widgets import Static

# Three rows a letter, drawn with half and full blocks.
BLOCK_LETTERS: dict[str, tuple[str, str, str]] = {
    "A": ("▄▀▄", "█▀█", "▀ ▀"),
    "C": ("█▀▀", "█  ", "▀▀▀"),
    "D": ("█▀▄", "█ █", "▀▀ "),
    "E": ("█▀▀", "█▀ ", "▀▀▀"),
    "F": ("█▀▀", "█▀ ", "▀  "),
    "G": ("█▀▀", "█ █", "▀▀▀"),
    "H": ("█ █", "█▀█", "▀ ▀"),
    "I": ("▀█▀", " █ ", "▀▀▀"),
    "K": ("█ █", "█▀▄", "▀ ▀"),
    "L": ("█  ", "█  ", "▀▀▀"),
    "N": ("█▄ █", "█ ▀█", "▀  ▀"),
    "O": ("█▀█", "█ █", "▀▀▀"),
    "P": ("█▀█", "█▀▀", "▀  "),
    "R": ("█▀█", "█▀▄", "▀ ▀"),
    "T": ("▀█▀", " █ ", " ▀ "),
    "V": ("█ █", "█ █", " ▀ "),
    "Ð": ("█▀▄", "╪ █", "▀▀ "),
    "Æ": ("▄▀█▀▀", "█▀█▀ ", "▀ ▀▀▀"),
    " ": ("  ", "  ", "  "),
}
ROWS = 3


def block_text(word: str) -> str | None:
    """``word`` in block letters (three lines), or None if the font lacks a letter."""
    if not word or any(letter not in BLOCK_LETTERS for letter in word):
        return None
    rows = [" ".join(BLOCK_LETTERS[letter][row] for letter in word) for row in range(ROWS)]
    return "\n".join(rows)


class BigWord(Static):
    """Shows one short word large (block letters when it can), bold, boxed and centred."""

    DEFAULT_CSS = """
    BigWord {
        height: 5; width: 1fr; border: heavy $foreground; text-style: bold;
        content-align: center middle; text-align: center; border-title-align: center;
    }
    """

    def update(self, content: object = "") -> None:  # type: ignore[override]
        word = str(content)
        drawn = block_text(word)
        self.border_title = word if drawn else ""
        super().update(drawn if drawn else word)
