"""People rules: PIN policy, names, lockout arithmetic and the idle limit, with time as values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pos.core.errors import InputError
from pos.core.people import (
    Lockout,
    SignInEvent,
    check_name,
    check_pin,
    fold_sign_ins,
    idle_expired,
    minutes_left,
    same_name,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("role", "pin"),
    [("manager", "480263"), ("manager", "480263917305"), ("cashier", "4826"), ("cashier", "48261")],
)
def test_pins_that_keep_the_rules(role: str, pin: str) -> None:
    check_pin(role, pin)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "pin", "said"),
    [
        ("manager", "48263", "at least 6 digits"),
        ("cashier", "482", "at least 4 digits"),
        ("manager", "4802631", None),
        ("manager", "48 2631", "digits only"),
        ("manager", "48263¹", "digits only"),
        ("manager", "٤٨٢٦٣١", "digits only"),  # Arabic-Indic digits pass str.isdigit()
        ("manager", "4802639173051", "at most 12"),
        ("manager", "111111", "too easy"),
        ("manager", "123456", "too easy"),
        ("cashier", "9876", "too easy"),
        ("cashier", "", "digits only"),
    ],
)
def test_pins_refused_with_a_reason(role: str, pin: str, said: str | None) -> None:
    if said is None:
        check_pin(role, pin)  # type: ignore[arg-type]
        return
    with pytest.raises(InputError, match=said):
        check_pin(role, pin)  # type: ignore[arg-type]


def test_names_are_trimmed_and_checked() -> None:
    assert check_name("  Anna Jónsdóttir ") == "Anna Jónsdóttir"
    for bad in ["", "   ", "a" * 41, "Anna:manager", "An\nna", "Anna\u202e", "An\x1bna"]:
        with pytest.raises(InputError):
            check_name(bad)
    assert same_name("Anna", " ANNA ")
    assert not same_name("Anna", "Anne")


def events(*pairs: tuple[float, SignInEvent]) -> list[tuple[datetime, SignInEvent]]:
    return [(at(m), kind) for m, kind in pairs]


def test_nine_failures_do_not_lock_the_tenth_does_for_thirty_minutes() -> None:
    nine = events(*[(i, "failure") for i in range(9)])
    assert fold_sign_ins(nine, at(10)) == Lockout(failures=9)
    assert fold_sign_ins(nine, at(10)).tries_left() == 1
    ten = events(*[(i, "failure") for i in range(10)])
    locked = fold_sign_ins(ten, at(10))
    assert locked.locked_until == at(9 + 30)
    assert locked.locked_at(at(38.9))
    assert not locked.locked_at(at(39))
    assert minutes_left(at(39), at(10)) == 29
    assert minutes_left(at(39), at(38.5)) == 1


def test_the_lock_ends_after_thirty_minutes_and_the_count_starts_again() -> None:
    ten = events(*[(i, "failure") for i in range(10)])
    assert fold_sign_ins(ten, at(39)) == Lockout()
    later = [*ten, *events((40, "failure"))]
    assert fold_sign_ins(later, at(41)) == Lockout(failures=1)


def test_failures_while_locked_are_not_counted_and_do_not_extend_the_lock() -> None:
    ten = events(*[(i, "failure") for i in range(10)])
    while_locked = [*ten, *events(*[(20 + i, "failure") for i in range(15)])]
    assert fold_sign_ins(while_locked, at(36)).locked_until == at(39)


def test_a_success_or_an_unlock_clears_the_count_and_the_lock() -> None:
    assert fold_sign_ins(events((0, "failure"), (1, "failure"), (2, "success")), at(3)) == Lockout()
    ten = events(*[(i, "failure") for i in range(10)])
    assert fold_sign_ins([*ten, *events((12, "unlock"))], at(13)) == Lockout()
    mixed = events(*[(i, "failure") for i in range(9)], (9, "success"), (10, "failure"))
    assert fold_sign_ins(mixed, at(11)) == Lockout(failures=1)


def test_idle_exit_after_fifteen_minutes() -> None:
    assert not idle_expired(at(0), at(14.99))
    assert idle_expired(at(0), at(15))
