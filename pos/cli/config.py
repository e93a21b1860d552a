"""``pos config check | init | set``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pos.cli.session import say


def add_commands(commands: Any) -> None:
    config = commands.add_parser("config", help="check, set up or change a register's config")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="every problem of a config file, each with its fix")
    check.add_argument("file", nargs="?", type=Path, help="the config (TOML); or --config")
    check.add_argument("--config", type=Path, dest="config_option", help=argparse.SUPPRESS)
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.set_defaults(run=_run_config_check)

    init = actions.add_parser("init", help="answer a few questions, get a working config")
    init.add_argument("file", nargs="?", type=Path, default=Path("register.toml"))
    init.add_argument("--force", action="store_true", help="replace existing files")
    init.set_defaults(run=_run_config_init)

    change = actions.add_parser("set", help="change one key, keeping the file's comments")
    change.add_argument("key", help="section.key, like register.name")
    change.add_argument("value", help="the new value, typed by the key (007 stays text)")
    change.add_argument("--config", type=Path, required=True, help="the config file to change")
    change.set_defaults(run=_run_config_set)


def _run_config_check(args: argparse.Namespace) -> int:
    from pos.services.config_commands import check

    report = check(args.file or args.config_option)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            print(line)
    return report.exit_code


def _run_config_init(args: argparse.Namespace) -> int:
    import getpass

    from pos.services.config_init import Interview, run_init

    read_secret = getpass.getpass if sys.stdin.isatty() else None
    interview = Interview(sys.stdin, say, read_secret, _prompt if sys.stdin.isatty() else None)
    result = run_init(args.file, interview, say, force=args.force)
    for line in result.report.lines():
        print(line)
    return result.report.exit_code


def _prompt(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def _run_config_set(args: argparse.Namespace) -> int:
    from pos.services.config_commands import set_value

    change = set_value(args.config, args.key, args.value)
    print(f"{change.key} = {json.dumps(change.new, ensure_ascii=False)} in {change.file}")
    # Refused while the till is open, so it takes effect when the till next starts.
    print("The till reads it when it next starts.")
    for problem in change.problems:
        say(f"Still to fix ({problem.severity}): {problem.text}")
    return 0
