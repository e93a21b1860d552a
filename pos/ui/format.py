"""Numbers as the screen shows them: Icelandic grouping with dots, quantities with a comma."""

from __future__ import annotations

MILLI = 1000


def grouped(amount: int) -> str:
    """``2137`` → ``2.137``; ``-500`` → ``-500``."""
    return f"{amount:,}".replace(",", ".")


def quantity(quantity_milli: int) -> str:
    """``2000`` → ``2``; ``1500`` → ``1,5``; ``250`` → ``0,25``."""
    whole, rest = divmod(quantity_milli, MILLI)
    if not rest:
        return str(whole)
    return f"{whole},{rest:03d}".rstrip("0")
