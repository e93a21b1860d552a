"""``pos recover``: finish open payment attempts, settle one by hand, or salvage a journal."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pos.cli.common import add_config, pin_reader, print_receipts, settings_of, shown_text
from pos.cli.session import EXIT_ERROR, current_session, out, say

if TYPE_CHECKING:
    from pos.config import Settings


def add_commands(commands: Any) -> None:
    recover = commands.add_parser("recover", help="resolve open payment attempts now")
    recover.add_argument("--json", action="store_true")
    recover.add_argument(
        "--settle",
        nargs=2,
        metavar=("REF", "paid|unpaid"),
        help="settle an unknown or needs-review payment by hand, after checking Netgíró's portal",
    )
    recover.add_argument("--reason", help="why (written into the journal with --settle)")
    recover.add_argument(
        "--manager",
        help="with --settle: your name; your PIN is asked (required once managers exist)",
    )
    recover.add_argument(
        "--salvage",
        action="store_true",
        help="a damaged journal: copy it aside, recover what can be read, list open payments",
    )
    add_config(recover)
    recover.set_defaults(run=_run_recover)


def _run_recover(args: argparse.Namespace) -> int:
    import asyncio

    # Salvage and settling never call Netgíró: no secret needed.
    settings = settings_of(args, need_secret=not (args.salvage or args.settle))
    if args.salvage:
        return _salvage(settings)
    if args.settle:
        return _settle(settings, args.settle[0], args.settle[1], args.reason, args.manager)
    return asyncio.run(_recover(settings, args.json))


def _settle(
    settings: Settings, reference: str, outcome: str, reason: str | None, manager: str | None
) -> int:
    """``pos recover --settle REF paid|unpaid --reason TEXT [--manager NAME]``.

    One event row and the sale's status in one transaction (the journal's ``settle``), then the
    row in the audit chain. Once the register has managers, only a manager (name and PIN)
    settles; before any exists, the shell user does, and is named. The till must be closed.
    """
    import getpass

    from pos.core.free_text import safe_text
    from pos.journal import Journal
    from pos.journal.audit import chain_settlements
    from pos.people.store import PeopleFile
    from pos.services.manager_auth import ManagerAuth
    from pos.services.settling import settle_sale
    from pos.services.wiring import register_lock

    if outcome not in ("paid", "unpaid"):
        say(f"--settle takes a reference and paid or unpaid, not {safe_text(outcome, 20)!r}.")
        return EXIT_ERROR
    if not (reason or "").strip():
        say("Say why with --reason: it is written into the journal with the change.")
        return EXIT_ERROR
    settled_as: Literal["paid", "unpaid"] = "paid" if outcome == "paid" else "unpaid"
    people = PeopleFile(settings.people_file)
    has_managers = any(person.role == "manager" for person in people.people())
    if has_managers and not manager:
        say("This register has managers: settle with --manager NAME (your PIN is asked).")
        return EXIT_ERROR
    with register_lock(settings.data_dir), Journal(settings.journal_file) as journal:
        if manager:
            auth = ManagerAuth(people, journal)
            session = auth.enter_manager_mode(manager, pin_reader()(f"PIN for {manager}: "))
            sale = settle_sale(auth, session, journal, reference, settled_as, reason or "")
            who = session.actor
        else:
            who = "shell:" + safe_text(_user_name(getpass.getuser), 40)
            sale = journal.settle(reference, settled_as, reason or "", who)
            chain_settlements(journal)
    out(f"Settled {reference} as {outcome} (by {who}): sale {sale.id} is now {sale.status}.")
    return 0


def _user_name(lookup: Callable[[], str]) -> str:
    try:
        return lookup()
    except (OSError, KeyError):  # no user name in this environment
        return f"uid {os.getuid()}"


def _salvage(settings: Settings) -> int:
    """Copy a damaged journal aside, recover it, and list what a manager must check."""
    from pos.journal.health import salvage
    from pos.services.wiring import register_lock

    with register_lock(settings.data_dir):
        report = salvage(settings.journal_file)
    print(f"Copied the journal and its -wal/-shm files to {report.copied_to}")
    if report.recovered is not None:
        print(f"Recovered what could be read into {report.recovered}")
        print("After checking it, a technician may put it in place of the damaged journal.")
    else:
        print(f"Could not recover the rows: {report.problem}")
    for found in report.open_attempts:
        print(
            f"OPEN  {found.reference}  {found.phase}  {found.amount} kr.  "
            f"TransactionId {found.transaction_id or '-'}: check it in Netgíró's portal"
        )
    if not report.open_attempts:
        print("No open payment could be read; check the day's payments in Netgíró's portal.")
    return EXIT_ERROR


async def _recover(settings: Settings, as_json: bool) -> int:
    import asyncio

    from pos.services.recovery import recover_open_attempts
    from pos.services.status import (
        describe_unknown_refund,
        describe_unsettled,
        refunds_unknown,
        unsettled_sales,
    )
    from pos.services.wiring import open_till

    session = current_session()
    session.loop = asyncio.get_running_loop()
    session.call_total_s = settings.timing.call_total_s
    async with open_till(settings, announce=say) as till:
        session.runner = till.runner
        if session.stopping:
            till.runner.stop()
        session.stage = "recovering"
        report = await recover_open_attempts(till.runner, till.journal)
        print_receipts(till.journal, settings)  # recovery can end sales PAID: their receipts
        unsettled = unsettled_sales(till.journal)
        unknown = refunds_unknown(till.journal)
    if as_json:
        out(
            json.dumps(
                {
                    "recovered": [
                        {
                            "reference": r.reference,
                            "TransactionId": r.transaction_id,
                            "before": r.before.value,
                            "state": r.after.value,
                            "label": r.label,
                            "note": r.note,
                            "resolved": r.resolved,
                        }
                        for r in report
                    ],
                    "needs_settling": [_unsettled_json(u) for u in unsettled],
                    "refunds_unknown": [
                        {"refund": r.id, "sale_id": r.sale_id, "amount": r.amount} for r in unknown
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        for r in report:
            detail = "" if r.note == r.label else f": {shown_text(r.note)}"
            out(f"{r.reference}: {r.before.value} → {r.label}{detail}")
        if not report:
            out("No open payment attempts.")
        for item in unsettled:
            out(describe_unsettled(item))
        for refund in unknown:
            out(describe_unknown_refund(refund))
    # Unsettled sales are listed every time; the exit code speaks of this run's attempts.
    return 0 if all(r.resolved for r in report) else EXIT_ERROR


def _unsettled_json(item: Any) -> dict[str, object]:
    return {
        "sale_id": item.sale_id,
        "status": item.status,
        "reference": item.reference,
        "TransactionId": item.transaction_id,
        "state": item.phase.value,
        "amount": item.amount,
        "note": item.note,
    }
