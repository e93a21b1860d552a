"""The start-up catcher: a Ctrl-C while Python loads the till is kept for ``main``.

Stdlib only, imported first of all by ``pos.cli``, so no KeyboardInterrupt traceback can come
from the slower imports that follow.
"""

from __future__ import annotations

import signal
import sys

EARLY_SIGNALS: list[int] = []


def early_catcher(signum: int, frame: object) -> None:
    EARLY_SIGNALS.append(signum)  # replayed by main() once it has a session


def install_early_catcher() -> None:
    """Only when this process *is* `pos` (the console script or `python -m pos`), never in a
    program that merely imports the module."""
    program = sys.argv[0].replace("\\", "/") if sys.argv else ""
    if program.endswith(("/pos", "/pos/__main__.py")) or program == "pos":
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
                signal.signal(signum, early_catcher)
