"""``main``: parse, set the umask, run one command, turn errors into one clear line."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from pos.cli.commands import COMMAND_MODULES
from pos.cli.common import shown_error
from pos.cli.early import EARLY_SIGNALS
from pos.cli.session import (
    EXIT_ERROR,
    HANDLED_SIGNALS,
    SESSIONS,
    SIGNALLED_COMMANDS,
    Session,
    install_signals,
    restore_signals,
    say,
    without_early,
)
from pos.core.errors import PosError

log = logging.getLogger("pos")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``pos`` command; returns its exit code."""
    session = Session()
    SESSIONS[:] = [session]
    previous = install_signals(session)  # first: a Ctrl-C at any moment is handled
    while EARLY_SIGNALS:
        session.handle(EARLY_SIGNALS.pop(0))
    try:
        return _main(argv, session, previous)
    finally:
        _flush_quietly()
        if argv is not None:  # called in-process (tests): leave the process as it was
            restore_signals(previous)
        elif session.command in SIGNALLED_COMMANDS:
            # The exit code is decided: a late signal must not kill the interpreter while it
            # shuts down (Python puts its default handlers back then, and dies by the signal).
            for signum in HANDLED_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)


def _main(argv: Sequence[str] | None, session: Session, previous: dict[int, Any]) -> int:
    parser = _parser()
    args = parser.parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    from pos.services.private_files import PRIVATE_UMASK

    os.umask(PRIVATE_UMASK)  # the journal, log and sandbox carts are the till user's alone
    session.command = args.command
    if args.command not in SIGNALLED_COMMANDS:
        # `pos` (the till), `pos sandbox` and the read-only commands: signals do what they
        # always do (a till whose terminal hangs up stops; recovery finishes its payment).
        restore_signals(without_early(previous))
    if session.stopping or session.dont_start:
        say("Stopped before anything was done.")
        return EXIT_ERROR
    try:
        result: int = args.run(args)
        return result
    except PosError as exc:
        say(f"{exc.title}: {exc.message}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        say("Stopped. Anything unfinished is in the journal; `pos recover` settles it.")
        return EXIT_ERROR
    except Exception as exc:  # never exit 1 ("not paid") from a crash
        log.exception("pos %s failed", args.command)
        say(f"Error: {shown_error(exc)}. Nothing more was done; the details are in pos.log.")
        return EXIT_ERROR


def _flush_quietly() -> None:
    """A closed stdout must not turn the exit code into 120 at interpreter shutdown."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            with contextlib.suppress(OSError):
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def _with_default_command(argv: Sequence[str]) -> list[str]:
    """`pos`, `pos --config FILE` and `pos -v` open the till: no command means `till`."""
    words = list(argv)
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help")):
        return ["till", *words]
    return words


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos", description="The till: Netgíró at the counter.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"pos.cli.{name}").add_commands(commands)
    return parser
