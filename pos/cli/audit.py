"""``pos audit verify | show``: the hash-chained audit log, read-only."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pos.cli.common import add_config, settings_without_secret, whole_number
from pos.cli.session import EXIT_ERROR


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the hash-chained audit log")
    audit_verbs = audit.add_subparsers(dest="verb", metavar="VERB", required=True)
    verify = audit_verbs.add_parser(
        "verify", help="walk the chain (read-only; works beside the open till)"
    )
    verify.add_argument("--head", help="the chain head printed on a Z (16-64 hex digits)")
    verify.add_argument("--json", action="store_true")
    add_config(verify)
    verify.set_defaults(run=_run_audit_verify)
    show = audit_verbs.add_parser("show", help="the newest audit rows (read-only)")
    show.add_argument("--limit", type=whole_number("row count"), default=30)
    show.add_argument("--json", action="store_true")
    add_config(show)
    show.set_defaults(run=_run_audit_show)


def _run_audit_verify(args: argparse.Namespace) -> int:
    from pos.journal import Journal
    from pos.journal.audit import verify

    settings = settings_without_secret(args)
    if not settings.journal_file.exists():
        print("There is no journal yet, so no audit log to check.")
        return 0
    with Journal(settings.journal_file, read_only=True) as journal:
        report = verify(journal, args.head)
    if args.json:
        print(json.dumps({**report.__dict__, "ok": report.ok}, ensure_ascii=False))
    elif report.ok:
        anchored = f"; the Z's head is row {report.head_seq}" if report.head_seq else ""
        print(
            f"The audit chain holds: {report.rows} rows, head {report.head or '(empty)'}{anchored}."
        )
    else:
        for problem in filter(None, [report.problem, *_missing(report.missing_triggers)]):
            print(f"BROKEN: {problem}")
    return 0 if report.ok else EXIT_ERROR


def _run_audit_show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from pos.journal import Journal
    from pos.journal.audit import newest

    settings = settings_without_secret(args)
    if not settings.journal_file.exists():
        print("There is no journal yet, so no audit log.")
        return 0
    with Journal(settings.journal_file, read_only=True) as journal:
        rows = newest(journal, max(1, args.limit))
    if args.json:
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False))
        return 0
    for row in rows:
        details = json.dumps(row.details, ensure_ascii=False, sort_keys=True)
        print(f"{row.seq:>6}  {row.at}  {row.actor:<24} {row.action:<20} {details}")
    return 0


def _missing(triggers: tuple[str, ...]) -> list[str]:
    return [f"the append-only trigger {name} is missing (someone dropped it)" for name in triggers]
