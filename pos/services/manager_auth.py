"""Manager mode and cashier sign-in: PINs checked, failures counted durably, everything audited.

Where the failure count lives: in the journal's audit log, not the people file. Every sign-in,
failure, lock, refusal and unlock is an audit row anyway (issue 19), so the count is folded
from those rows (``pos.core.people.fold_sign_ins``): it survives a restart with nothing more to
write, it is committed with the journal's ``synchronous=FULL`` durability, and it is
tamper-evident: deleting failures to lift a lock breaks the hash chain. The people file stays
a file written only with the till closed (``pos manager add``), never by the open till.

For ``auth.*`` rows the audit actor is the person signing in (``manager:Anna``), so a failure
counts against the one person named at the prompt; an unlock names who unlocked in its details.
A name nobody has is audited as ``unknown:<name>`` and counts against nobody.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pos.core.errors import PosError
from pos.core.people import (
    LOCK_AFTER_FAILURES,
    Lockout,
    Role,
    SignInEvent,
    fold_sign_ins,
    idle_expired,
    minutes_left,
)
from pos.journal import Journal
from pos.journal.audit import AuditEntry, append_audit, chain_settlements, entries, last_seq
from pos.people import PeopleFile, Person, hash_pin, pin_matches

ENTERED, SIGNED_IN, FAILED = "auth.entered", "auth.signed_in", "auth.pin_failed"
LOCKED, REFUSED_LOCKED, UNLOCKED = "auth.locked", "auth.refused_locked", "auth.unlocked"
LEFT, IDLE_EXIT, NOT_A_MANAGER = "auth.left", "auth.idle_exit", "auth.not_a_manager"
LOCK_WITHHELD = "auth.lock_withheld"
_SUCCESS_OF: dict[str, SignInEvent] = {
    ENTERED: "success",
    SIGNED_IN: "success",
    UNLOCKED: "unlock",
    LOCK_WITHHELD: "unlock",  # the count starts again; the till slows the next tries instead
}
SLOW_DOWN_STEP_S, SLOW_DOWN_MAX_S = 30, 300
_UNKNOWN_NAME_LENGTH = 40


class PinRejected(PosError):
    """Wrong name or PIN; the message says how many tries are left.

    ``slow_down_s``: how long the till waits before it takes the next try for this person
    (the last manager who can enter is never locked: guessing is slowed instead)."""

    title = "PIN"

    def __init__(self, message: str, slow_down_s: int = 0) -> None:
        super().__init__(message)
        self.slow_down_s = slow_down_s


class PersonLocked(PosError):
    """Ten wrong PINs in a row: this person is locked for 30 minutes."""

    title = "Locked"


class ManagerModeEnded(PosError):
    """Manager mode ended (left, or 15 minutes idle): enter it again with a PIN."""

    title = "Manager mode"


class NeedsManager(PosError):
    """The action needs manager mode, and this session is not a manager's."""

    title = "Needs manager mode"


@dataclass
class Session:
    """One person signed in: a manager in manager mode, or a cashier's shift."""

    person: Person
    started_at: datetime
    last_action_at: datetime
    ended: bool = False

    @property
    def actor(self) -> str:
        return self.person.actor


def _utc_now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def _decoy_hash() -> str:
    """Checked for a name nobody has, so a wrong name costs the same time as a wrong PIN."""
    return hash_pin("0000000000")


class ManagerAuth:
    """Signs people in against the people file; audits into the journal."""

    def __init__(
        self,
        people: PeopleFile,
        journal: Journal,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.people = people
        self.journal = journal
        self.clock = clock

    # --- signing in ------------------------------------------------------------------------

    def enter_manager_mode(self, name: str, pin: str) -> Session:
        return self._sign_in(name, pin, "manager")

    def sign_in_cashier(self, name: str, pin: str) -> Session:
        """A cashier's shift; a manager may sign in as the cashier too."""
        return self._sign_in(name, pin, "cashier")

    def _sign_in(self, name: str, pin: str, role: Role) -> Session:
        if not pin.strip():  # Enter pressed by mistake: asked again, no try counted
            raise PinRejected("Enter the PIN (nothing was typed).")
        now = self.clock()
        person = self.people.find(name)
        if person is None and not any(p.role == "manager" for p in self.people.people()):
            raise PinRejected(
                f"There is no manager in {self.people.path} yet: close the till and add one "
                "with `pos manager add NAME`."
            )
        if person is None:
            pin_matches(pin, _decoy_hash())
            self._audit(_unknown_actor(name), FAILED, {"as": role}, now)
            raise PinRejected("Wrong name or PIN.")
        if role == "manager" and person.role != "manager":
            self._audit(person.actor, NOT_A_MANAGER, {}, now)
            raise PinRejected(f"{person.name} is not a manager: ask a manager to enter.")
        lockout = self.lockout(person, now)
        if lockout.locked_at(now) and lockout.locked_until is not None:
            self._audit(person.actor, REFUSED_LOCKED, {"as": role}, now)
            raise PersonLocked(_locked_message(person, lockout.locked_until, now))
        if not pin_matches(pin, person.pin_hash):
            return self._failed(person, role, lockout, now)
        self._audit(person.actor, ENTERED if role == "manager" else SIGNED_IN, {}, now)
        if role == "manager":
            chain_settlements(self.journal)  # heals a crash between a settlement and its copy
        return Session(person, now, now)

    def _failed(self, person: Person, role: Role, before: Lockout, now: datetime) -> Session:
        self._audit(person.actor, FAILED, {"as": role, "failures": before.failures + 1}, now)
        after = self.lockout(person, now)
        withheld = self._withheld_locks(person)
        if after.locked_until is not None and after.locked_at(now):
            if self._last_manager_standing(person, now):
                return self._withhold_lock(person, role, withheld + 1, now)
            self._audit(
                person.actor, LOCKED, {"until": after.locked_until.isoformat(), "as": role}, now
            )
            raise PersonLocked(_locked_message(person, after.locked_until, now))
        raise PinRejected(
            f"Wrong PIN. {after.tries_left()} tries left before {person.name} is locked for "
            "30 minutes.",
            _slow_down_s(withheld),
        )

    def _last_manager_standing(self, person: Person, now: datetime) -> bool:
        """Locking ``person`` would leave no manager able to enter (issue 19: a cashier cannot
        lock out every manager by naming each in turn)."""
        if person.role != "manager":
            return False
        others = [p for p in self.people.people() if p.role == "manager" and p != person]
        return all(self.lockout(other, now).locked_at(now) for other in others)

    def _withhold_lock(self, person: Person, role: Role, withheld: int, now: datetime) -> Session:
        """The tenth failure of the last manager who can enter: no lock, a slower till instead."""
        wait = _slow_down_s(withheld)
        details = {"as": role, "why": "the last manager who can enter", "slow_down_s": wait}
        self._audit(person.actor, LOCK_WITHHELD, details, now)
        raise PinRejected(
            f"Wrong PIN. {person.name} is the last manager who can enter, so is not locked: the "
            f"till waits {wait} seconds before the next try.",
            wait,
        )

    def _withheld_locks(self, person: Person) -> int:
        """Locks withheld from this person since their last real success or unlock."""
        since = last_seq(self.journal, actor=person.actor, actions=[ENTERED, SIGNED_IN, UNLOCKED])
        return len(
            entries(self.journal, actor=person.actor, actions=[LOCK_WITHHELD], after_seq=since)
        )

    def lockout(self, person: Person, now: datetime) -> Lockout:
        """This person's failures since their last success, folded from the audit log."""
        since = last_seq(self.journal, actor=person.actor, actions=list(_SUCCESS_OF))
        rows = entries(
            self.journal,
            actor=person.actor,
            actions=[FAILED, *_SUCCESS_OF],
            after_seq=max(0, since - 1),
        )
        events = [
            (datetime.fromisoformat(row.at), _SUCCESS_OF.get(row.action, "failure")) for row in rows
        ]
        return fold_sign_ins(events, now)

    def unlock(self, by: Session, name: str) -> None:
        """A manager lifts another person's lock (audited under the locked person's name)."""
        self.require_manager(by)
        person = self.people.find(name)
        if person is None:
            raise PinRejected(f"Nobody called {name} is in the people file.")
        self._audit(person.actor, UNLOCKED, {"by": by.actor}, self.clock())

    # --- while signed in -------------------------------------------------------------------

    def require_manager(self, session: Session) -> None:
        """Refuse unless ``session`` is a live manager session; each check is one more action."""
        if session.person.role != "manager":
            raise NeedsManager(f"{session.person.name} is not a manager: this needs manager mode.")
        self.touch(session)

    def touch(self, session: Session) -> None:
        now = self.clock()
        if session.ended:
            raise ManagerModeEnded(f"{session.person.name} has signed out: enter your PIN again.")
        if idle_expired(session.last_action_at, now):
            session.ended = True
            self._audit(session.actor, IDLE_EXIT, {"idle_minutes": 15}, now)
            raise ManagerModeEnded(
                "Manager mode ended after 15 minutes without use; enter your PIN again."
            )
        session.last_action_at = now

    def end_if_idle(self, session: Session) -> bool:
        """For the till's timer: end an idle session (audited); True if it ended now."""
        if session.ended or not idle_expired(session.last_action_at, self.clock()):
            return False
        try:
            self.touch(session)
        except ManagerModeEnded:
            return True
        return False

    def record(self, session: Session, action: str, details: Mapping[str, Any]) -> AuditEntry:
        """Audit one manager action (a refund, a settlement, a reprint…) by this session."""
        self.require_manager(session)
        return self._audit(session.actor, action, details, session.last_action_at)

    def leave(self, session: Session) -> None:
        if not session.ended:
            session.ended = True
            self._audit(session.actor, LEFT, {}, self.clock())

    def _audit(
        self, actor: str, action: str, details: Mapping[str, Any], now: datetime
    ) -> AuditEntry:
        return append_audit(self.journal, actor, action, details, at=now)


def _slow_down_s(withheld: int) -> int:
    """30 s after the first withheld lock, 60 s after the second, … at most 5 minutes."""
    return min(SLOW_DOWN_STEP_S * withheld, SLOW_DOWN_MAX_S)


def _unknown_actor(name: str) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in name.strip())
    return f"unknown:{shown[:_UNKNOWN_NAME_LENGTH]}"


def _locked_message(person: Person, until: datetime, now: datetime) -> str:
    return (
        f"{person.name} is locked for {minutes_left(until, now)} more minutes after "
        f"{LOCK_AFTER_FAILURES} wrong PINs in a row. Another manager can unlock, or wait."
    )
