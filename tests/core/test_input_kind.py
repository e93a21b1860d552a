"""The input line: content decides amount, code or quantity; timing is only a hint."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.input_kind import InputKind, classify_input, looks_scanned

digits = st.text(alphabet="0123456789", min_size=1, max_size=30)
stamps = st.lists(st.floats(0, 10, allow_nan=False), max_size=40)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("990", InputKind.AMOUNT, 990),
        ("1.990", InputKind.AMOUNT, 1990),
        ("1 990 kr.", InputKind.AMOUNT, 1990),
        ("1234567", InputKind.AMOUNT, 1234567),
        ("12345678", InputKind.CODE, "12345678"),
        ("5690010000012", InputKind.CODE, "5690010000012"),
        ("", InputKind.EMPTY, None),
        ("   ", InputKind.EMPTY, None),
        ("abc", InputKind.INVALID, None),
        ("19,90", InputKind.INVALID, None),
        ("0", InputKind.INVALID, None),
        ("12.345.678", InputKind.INVALID, None),  # grouped: an amount, and too large
    ],
)
def test_content_decides(text: str, kind: InputKind, value: object) -> None:
    found = classify_input(text)
    assert found.kind is kind
    if kind is InputKind.AMOUNT:
        assert found.amount == value
    if kind is InputKind.CODE:
        assert found.code == value
    if kind is InputKind.INVALID:
        assert found.message


@pytest.mark.parametrize(
    ("text", "milli", "kind"),
    [
        ("3*", 3000, InputKind.QUANTITY),
        ("3 *", 3000, InputKind.QUANTITY),
        ("0,5*", 500, InputKind.QUANTITY),
        ("1,250×", 1250, InputKind.QUANTITY),
        ("3*5690010000012", 3000, InputKind.CODE),
        ("2*990", 2000, InputKind.AMOUNT),
    ],
)
def test_a_quantity_prefix(text: str, milli: int, kind: InputKind) -> None:
    found = classify_input(text)
    assert (found.kind, found.quantity_milli) == (kind, milli)


@pytest.mark.parametrize("text", ["0*", "1000*", "*", "3*abc"])
def test_bad_quantities_are_refused(text: str) -> None:
    assert classify_input(text).kind is InputKind.INVALID


@given(st.text(alphabet="0123456789", min_size=8, max_size=20), stamps)
def test_eight_or_more_digits_are_always_a_code_never_an_amount(
    code: str, times: list[float]
) -> None:
    found = classify_input(code, times[: len(code)])
    assert found.kind is InputKind.CODE
    assert found.amount is None


@given(digits, stamps, stamps)
def test_timing_never_changes_what_the_input_means(
    text: str, one: list[float], other: list[float]
) -> None:
    first = classify_input(text, sorted(one)[: len(text)])
    second = classify_input(text, sorted(other)[: len(text)])
    assert (first.kind, first.amount, first.code, first.quantity_milli) == (
        second.kind,
        second.amount,
        second.code,
        second.quantity_milli,
    )


@given(st.text(max_size=40), stamps)
def test_any_input_is_classified_without_raising(text: str, times: list[float]) -> None:
    found = classify_input(text, times)
    assert found.kind in InputKind
    assert (found.kind is InputKind.INVALID) == bool(found.message)


@given(st.integers(1, 999), st.text(alphabet="0123456789", min_size=8, max_size=14))
def test_quantity_then_code(count: int, code: str) -> None:
    found = classify_input(f"{count}*{code}")
    assert (found.kind, found.code, found.quantity_milli) == (InputKind.CODE, code, count * 1000)


def test_scanner_speed_and_one_terminal_read_are_scans() -> None:
    code = "5690010000012"
    assert looks_scanned(code, [0.01 * i for i in range(len(code))])
    assert looks_scanned(code, [5.0] * len(code))  # one read: a shared timestamp
    assert not looks_scanned(code, [0.12 * i for i in range(len(code))])  # a person typing
    assert not looks_scanned(code, [])  # no times: no hint
    assert not looks_scanned("12", [0.0, 0.0])  # too short to tell
    assert classify_input(code, [5.0] * len(code)).scanned


def test_a_slow_scan_is_still_a_code_and_a_fast_amount_still_an_amount() -> None:
    slow = "5690010000012"
    assert classify_input(slow, [0.3 * i for i in range(len(slow))]).kind is InputKind.CODE
    fast = "1990"
    assert classify_input(fast, [0.0] * 4).kind is InputKind.AMOUNT
