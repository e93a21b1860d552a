"""Manager mode and cashier sign-in in the open till: the services the shell uses, for a screen.

Every decision goes through the same code as the shell commands (``pos recover --settle``,
``pos reservation confirm|release``): ``settling.settle_sale``, ``reservations.Reservations``
and ``ManagerAuth``, so the till and the shell cannot disagree about who may do what. Each
action checks the manager session first (which also ends it after 15 minutes idle) and is
audited. Refusals come back as ``SignInRefused`` with what a screen needs to say them in its
own words (how many tries are left, how long a lock lasts); nothing here imports Textual, and
every method runs on the app's event loop thread (the journal's connection is per thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pos.config.editing import KeyChange
from pos.config.reports import ReportsSettings
from pos.core.errors import InputError, PosError
from pos.core.people import Role, minutes_left
from pos.core.reservations import Decided
from pos.core.sale import Discount, DiscountLimit
from pos.journal import SaleRecord
from pos.journal import print_jobs as jobs_db
from pos.journal.print_jobs import QueuedJob
from pos.journal.store import Outcome
from pos.people import PeopleFile, PeopleFileError
from pos.services.manager_auth import (
    ManagerAuth,
    PersonLocked,
    PinRejected,
    Session,
)
from pos.services.manager_settings import NotACounterSetting, change_setting, is_counter_setting
from pos.services.reservations import Reservations
from pos.services.settling import settle_sale
from pos.services.status import Unsettled, unsettled_sales
from pos.services.till_manager_money import (
    CashKind,
    CounterNotEmpty,
    MoneyActions,
    Refunded,
)
from pos.services.till_session import TillSession

RefusalKind = Literal["wrong", "locked", "not_manager", "no_managers", "people_file"]
NO_LIMIT = DiscountLimit(percent=100, amount=10**12)
"""What a manager may approve: anything up to the whole line or sale."""

DISCOUNT_APPROVED = "discount.approved"


class SignInRefused(PosError):
    """A sign-in that did not succeed, with what the screen says about it."""

    title = "PIN"

    def __init__(
        self,
        message: str,
        kind: RefusalKind,
        *,
        tries_left: int | None = None,
        minutes: int | None = None,
        wait_s: int = 0,
    ) -> None:
        super().__init__(message)
        self.kind: RefusalKind = kind
        self.tries_left = tries_left
        self.minutes = minutes
        self.wait_s = wait_s
        """Seconds before the next try is taken (the last manager who can enter is slowed)."""


class NobodyCalled(InputError):
    """No one in the people file has that name."""

    title = "People file"

    def __init__(self, name: str) -> None:
        super().__init__(f"Nobody called {name} is in the people file.")
        self.name = name


class NoConfigFile(PosError):
    """Demo mode: no register config to write a setting to."""

    title = "Settings"


class NotInTheTill(NotACounterSetting):
    """A setting changed only with the till closed (``pos config set``)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"{key} is not changed in the till (only printer, scanner, netgiro.confirmation and "
            "timing.deadline_s are): close the till and use `pos config set`."
        )
        self.key = key


class NoSuchReceipt(InputError):
    """No receipt has that number."""

    title = "Receipt"

    def __init__(self, number: int) -> None:
        super().__init__(f"No receipt has the number {number}.")
        self.number = number


@dataclass(frozen=True)
class Reprinted:
    """A manager's AFRIT was queued; the till's print run prints it."""

    receipt_no: int
    job: QueuedJob


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TillManager(MoneyActions):
    """Sign-in and the manager's actions for one open till session."""

    def __init__(
        self,
        session: TillSession,
        people: PeopleFile,
        *,
        clock: Callable[[], datetime] = _utc_now,
        config_file: Path | None = None,
        backup_dir: Path | None = None,
    ) -> None:
        self.session = session
        self.people = people
        self.config_file = config_file
        data_dir = session.till.settings.data_dir
        self.backup_dir = backup_dir or ReportsSettings().backup_folder(data_dir)
        self.journal = session.till.journal
        self.auth = ManagerAuth(people, self.journal, clock=clock)
        self.reservations = Reservations(self.journal, session.till.client, self.auth)

    # --- who is at the till ------------------------------------------------------------------

    def cashiers_configured(self) -> bool:
        """Sign-in is asked at shift start only when the people file names a cashier."""
        return any(person.role == "cashier" for person in self.people.people())

    def sign_in_cashier(self, name: str, pin: str) -> Session:
        return self._sign_in(name, pin, "cashier")

    def enter_manager_mode(self, name: str, pin: str) -> Session:
        return self._sign_in(name, pin, "manager")

    def _sign_in(self, name: str, pin: str, role: Role) -> Session:
        try:
            if role == "manager":
                return self.auth.enter_manager_mode(name, pin)
            return self.auth.sign_in_cashier(name, pin)
        except PersonLocked as exc:
            raise SignInRefused(exc.message, "locked", minutes=self._minutes_locked(name)) from exc
        except PinRejected as exc:
            kind = self._why_rejected(name, role)
            tries = self._tries_left(name) if kind == "wrong" else None
            wait = exc.slow_down_s
            raise SignInRefused(exc.message, kind, tries_left=tries, wait_s=wait) from exc
        except PeopleFileError as exc:
            raise SignInRefused(exc.message, "people_file") from exc

    def _why_rejected(self, name: str, role: Role) -> RefusalKind:
        person = self.people.find(name)
        if person is None and not any(p.role == "manager" for p in self.people.people()):
            return "no_managers"
        if role == "manager" and person is not None and person.role != "manager":
            return "not_manager"
        return "wrong"

    def _tries_left(self, name: str) -> int | None:
        person = self.people.find(name)
        if person is None:
            return None  # a name nobody has: say nothing that tells names apart
        return self.auth.lockout(person, self.auth.clock()).tries_left()

    def _minutes_locked(self, name: str) -> int | None:
        person = self.people.find(name)
        now = self.auth.clock()
        until = self.auth.lockout(person, now).locked_until if person else None
        return minutes_left(until, now) if until is not None else None

    def unlock(self, manager: Session, name: str) -> str:
        """A manager lifts another person's lock (audited); returns the name as the file has it."""
        person = self.people.find(name)
        if person is None:
            raise NobodyCalled(name)
        self.auth.unlock(manager, person.name)
        return person.name

    def end_if_idle(self, manager: Session) -> bool:
        """The manager screen's timer: True when manager mode ended now (audited)."""
        return self.auth.end_if_idle(manager)

    def leave(self, manager: Session) -> None:
        self.auth.leave(manager)

    # --- what the till could not settle --------------------------------------------------------

    def unsettled(self) -> list[Unsettled]:
        """Found reservations, NEEDS_REVIEW and unknown payments, oldest first."""
        return unsettled_sales(self.journal)

    def settle(self, manager: Session, reference: str, outcome: Outcome, reason: str) -> SaleRecord:
        """The same path as ``pos recover --settle``: journal, then the audit chain."""
        if not reason.strip():
            raise InputError(
                "A settlement needs a reason (what Netgíró's portal or the app shows)."
            )
        return settle_sale(self.auth, manager, self.journal, reference, outcome, reason.strip())

    async def confirm_reservation(self, manager: Session, reference: str) -> Decided:
        return await self.reservations.confirm(manager, reference)

    async def release_reservation(self, manager: Session, reference: str) -> Decided:
        return await self.reservations.release(manager, reference)

    # --- counter settings ---------------------------------------------------------------------

    def change_setting(self, manager: Session, entry: str) -> KeyChange:
        """``key = value`` for one counter setting (printer, scanner, confirmation, deadline)."""
        self.auth.require_manager(manager)
        if self.config_file is None:
            raise NoConfigFile(
                "This till runs without a config file (demo mode): there is nothing to change."
            )
        key, equals, value = entry.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise InputError("Write the setting as key = value, e.g. timing.deadline_s = 120.")
        if not is_counter_setting(key.strip()):
            raise NotInTheTill(key.strip())
        return change_setting(
            self.auth, manager, self.config_file, key.strip(), value.strip().strip('"')
        )

    # --- the drawer, copies, discounts ---------------------------------------------------------

    def reprint(self, manager: Session, receipt_no: int) -> Reprinted:
        """An AFRIT of any receipt by its number: queued with its audit row in one commit
        (``print.reprint``, why "manager"), printed by the till's print run."""
        self.auth.require_manager(manager)
        original = jobs_db.receipt_job(self.journal, receipt_no)
        if original is None:
            raise NoSuchReceipt(receipt_no)
        copy = jobs_db.add_audited_copy(
            self.journal, original.id, actor=manager.actor, why="manager"
        )
        return Reprinted(receipt_no, copy)

    def approve_discount(self, manager: Session, discount: Discount, *, on_line: bool) -> None:
        """A discount above the cashier's limit, given with a manager's approval (audited)."""
        self.auth.require_manager(manager)
        view = self.session.view
        if on_line:
            self.session.discount_line(discount, limit=NO_LIMIT)
        else:
            self.session.discount_sale(discount, limit=NO_LIMIT)
        self.auth.record(
            manager,
            DISCOUNT_APPROVED,
            {
                "sale_id": view.sale_id,
                "on": "line" if on_line else "sale",
                "line": view.sale.selected if on_line else None,
                "kind": discount.kind.value,
                "value": discount.value,
                "reason": discount.reason,
                "cashier": self.session.cashier,
            },
        )


__all__ = [
    "CashKind",
    "CounterNotEmpty",
    "NoConfigFile",
    "NoSuchReceipt",
    "NobodyCalled",
    "NotInTheTill",
    "Refunded",
    "Reprinted",
    "SignInRefused",
    "TillManager",
]
