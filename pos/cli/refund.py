"""``pos refund send | settle | list``: Netgíró refunds through the Partner API."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from typing import Any, Literal

from pos.cli.common import add_config, pin_reader, settings_of, settings_without_secret


def add_commands(commands: Any) -> None:
    refund = commands.add_parser("refund", help="Netgíró refunds (a manager's name and PIN)")
    refund_verbs = refund.add_subparsers(dest="verb", metavar="VERB", required=True)
    send = refund_verbs.add_parser(
        "send", help="refund part or all of a paid sale's Netgíró payment"
    )
    send.add_argument("sale", type=int, help="the sale's number in the journal")
    send.add_argument("amount", help="whole krónur")
    send.add_argument("--reason", required=True, help="sent to Netgíró (at most 100 characters)")
    send.add_argument("--manager", required=True, help="your name; your PIN is asked")
    send.add_argument("--payment", help="the payment's Reference, for a double charge")
    send.add_argument("--json", action="store_true")
    add_config(send)
    send.set_defaults(run=_run_refund_send)
    settle = refund_verbs.add_parser("settle", help="record what Netgíró's portal shows")
    settle.add_argument("refund", type=int, help="the refund's number (pos refund list)")
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
    from pos.core.money import parse_amount
    from pos.services.refund_commands import EXIT_OF_STATUS, send_refund

    amount = parse_amount(args.amount)
    settings = settings_of(args)
    record = asyncio.run(
        send_refund(
            settings, args.manager, pin_reader(), args.sale, amount, args.reason, args.payment
        )
    )
    _print_refunds([record], args.json)
    return EXIT_OF_STATUS[record.status]


def _run_refund_settle(args: argparse.Namespace) -> int:
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
    for r in records:
        print(
            f"refund {r.id}  sale {r.sale_id}  {r.amount} kr.  {r.status:<14} {r.manager}  "
            f"{r.reason}"
        )
        if r.note:
            print(f"  {r.note}")
