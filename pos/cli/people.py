"""``pos manager|cashier add|list``, ``pos manager unlock``, ``pos reservation confirm|release``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pos.cli.common import add_config, pin_reader, settings_of, settings_without_secret
from pos.cli.session import EXIT_ERROR


def add_commands(commands: Any) -> None:
    manager_verbs = _add_people_commands(commands)
    _add_unlock_command(manager_verbs)
    _add_reservation_commands(commands)


def _add_reservation_commands(commands: Any) -> None:
    found = commands.add_parser(
        "reservation", help="a reservation Netgíró refused to cancel (RESERVED_UNCHARGED)"
    )
    verbs = found.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, says in (("confirm", "charge the customer"), ("release", "let it go")):
        decide = verbs.add_parser(verb, help=f"{says} (a manager's name and PIN)")
        decide.add_argument("reference", help="the payment's Reference (pos recover lists it)")
        decide.add_argument("--manager", required=True, help="your name; your PIN is asked")
        add_config(decide)
        decide.set_defaults(run=_run_reservation, decision=verb)


def _add_people_commands(commands: Any) -> Any:
    """``pos manager|cashier add|list``; returns the manager's verbs."""
    verbs_of: dict[str, Any] = {}
    for role in ("manager", "cashier"):
        group = commands.add_parser(role, help=f"{role}s of this register (the people file)")
        verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
        add = verbs.add_parser("add", help=f"add a {role}; the PIN is asked twice (not echoed)")
        add.add_argument("name")
        add_config(add)
        add.set_defaults(run=_run_person_add, role=role)
        listing = verbs.add_parser("list", help=f"the {role}s in the people file (names only)")
        add_config(listing)
        listing.set_defaults(run=_run_person_list, role=role)
        verbs_of[role] = verbs
    return verbs_of["manager"]


def _add_unlock_command(manager_verbs: Any) -> None:
    unlock = manager_verbs.add_parser(
        "unlock", help="lift a person's PIN lock (needs another manager's name and PIN)"
    )
    unlock.add_argument("locked", help="the locked manager or cashier")
    unlock.add_argument("--manager", required=True, help="your name; your PIN is asked")
    add_config(unlock)
    unlock.set_defaults(run=_run_unlock)


def _run_person_add(args: argparse.Namespace) -> int:
    import getpass

    from pos.services.people_commands import add_person

    settings = settings_without_secret(args)
    person = add_person(
        settings.people_file,
        settings.journal_file,
        args.name,
        args.role,
        pin_reader(),
        actor=f"shell:{getpass.getuser()}",
    )
    print(f"Added {person.role} {person.name} to {settings.people_file}")
    return 0


def _run_unlock(args: argparse.Namespace) -> int:
    import asyncio

    from pos.services.refund_commands import unlock_person

    settings = settings_of(args)
    asyncio.run(unlock_person(settings, args.manager, pin_reader(), args.locked))
    print(f"{args.locked} is unlocked.")
    return 0


def _run_reservation(args: argparse.Namespace) -> int:
    import asyncio

    from pos.services.refund_commands import decide_reservation

    settings = settings_of(args)
    decided = asyncio.run(
        decide_reservation(settings, args.manager, pin_reader(), args.reference, args.decision)
    )
    print(f"{args.reference}: {decided.state.phase.value} - {decided.note}")
    return 0 if decided.outcome in ("paid", "released") else EXIT_ERROR


def _run_person_list(args: argparse.Namespace) -> int:
    from pos.people import PeopleFile

    settings = settings_without_secret(args)
    names = [p.name for p in PeopleFile(settings.people_file).people() if p.role == args.role]
    for name in names:
        print(name)
    if not names:
        print(f"No {args.role}s yet: add one with `pos {args.role} add NAME`.", file=sys.stderr)
    return 0
