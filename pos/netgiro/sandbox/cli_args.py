"""``pos sandbox`` options, kept beside the sandbox they configure."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pos.netgiro.sandbox.limits import MAX_REFERENCE_LENGTH

if TYPE_CHECKING:  # the server pulls in starlette and uvicorn: not for `pos --help`
    from pos.netgiro.sandbox.server import SandboxSettings


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--state", type=Path, help="SQLite state file (default: in the data dir)")
    parser.add_argument("--cart-ttl", type=float, default=180.0, metavar="S")
    parser.add_argument("--token-ttl", type=float, default=300.0, metavar="S")
    parser.add_argument("--reservation-ttl", type=float, default=7 * 24 * 3600.0, metavar="S")
    parser.add_argument("--poll-interval-ms", type=int, default=3000, metavar="N")
    parser.add_argument("--auto-accept-after", type=float, metavar="S", help="accept GSM carts")
    parser.add_argument("--callback-retry-delay", type=float, default=2.0, metavar="S")
    parser.add_argument(
        "--refuse-cancel-reserved",
        action="store_true",
        help="CancelCart on a reservation answers Success=false",
    )
    parser.add_argument(
        "--max-reference-length",
        type=int,
        default=MAX_REFERENCE_LENGTH,
        metavar="N",
        help="a longer Reference is refused with 10304",
    )


def settings_from_args(args: argparse.Namespace, default_state_file: Path) -> SandboxSettings:
    from pos.netgiro.sandbox.server import SandboxSettings

    return SandboxSettings(
        state_file=args.state or default_state_file,
        host=args.host,
        port=args.port,
        cart_ttl_s=args.cart_ttl,
        token_ttl_s=args.token_ttl,
        reservation_ttl_s=args.reservation_ttl,
        poll_interval_ms=args.poll_interval_ms,
        auto_accept_after_s=args.auto_accept_after,
        callback_retry_delay_s=args.callback_retry_delay,
        refuse_cancel_reserved=args.refuse_cancel_reserved,
        max_reference_length=args.max_reference_length,
    )
