"""``pos report x | z [N] [--json]`` and ``pos cash float | in | out | nosale``.

``report x`` and ``report z N`` only read (the journal read-only): they work beside the open
till. ``report z`` closes the period and ``cash`` moves money: both take the register lock and a
manager's name and PIN; the Z asks the counted cash before it shows the expected amount.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pos.cli.common import add_config, pin_reader, settings_without_secret, whole_number
from pos.cli.session import EXIT_ERROR, out, say

WIDTHS = (32, 42, 48)


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="X and Z reports (X: running totals; Z: close)")
    verbs = report.add_subparsers(dest="verb", metavar="VERB", required=True)
    x = verbs.add_parser("x", help="running totals since the last Z (read-only; beside the till)")
    _shown_as(x)
    x.set_defaults(run=_run_x)
    z = verbs.add_parser(
        "z", help="close the period (a manager's PIN, a blind count); z N: show Z N (read-only)"
    )
    z.add_argument(
        "number",
        nargs="?",
        type=whole_number("Z number"),
        help="show closed Z N instead of closing one",
    )
    z.add_argument("--manager", help="your name, to close a Z; your PIN is asked")
    z.add_argument(
        "--void-open", action="store_true", help="void open and parked sales (counted as voided)"
    )
    _shown_as(z)
    z.set_defaults(run=_run_z)
    _add_cash(commands)


def _shown_as(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="the report's numbers as JSON")
    parser.add_argument("--width", type=int, choices=WIDTHS, default=48, help="columns (text)")
    add_config(parser)


def _add_cash(commands: Any) -> None:
    money = commands.add_parser("cash", help="float, paid-in, paid-out, no-sale (a manager)")
    kinds = money.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, says in (
        ("float", "the opening float put in the drawer"),
        ("in", "cash paid into the drawer that is not a sale"),
        ("out", "cash paid out of the drawer that is not a refund"),
    ):
        move = kinds.add_parser(kind, help=says)
        move.add_argument("amount", help="whole krónur")
        move.add_argument(
            "--reason", required=kind != "float", default="", help="why (printed on the Z)"
        )
        move.add_argument("--manager", required=True, help="your name; your PIN is asked")
        add_config(move)
        move.set_defaults(run=_run_cash)
    nosale = kinds.add_parser("nosale", help="open the drawer without a sale (counted on the Z)")
    nosale.add_argument("--reason", default="", help="why (optional)")
    nosale.add_argument("--manager", required=True, help="your name; your PIN is asked")
    add_config(nosale)
    nosale.set_defaults(run=_run_cash, amount=None)


def _show(report: dict[str, Any], args: argparse.Namespace) -> None:
    from pos.services.reports import report_text

    if args.json:
        out(json.dumps(report, ensure_ascii=False))
    else:
        sys.stdout.write(report_text(report, width=args.width))


def _run_x(args: argparse.Namespace) -> int:
    from pos.services.report_commands import read_x

    _show(read_x(settings_without_secret(args)), args)
    return 0


def _run_z(args: argparse.Namespace) -> int:
    from pos.services.report_commands import close_z_at_shell, read_z

    settings = settings_without_secret(args)
    if args.number is not None:
        _show(read_z(settings, args.number), args)
        return 0
    if not args.manager:
        say("Closing a Z needs a manager: pos report z --manager NAME (your PIN is asked).")
        return EXIT_ERROR
    closed = close_z_at_shell(settings, args.manager, _asker(), void_open=args.void_open, say=say)
    if not args.json:
        say(
            f"Z {closed.z.number}: expected {closed.expected} kr., counted {closed.counted} kr., "
            f"{_difference(closed.over_short)}."
        )
        for problem in closed.problems:
            say(problem)
        if closed.backup is not None:
            say(f"Backup: {closed.backup}; CSV: {closed.csv}")
    _show(closed.snapshot, args)
    return EXIT_ERROR if closed.problems else 0


def _difference(over_short: int) -> str:
    if over_short < 0:
        return f"{-over_short} kr. short"
    return f"{over_short} kr. over" if over_short else "no difference"


def _asker() -> Any:
    """The PIN unechoed (getpass on a terminal); the count echoed, as any amount is typed."""
    read_pin = pin_reader()

    def ask(prompt: str) -> str:
        if prompt.endswith("PIN: ") or not sys.stdin.isatty():
            return str(read_pin(prompt))
        sys.stderr.write(prompt)
        sys.stderr.flush()
        return sys.stdin.readline().rstrip("\r\n")

    return ask


def _run_cash(args: argparse.Namespace) -> int:
    from pos.core.money import parse_amount
    from pos.services.report_commands import move_cash_at_shell

    settings = settings_without_secret(args)
    amount = None if args.amount is None else parse_amount(args.amount)
    moved = move_cash_at_shell(settings, args.manager, pin_reader(), args.kind, amount, args.reason)
    movement = moved.movement
    out(
        f"{movement.kind} {movement.amount} kr. by {movement.who} ({movement.at}) {movement.reason}"
    )
    if moved.drawer_problem:
        say(moved.drawer_problem)
    return 0
