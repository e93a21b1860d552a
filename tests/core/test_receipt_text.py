"""Receipt text: ``for_paper`` (what reaches the printer) and wrapping; their fast paths for plain
short text must change nothing (benchmarks/receipt.py made them cheaper)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pos.core.receipt_layout import for_paper


def slow_for_paper(text: str) -> str:
    return "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)


def test_controls_bidi_marks_and_unassigned_characters_become_spaces() -> None:
    assert for_paper("a\x1b@b\u202ec\u0378d\te") == "a @b c d e"


def test_icelandic_letters_and_separators_stay() -> None:
    text = "Þórður & Ævar ehf.\u00a0– 1.990 kr.\u2028"
    assert for_paper(text) == text


@given(st.text())
def test_same_as_one_character_at_a_time(text: str) -> None:
    assert for_paper(text) == slow_for_paper(text)


@given(st.text(max_size=60), st.integers(min_value=1, max_value=48))
def test_wrapping_is_textwraps_for_any_text(text: str, width: int) -> None:
    import textwrap

    from pos.core.receipt_layout import _wrap

    assert _wrap(text, width) == textwrap.wrap(text, width)
