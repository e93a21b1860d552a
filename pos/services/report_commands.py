"""``pos report x|z`` and ``pos cash …`` from the shell: the same services as manager mode (F9).

- ``pos report x`` and ``pos report z N`` only read: the journal is opened read-only and they
  work beside the open till (TILL-CONTRACTS: the lock table).
- ``pos report z`` and ``pos cash …`` write: they take the register lock (refused while the till
  is open: "do it in manager mode"), sign the manager in with name and PIN (audited), and for a
  Z ask the count before anything shows the expected amount (a blind count). The lock holder
  prints: the Z is printed at once on the configured printer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pos.config import Settings
from pos.config import printer as printer_section
from pos.config import reports as reports_section
from pos.core.errors import InputError, PosError
from pos.core.money import parse_amount
from pos.journal import Journal, JournalError
from pos.journal import print_jobs as jobs_db
from pos.people import PeopleFile
from pos.services import cash, reports
from pos.services.devices import drawer_from_settings
from pos.services.manager_auth import ManagerAuth, Session
from pos.services.people_commands import till_closed
from pos.services.printing import JobFailed, PrintQueue
from pos.services.receipts import configured_printer, receipt_format
from pos.services.wiring import receipt_header

Ask = Callable[[str], str]
Say = Callable[[str], None]
COUNT_PROMPT = "Cash counted in the drawer (kr.): "


def _read_only(settings: Settings) -> Journal:
    if not settings.journal_file.exists():
        raise JournalError(f"There is no journal at {settings.journal_file} yet: no report.")
    return Journal(
        settings.journal_file,
        read_only=True,
        store_id=settings.register.store_id,
        receipt_header=receipt_header(settings),
    )


def read_x(settings: Settings) -> dict[str, Any]:
    """The X: running totals since the last Z (read-only, beside the open till)."""
    with _read_only(settings) as journal:
        return reports.x_report(journal, register_id=settings.register.register_id)


def read_z(settings: Settings, number: int) -> dict[str, Any]:
    """Closed Z ``number`` as it was printed (read-only)."""
    with _read_only(settings) as journal:
        return reports.z_report(journal, number)


def parse_count(text: str) -> int:
    """The counted cash: whole krónur, and an empty drawer (0) is a count too."""
    digits = text.strip().removesuffix("kr.").removesuffix("kr").replace(".", "").replace(" ", "")
    if digits and set(digits) == {"0"}:  # "0", "00", "0.000", "0 kr.": an empty drawer
        return 0
    return parse_amount(text)


@contextmanager
def _manager(settings: Settings, name: str, ask: Ask) -> Iterator[tuple[ManagerAuth, Session]]:
    with (
        till_closed(settings.data_dir),
        Journal(
            settings.journal_file,
            store_id=settings.register.store_id,
            receipt_header=receipt_header(settings),
        ) as journal,
    ):
        auth = ManagerAuth(PeopleFile(settings.people_file), journal)
        session = auth.enter_manager_mode(name, ask(f"{name}'s PIN: "))
        try:
            yield auth, session
        finally:
            auth.leave(session)


def close_z_at_shell(
    settings: Settings, manager: str, ask: Ask, *, void_open: bool, say: Say
) -> reports.ZClosed:
    """Lock, sign in, refuse early what would stop the Z, ask the blind count, close, print."""
    with _manager(settings, manager, ask) as (auth, session):
        journal = auth.journal
        blockers = reports.z_blockers(journal)
        if blockers.live_references:  # this shell holds the lock: no till is driving them
            raise reports.ZRefused(
                f"The Z cannot close: {blockers.message()}. No till is running that payment: run "
                "`pos recover` to settle it with Netgíró, then close the Z."
            )
        if not blockers.empty and not void_open:
            raise reports.ZRefused(
                f"The Z cannot close: {blockers.message()}. Finish them in the till, or run "
                "`pos report z --void-open` to void the open and parked sales (counted as voided)."
            )
        try:
            counted = parse_count(ask(COUNT_PROMPT))
        except InputError as exc:
            raise InputError(f"{exc.message} Nothing was closed.") from exc
        closed = reports.close_z(
            auth,
            session,
            journal,
            counted=counted,
            backup_dir=settings.get(reports_section.SECTION).backup_folder(settings.data_dir),
            register_id=settings.register.register_id,
            void_open=void_open,
        )
        _print_z(settings, journal, closed, say)
    return closed


def _print_z(settings: Settings, journal: Journal, closed: reports.ZClosed, say: Say) -> None:
    """The lock holder prints: the Z now, on the configured printer; a failure is only said."""
    printer = configured_printer(settings)
    try:
        queue = PrintQueue(journal, printer, receipt_format(settings))
        event = queue.print_job(jobs_db.job(journal, closed.job_id))
    except PosError as exc:
        say(f"Z {closed.z.number} not printed: {exc.message} Reprint it in manager mode (F9).")
        return
    if isinstance(event, JobFailed):
        say(f"Z {closed.z.number} not printed: {event.reason}. Reprint it in manager mode (F9).")
    else:
        say(f"Z {closed.z.number} printed ({printer.name}).")


def move_cash_at_shell(
    settings: Settings, manager: str, ask: Ask, kind: str, amount: int | None, reason: str
) -> cash.CashMoved:
    """``pos cash float|in|out AMOUNT --reason …`` and ``pos cash nosale``; the drawer is kicked."""
    with _manager(settings, manager, ask) as (auth, session):
        journal = auth.journal
        printer_settings = settings.get(printer_section.SECTION)
        drawer = drawer_from_settings(printer_settings, configured_printer(settings))
        if kind == "nosale":
            return cash.no_sale(auth, session, journal, reason=reason, drawer=drawer)
        if amount is None:
            raise InputError("Give the amount in krónur.")
        if kind == "float":
            return cash.opening_float(auth, session, journal, amount, reason=reason, drawer=drawer)
        if kind == "in":
            return cash.paid_in(auth, session, journal, amount, reason, drawer=drawer)
        if kind == "out":
            return cash.paid_out(auth, session, journal, amount, reason, drawer=drawer)
    raise InputError(f"{kind!r} is not a cash movement: float, in, out or nosale.")
