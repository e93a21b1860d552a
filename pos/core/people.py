"""Who may do what at the till: PIN rules, lockout arithmetic and the manager-mode idle limit.

Pure rules; the clock is passed in. A person's sign-in history is folded into a lockout state:
every failure counts against the one person named at the prompt, so a cashier typing wrong
PINs can lock that cashier, or the one manager they named, but never every manager at once
(there is no shared counter). A name nobody has counts against nobody.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pos.core.errors import InputError

Role = Literal["manager", "cashier"]
ROLES: tuple[Role, ...] = ("manager", "cashier")
MIN_PIN_DIGITS: dict[Role, int] = {"manager": 6, "cashier": 4}
MAX_PIN_DIGITS = 12
MAX_NAME_LENGTH = 40
LOCK_AFTER_FAILURES = 10
LOCK_FOR = timedelta(minutes=30)
IDLE_LIMIT = timedelta(minutes=15)

SignInEvent = Literal["failure", "success", "unlock"]


def check_pin(role: Role, pin: str) -> None:
    """Refuse a PIN too short, too long, not all ASCII digits, or one digit repeated."""
    shortest = MIN_PIN_DIGITS[role]
    if not (pin.isascii() and pin.isdigit()):
        raise InputError(f"A PIN is digits only (0-9); a {role}'s has at least {shortest}.")
    if len(pin) < shortest:
        raise InputError(f"A {role}'s PIN has at least {shortest} digits; this one has {len(pin)}.")
    if len(pin) > MAX_PIN_DIGITS:
        raise InputError(f"A PIN has at most {MAX_PIN_DIGITS} digits.")
    if len(set(pin)) == 1 or pin in "01234567890" or pin in "09876543210":
        raise InputError(
            "That PIN is too easy to guess (one digit repeated, or a run): pick another."
        )


def check_name(name: str) -> str:
    """The name as stored: trimmed, 1-40 printable characters, no ``:`` (it joins the audit actor)."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InputError(f"A name has 1 to {MAX_NAME_LENGTH} characters.")
    if ":" in cleaned or any(_unprintable(ch) for ch in cleaned):
        raise InputError("A name holds letters, digits, spaces and punctuation, but no ':'.")
    return cleaned


def _unprintable(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def same_name(a: str, b: str) -> bool:
    """Names are one person whatever their case: 'Anna' and 'ANNA' cannot both sign in."""
    return a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class Lockout:
    """Where one person's sign-ins stand: failures since the last success, and any lock."""

    failures: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def tries_left(self) -> int:
        return LOCK_AFTER_FAILURES - self.failures


def fold_sign_ins(events: Iterable[tuple[datetime, SignInEvent]], now: datetime) -> Lockout:
    """The lockout after these events (oldest first), as seen at ``now``.

    The tenth failure in a row locks for 30 minutes; when the lock ends the count starts
    again at zero. A success or a manager's unlock clears the count and any lock.
    """
    failures, locked_until = 0, None
    for at, event in events:
        if locked_until is not None and at >= locked_until:
            failures, locked_until = 0, None
        if event in ("success", "unlock"):
            failures, locked_until = 0, None
        elif locked_until is None:  # failures while locked are refused unchecked, not counted
            failures += 1
            if failures >= LOCK_AFTER_FAILURES:
                failures, locked_until = 0, at + LOCK_FOR
    if locked_until is not None and now >= locked_until:
        failures, locked_until = 0, None
    return Lockout(failures, locked_until)


def idle_expired(last_action: datetime, now: datetime) -> bool:
    """Manager mode ends after 15 minutes without an action."""
    return now - last_action >= IDLE_LIMIT


def minutes_left(until: datetime, now: datetime) -> int:
    """Whole minutes until ``until``, rounded up, for a message."""
    seconds = max(0.0, (until - now).total_seconds())
    return int(-(-seconds // 60))
