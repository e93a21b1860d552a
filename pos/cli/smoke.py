"""``pos smoke``: a register checked in seconds, headless, beside the till."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from pos.cli.common import add_config


def add_commands(commands: Any) -> None:
    smoke = commands.add_parser(
        "smoke", help="check this register in seconds: config, journal, devices, Netgíró, payments"
    )
    smoke.add_argument("--json", action="store_true", help="one JSON object, for monitoring")
    smoke.add_argument(
        "--keep", action="store_true", help="keep the smoke's data dir and ESC/POS receipts"
    )
    add_config(smoke)
    smoke.set_defaults(run=_run_smoke)


def _run_smoke(args: argparse.Namespace) -> int:
    import asyncio

    """Exit 0 only if nothing failed; never takes the register lock (works beside the till)."""
    from pos.services.smoke import SmokeOptions, run_smoke

    # No log lines on the terminal unless asked (-v): the report is the output; the smoke
    # logs to its own temporary data dir, never to the register's pos.log.
    handler = logging.StreamHandler(sys.stderr) if args.verbose else logging.NullHandler()
    pos_log = logging.getLogger("pos")
    pos_log.addHandler(handler)
    try:
        report = asyncio.run(run_smoke(SmokeOptions(config=args.config, keep=args.keep)))
    finally:
        pos_log.removeHandler(handler)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            print(line)
    return report.exit_code
