"""``pos`` and ``pos till``: the till screen, the only command that imports pos.ui (Textual)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pos.cli.common import add_config, settings_of
from pos.cli.session import EXIT_ERROR


def add_commands(commands: Any) -> None:
    till = commands.add_parser("till", help="open the till screen (what `pos` alone does)")
    add_config(till)
    till.set_defaults(run=_run_till)


def _run_till(args: argparse.Namespace) -> int:
    from pos.ui.launch import build_app

    settings = settings_of(args)
    app = build_app(settings)
    code = app.run()
    if app.failure is not None:
        print(f"{app.failure.title}: {app.failure.message}", file=sys.stderr)
        return EXIT_ERROR
    return code or 0
