"""``pos sandbox``: the Netgíró sandbox and its customer page, on their own."""

from __future__ import annotations

import argparse
from typing import Any

from pos.cli.common import add_config, settings_of


def add_commands(commands: Any) -> None:
    from pos.netgiro.sandbox.cli_args import add_sandbox_arguments

    sandbox = commands.add_parser("sandbox", help="run the Netgíró sandbox and its customer page")
    add_sandbox_arguments(sandbox)
    add_config(sandbox)
    sandbox.set_defaults(run=_run_sandbox)


def _run_sandbox(args: argparse.Namespace) -> int:
    from pos.netgiro.sandbox.cli_args import settings_from_args
    from pos.netgiro.sandbox.server import serve_forever, state_file_in

    settings = settings_of(args, need_secret=False)  # the sandbox needs only the data dir
    serve_forever(settings_from_args(args, state_file_in(settings.data_dir)))
    return 0
