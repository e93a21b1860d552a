"""``pos manager add NAME`` and ``pos cashier add NAME``: a person and their PIN hash, with the till closed.

Adding a person changes who may do what at the register, so it needs the register lock and is
refused while the till holds it (TILL-CONTRACTS: "One register, one writer").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pos.core.errors import InputError, PosError
from pos.core.people import Role, check_name, check_pin
from pos.journal import Journal
from pos.journal.audit import append_audit
from pos.people import PeopleFile, Person, hash_pin
from pos.services.lock_holder import lock_holder
from pos.services.wiring import register_lock

LOCK_NAME = "register.lock"


class TillOpen(PosError):
    """The till holds the register lock: the change belongs in manager mode."""

    title = "Till open"


@contextmanager
def said_as_till_open(data_dir: Path) -> Iterator[None]:
    """The register lock's "busy", said as TILL-CONTRACTS words it for manager actions."""
    try:
        yield
    except PosError as exc:
        if exc.title != "Register busy" or isinstance(exc, TillOpen):
            raise
        holder = lock_holder(data_dir / LOCK_NAME)
        raise TillOpen(f"{holder.refusal()} Nothing was changed.") from exc


@contextmanager
def till_closed(data_dir: Path) -> Iterator[None]:
    """Hold the register lock for a short change, or say the till is open and which process has it."""
    with said_as_till_open(data_dir), register_lock(data_dir):
        yield


def read_new_pin(role: Role, ask: Callable[[str], str]) -> str:
    """Ask for the PIN twice; refused unless both agree and it keeps the PIN rules."""
    first = ask(f"New {role} PIN: ")
    check_pin(role, first)
    if ask("The same PIN again: ") != first:
        raise InputError("The two PINs differ; nothing was saved.")
    return first


def add_person(
    people_file: Path,
    journal_file: Path,
    name: str,
    role: Role,
    ask: Callable[[str], str],
    *,
    actor: str,
) -> Person:
    """Add a manager or cashier under the register lock, and audit who added them.

    ``actor`` says who ran the command (``shell:<user>``): the first manager has nobody to
    vouch for them but the person at the shell.
    """
    name = check_name(name)
    with till_closed(journal_file.parent):
        store = PeopleFile(people_file)
        if store.find(name) is not None:
            raise InputError(f"{name} is already in the people file; pick another name.")
        pin = read_new_pin(role, ask)
        person = Person(name, role, hash_pin(pin))
        with Journal(journal_file) as journal:  # opened first: a journal it cannot open stops it
            store.add(person)
            append_audit(journal, actor, "person.added", {"name": name, "role": role})
    return person
