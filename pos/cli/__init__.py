"""Entry points: ``pos`` (the till) and its headless commands, one module each.

Headless commands never import Textual; errors a person can act on are printed as one clear
message (exit 2), never as a traceback. The exit code of ``pos pay`` comes from the last
*durable* state of its payment, whatever failed after it: 0 paid, 1 a durable cancel or decline,
2 everything else. Signals (README "Signals"): the first Ctrl-C cancels this sale's payment (or,
during start-up recovery, keeps the new sale from starting); a second Ctrl-C, SIGTERM or SIGHUP
stops driving within ``call_total_s`` + 2 s and leaves the attempt to recovery.

Module imports stay light (stdlib only) so the signal handlers are in place from the first
moment of ``main``; everything else is imported where it is used.
"""

from __future__ import annotations

from pos.cli.early import install_early_catcher

install_early_catcher()  # first of all, before the slower imports

from pos.cli.app import main  # noqa: E402

__all__ = ["main"]
