"""``pos receipt show N``: a receipt as text or a PNG, read-only (works beside the till)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pos.cli.common import add_config, settings_of, whole_number
from pos.cli.session import say


def add_commands(commands: Any) -> None:
    receipt = commands.add_parser("receipt", help="receipts from the journal")
    receipt_commands = receipt.add_subparsers(dest="receipt_command", metavar="COMMAND")
    show = receipt_commands.add_parser("show", help="show receipt N (read-only; beside the till)")
    show.add_argument(
        "number",
        type=whole_number("receipt number"),
        help="the receipt number (sales before numbers: sale id)",
    )
    show.add_argument("--png", type=Path, metavar="FILE", help="draw it as a PNG picture instead")
    show.add_argument("--copy", action="store_true", help="show it as the next AFRIT copy")
    show.add_argument("--width", type=int, choices=[32, 42, 48], help="default: [receipt] width")
    add_config(show)
    show.set_defaults(run=_run_receipt_show)
    receipt.set_defaults(run=lambda args: receipt.print_help() or 0)


def _run_receipt_show(args: argparse.Namespace) -> int:
    from pos.services.receipts import receipt_format, show_receipt

    settings = settings_of(args, need_secret=False)  # read-only: never the secret
    fmt = receipt_format(settings, args.width)
    shown = show_receipt(settings.journal_file, args.number, fmt, copy=args.copy)
    if args.png:
        shown.save_png(args.png)
        say(f"Receipt {args.number} (sale {shown.sale_id}) drawn to {args.png}")
    else:
        sys.stdout.write(shown.text)
    return 0
