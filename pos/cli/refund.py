"""``pos refund send | settle | list``: Netgíró refunds through the Partner API."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, Literal

from pos.cli.common import (
    add_config,
    pin_reader,
    settings_of,
    settings_without_secret,
    whole_number,
)


def add_commands(commands: Any) -> None:
    refund = commands.add_parser("refund", help="Netgíró refunds (a manager's name and PIN)")
    refund_verbs = refund.add_subparsers(dest="verb", metavar="VERB", required=True)
    send = refund_verbs.add_parser(
        "send",
        help="refund lines of a paid sale (--receipt, --line): cash from the drawer, Netgíró "
        "to Netgíró; or SALE AMOUNT of its Netgíró payment",
        epilog="By line: pos refund send --receipt 12 --line 1:2 --line 3 --reason TEXT "
        "--manager NAME (the receipt's number or its scanned code S1-R1-R12; LINE as numbered "
        "on the receipt, QTY like 2 or 0,5, none: all that is left). A split sale gives back "
        "cash first, up to the cash it took, then Netgíró. Exit 0 done, 1 failed, 2 unknown.",
    )
    send.add_argument(
        "sale", type=whole_number("sale number"), nargs="?", help="the sale's number in the journal"
    )
    send.add_argument("amount", nargs="?", help="whole krónur")
    send.add_argument("--receipt", help="the paid sale's receipt number or scanned code")
    send.add_argument(
        "--line",
        action="append",
        default=[],
        metavar="LINE[:QTY]",
        help="a line to refund (repeatable)",
    )
    send.add_argument("--reason", required=True, help="sent to Netgíró (at most 100 characters)")
    send.add_argument("--manager", required=True, help="your name; your PIN is asked")
    send.add_argument("--payment", help="the payment's Reference, for a double charge")
    send.add_argument("--json", action="store_true")
    add_config(send)
    send.set_defaults(run=_run_refund_send)
    settle = refund_verbs.add_parser("settle", help="record what Netgíró's portal shows")
    settle.add_argument(
        "refund", type=whole_number("refund number"), help="the refund's number (pos refund list)"
    )
    settle.add_argument("outcome", choices=["done", "failed"])
    settle.add_argument("--portal", required=True, help="what Netgíró's portal shows")
    settle.add_argument("--manager", required=True, help="your name; your PIN is asked")
    settle.add_argument("--json", action="store_true")
    add_config(settle)
    settle.set_defaults(run=_run_refund_settle)
    listing = refund_verbs.add_parser("list", help="every refund (read-only)")
    listing.add_argument("--json", action="store_true")
    add_config(listing)
    listing.set_defaults(run=_run_refund_list)


def _run_refund_send(args: argparse.Namespace) -> int:
    import asyncio

    from pos.core.errors import InputError
    from pos.core.money import parse_amount
    from pos.services.refund_commands import EXIT_OF_STATUS, send_refund

    by_line = args.receipt is not None or bool(args.line)
    if by_line and (args.sale is not None or args.payment):
        raise InputError("Refund either by line (--receipt, --line) or SALE AMOUNT, not both.")
    if by_line:
        return _run_line_refund(args)
    if args.sale is None or args.amount is None:
        raise InputError(
            "Name what to refund: --receipt N --line LINE[:QTY] (by line), or SALE AMOUNT."
        )
    amount = parse_amount(args.amount)
    settings = settings_of(args)
    record = asyncio.run(
        send_refund(
            settings, args.manager, pin_reader(), args.sale, amount, args.reason, args.payment
        )
    )
    _print_refunds([record], args.json)
    return EXIT_OF_STATUS[record.status]


def _run_line_refund(args: argparse.Namespace) -> int:
    import asyncio

    from pos.cli.session import say
    from pos.core.errors import InputError
    from pos.core.refund_plan import parse_line_request
    from pos.services.refund_commands import send_line_refund, slip_exit_code

    if args.receipt is None or not args.line:
        raise InputError("A refund by line names the receipt (--receipt) and its lines (--line).")
    lines = [parse_line_request(text) for text in args.line]
    settings = settings_of(args)
    record = asyncio.run(
        send_line_refund(
            settings, args.manager, pin_reader(), args.receipt, lines, args.reason, say
        )
    )
    _print_slip(record, args.json)
    return slip_exit_code(record)


def _print_slip(record: Any, as_json: bool) -> None:
    from dataclasses import asdict

    from pos.cli.common import shown_text
    from pos.services.line_refunds import cash_paid_out

    if as_json:
        print(json.dumps(asdict(record), ensure_ascii=False))
        return
    print(f"refund slip {record.id}  sale {record.sale_id}  {shown_text(record.reason)}")
    _print_refunds(record.refunds, False)
    cash = cash_paid_out(record)
    if cash:
        print(f"Hand over {cash} kr. in cash from the drawer.")


def _run_refund_settle(args: argparse.Namespace) -> int:
    import asyncio

    from pos.services.refund_commands import settle_refund

    settings = settings_of(args)
    outcome: Literal["DONE", "FAILED"] = "DONE" if args.outcome == "done" else "FAILED"
    record = asyncio.run(
        settle_refund(settings, args.manager, pin_reader(), args.refund, outcome, args.portal)
    )
    _print_refunds([record], args.json)
    return 0


def _run_refund_list(args: argparse.Namespace) -> int:
    from pos.services.refund_commands import list_refunds

    records = list_refunds(settings_without_secret(args))
    _print_refunds(records, args.json)
    if not records and not args.json:
        print("No refunds yet.")
    return 0


def _print_refunds(records: Sequence[Any], as_json: bool) -> None:
    from dataclasses import asdict

    if as_json:
        print(json.dumps([asdict(r) for r in records], ensure_ascii=False))
        return
    from pos.cli.common import shown_text

    for r in records:
        print(
            f"refund {r.id}  sale {r.sale_id}  {r.tender:<7} {r.amount} kr.  {r.status:<14} "
            f"{r.manager}  {shown_text(r.reason)}"
        )
        if r.note:
            print(f"  {shown_text(r.note)}")
