"""``pos journal``: recent sales and payment attempts, read-only (works beside the till)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pos.cli.common import add_config, settings_of, whole_number
from pos.cli.session import out


def add_commands(commands: Any) -> None:
    journal = commands.add_parser("journal", help="recent sales and payment attempts")
    journal.add_argument("--json", action="store_true")
    journal.add_argument("--limit", type=whole_number("sale count"), default=20)
    add_config(journal)
    journal.set_defaults(run=_run_journal)


def _run_journal(args: argparse.Namespace) -> int:
    from pos.journal import Journal
    from pos.services.status import label_of

    settings = settings_of(args, need_secret=False)  # read-only: never the secret
    if not settings.journal_file.exists():
        print("The journal has no sales yet.")
        return 0
    from pos.services.status import (
        describe_unknown_refund,
        describe_unsettled,
        refunds_unknown,
        unsettled_sales,
    )

    with Journal(settings.journal_file, read_only=True) as journal:
        sales = journal.recent_sales(args.limit)
        unsettled = unsettled_sales(journal)
        unknown = refunds_unknown(journal)
    rows = [
        {
            "sale_id": sale.id,
            "total": sale.total,
            "status": sale.status,
            "created_at": sale.created_at,
            "attempts": [
                {
                    "reference": a.reference,
                    "TransactionId": a.state.transaction_id,
                    "state": a.state.phase.value,
                    "label": label_of(a.state),
                    "customer": a.customer_masked,
                    "invoice_number": a.state.invoice_number,
                    "note": a.state.note,
                }
                for a in sale.attempts
            ],
        }
        for sale in sales
    ]
    if args.json:
        out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        out(f"sale {row['sale_id']}  {row['total']} kr.  {row['status']}  {row['created_at']}")
        for attempt in row["attempts"]:  # type: ignore[attr-defined]
            out(
                f"  {attempt['reference']}  {attempt['state']:<18} {attempt['customer']}  "
                f"{attempt['TransactionId'] or '-'}"
            )
    if not rows:
        out("The journal has no sales yet.")
    for item in unsettled:  # however old: until a person settles them
        out(describe_unsettled(item))
    for refund in unknown:
        out(describe_unknown_refund(refund))
    return 0
