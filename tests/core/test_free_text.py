"""``safe_text``: Netgíró's free text escaped, masked and capped (issue 14 item 6, issue 15 item 12)."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.core.free_text import SEPARATORS, safe_text


def test_the_separator_list_is_every_unicode_dash_and_space() -> None:
    from_database = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Pd", "Zs")
    }
    assert from_database | {"\u2212"} == set(SEPARATORS)


def test_netgiros_messages_lose_the_customer_id() -> None:
    assert safe_text("Viðskiptavinur 111111-1119 er ekki til") == (
        "Viðskiptavinur ******-1119 er ekki til"
    )
    assert safe_text("Hringdu í +354 822 3281") == "Hringdu í ***-**81"
    assert safe_text("sími 00354-822-32-81.") == "sími ***-**81."
    assert safe_text("kt.\u00a0111111\u20111119") == "kt. ******-1119"
    assert safe_text("８２２３２８１") == "***-**81"  # full-width digits: NFKC first


def test_a_lone_surrogate_and_controls_are_escaped_and_encodable() -> None:
    text = safe_text("bad \ud800 \x1b[2J\rPaid\u202e \x85 x\\y")
    text.encode("utf-8")
    assert text == "bad \\ud800 \\x1b[2J\\x0dPaid\\u202e \\x85 x\\y"


def test_the_text_is_capped_without_cutting_an_escape() -> None:
    assert safe_text("a" * 300) == "a" * 199 + "⋯"
    capped = safe_text("a" * 197 + "\x1b" * 5)
    assert capped == "a" * 197 + "⋯"
    assert len(safe_text("x" * 50, limit=10)) == 10


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzðþæöáéíóúý ,.!?:", max_size=30)
SEP = st.sampled_from(["", " ", "-", "\u00a0", "\u202f", "\u2011", "\u2013", "\u2212", "\u3000"])
DIGIT = st.sampled_from("0123456789")


@st.composite
def kennitala_form(draw: st.DrawFn) -> str:
    digits = "".join(draw(st.lists(DIGIT, min_size=10, max_size=10)))
    return digits[:6] + draw(SEP) + digits[6:]


@st.composite
def phone_form(draw: st.DrawFn) -> str:
    digits = "".join(draw(st.lists(DIGIT, min_size=7, max_size=7)))
    prefix = draw(st.sampled_from(["", "+354", "00354"]))
    prefix += draw(SEP) if prefix else ""
    if draw(st.booleans()):
        return prefix + digits[:3] + draw(SEP) + digits[3:]
    return prefix + digits[:3] + draw(SEP) + digits[3:5] + draw(SEP) + digits[5:]


def around(words: str) -> str:
    """Random words never touch the number with a letter or digit."""
    return words if not words or not words[-1].isalnum() else words + " "


@settings(max_examples=400, deadline=None, derandomize=True)
@given(before=WORDS, number=kennitala_form(), after=WORDS)
def test_any_kennitala_form_keeps_at_most_four_digits(before: str, number: str, after: str) -> None:
    shown = safe_text(around(before) + number + " " + after, limit=1000)
    assert sum(char.isdigit() for char in shown) <= 4


@settings(max_examples=400, deadline=None, derandomize=True)
@given(before=WORDS, number=phone_form(), after=WORDS)
def test_any_phone_form_keeps_at_most_two_digits(before: str, number: str, after: str) -> None:
    shown = safe_text(around(before) + number + " " + after, limit=1000)
    assert sum(char.isdigit() for char in shown) <= 2


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    kept=st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).upper()),
        st.integers(1, 999).map(lambda n: f"{n}.500.000"),
        st.integers(1, 999).map(lambda n: f"{n} 500 000"),
        st.dates().map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
    ),
    before=WORDS,
)
def test_guids_amounts_and_dates_pass_unchanged(kept: str, before: str) -> None:
    text = around(before) + kept
    assert safe_text(text, limit=1000) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_any_text_comes_out_encodable_short_and_free_of_controls(text: str) -> None:
    shown = safe_text(text)
    shown.encode("utf-8")
    assert len(shown) <= 200
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in shown)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(), st.integers(1, 300))
def test_applying_it_twice_changes_nothing(text: str, limit: int) -> None:
    once = safe_text(text, limit)
    assert safe_text(once, limit) == once
