"""What every command shares: the --config option, settings, logging, PINs, safe text."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.session import say
from pos.core.errors import PosError

MAX_NUMBER = 2**63 - 1
"""SQLite's largest INTEGER: no receipt, sale, Z or row count can be larger."""

if TYPE_CHECKING:
    from pos.config import Settings


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="register config (TOML); none: the sandbox")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")


def settings_of(args: argparse.Namespace, *, need_secret: bool = True) -> Settings:
    from pos.config import load_settings

    settings = load_settings(args.config, need_secret=need_secret)
    setup_logging(settings, verbose=args.verbose)
    return settings


def setup_logging(settings: Settings, *, verbose: bool) -> None:
    from pos.services.private_files import private_dir, private_file

    log_file = private_file(private_dir(settings.data_dir) / "pos.log")
    handlers: list[logging.Handler] = [logging.FileHandler(log_file)]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        handlers=handlers,
        force=True,
    )
    for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def shown_error(exc: BaseException) -> str:
    from pos.core.free_text import safe_text

    text = exc.message if isinstance(exc, PosError) else f"{type(exc).__name__}: {exc}"
    return safe_text(text, 300)


def shown_text(text: str) -> str:
    """Journaled text for the terminal: an old row may hold ESC, CR or U+202E (safe_text is
    idempotent, so text already made safe is unchanged)."""
    from pos.core.free_text import safe_text

    return safe_text(text, 1000)


def settings_without_secret(args: argparse.Namespace) -> Settings:
    """People and audit commands never need (or look up) the Netgíró secret."""
    return settings_of(args, need_secret=False)


def pin_reader() -> Any:
    """getpass on a terminal; otherwise one line of stdin per question (scripts and tests)."""
    import getpass

    if sys.stdin.isatty():
        return getpass.getpass

    def from_stdin(prompt: str) -> str:
        say(prompt)
        return sys.stdin.readline().rstrip("\r\n")

    return from_stdin


def print_receipts(journal: Any, settings: Settings) -> None:
    from pos.services.receipts import configured_printer, print_queued_receipts, receipt_format

    printer = configured_printer(settings)
    print_queued_receipts(journal, printer, receipt_format(settings), announce=say)


def whole_number(what: str) -> Callable[[str], int]:
    """An argparse type for a receipt, sale, Z or refund number or a count: 1 and up.

    Refused in words, never as an overflow deep in SQLite (a scanner or a paste can type 30
    digits): "'999...' is not a receipt number: give a whole number from 1 up".
    """

    def parse(text: str) -> int:
        digits = text.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 19:
            number = int(digits)
            if 1 <= number <= MAX_NUMBER:
                return number
        shown = text if len(text) <= 24 else text[:21] + "..."
        raise argparse.ArgumentTypeError(
            f"{shown.encode('ascii', 'backslashreplace').decode()!r} is not a {what}: "
            "give a whole number from 1 up"
        )

    return parse
