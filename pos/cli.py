"""Entry points: ``pos pay``, ``pos journal``, ``pos recover``, ``pos sandbox``.

Headless commands never import Textual; errors a person can act on are printed as one clear
message (exit 2), never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pos.config import Settings, load_settings
from pos.core.errors import ConfigError, PosError
from pos.services.payment import EXIT_ERROR
from pos.services.private_files import PRIVATE_UMASK, private_dir, private_file

log = logging.getLogger("pos")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``pos`` command; returns its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    os.umask(PRIVATE_UMASK)  # the journal, log and sandbox carts are the till user's alone
    if not getattr(args, "command", None):
        args = parser.parse_args(["till"])  # `pos` alone opens the till
    try:
        result: int = args.run(args)
        return result
    except PosError as exc:
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(
            "Stopped. Anything unfinished is in the journal; `pos recover` settles it.",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    from pos.netgiro.sandbox.cli_args import add_sandbox_arguments

    parser = argparse.ArgumentParser(prog="pos", description="The till: Netgíró at the counter.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    pay = commands.add_parser("pay", help="take one Netgíró payment at the counter")
    pay.add_argument("amount", help="whole krónur: 1990, 1.990 or '1 990'")
    pay.add_argument("customer", help="7-digit mobile number, kennitala, or the app code")
    pay.add_argument("--confirmation", choices=["manual", "automatic", "callback"])
    pay.add_argument("--kind", choices=["gsm", "ssn", "app_code"], help="override detection")
    pay.add_argument("--code", help="the SMS payment code, if the customer already has it")
    pay.add_argument("--json", action="store_true", help="print the outcome as JSON")
    _add_config(pay)
    pay.set_defaults(run=_run_pay)

    journal = commands.add_parser("journal", help="recent sales and payment attempts")
    journal.add_argument("--json", action="store_true")
    journal.add_argument("--limit", type=int, default=20)
    _add_config(journal)
    journal.set_defaults(run=_run_journal)

    recover = commands.add_parser("recover", help="resolve open payment attempts now")
    recover.add_argument("--json", action="store_true")
    recover.add_argument(
        "--salvage",
        action="store_true",
        help="a damaged journal: copy it aside, recover what can be read, list open payments",
    )
    _add_config(recover)
    recover.set_defaults(run=_run_recover)

    _add_till(commands)
    _add_receipt_commands(commands)

    sandbox = commands.add_parser("sandbox", help="run the Netgíró sandbox and its customer page")
    add_sandbox_arguments(sandbox)
    _add_config(sandbox)
    sandbox.set_defaults(run=_run_sandbox)
    _add_config_commands(commands)
    return parser


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="register config (TOML); none: the sandbox")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")


def _settings(args: argparse.Namespace, *, need_secret: bool = True) -> Settings:
    settings = load_settings(args.config, need_secret=need_secret)
    _setup_logging(settings, verbose=args.verbose)
    return settings


def _setup_logging(settings: Settings, *, verbose: bool) -> None:
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


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- pos pay ------------------------------------------------------------------------------


def _run_pay(args: argparse.Namespace) -> int:
    from pos.core.customer_ids import parse_customer_id
    from pos.core.money import parse_amount

    amount = parse_amount(args.amount)
    settings = _settings(args)
    parsed = parse_customer_id(args.customer, sandbox=settings.sandbox_mode, kind=args.kind)
    for warning in parsed.warnings:
        _say(f"Note: {warning}")
    confirmation = args.confirmation or settings.netgiro.confirmation
    callback_problem = settings.netgiro.callback_problem(confirmation)  # --confirmation callback
    if callback_problem:
        raise ConfigError(f"{settings.source}: {callback_problem}")
    return asyncio.run(_pay(settings, amount, parsed.customer, confirmation, args))


async def _pay(
    settings: Settings, amount: int, customer: Any, confirmation_name: str, args: argparse.Namespace
) -> int:
    from pos.core.money import format_isk
    from pos.services.payment import CONFIRMATIONS, take_keyed_payment
    from pos.services.status import UNKNOWN_LABEL, CheckoutView
    from pos.services.wiring import open_till

    loop = asyncio.get_running_loop()
    prompt = _CodePrompt(args.code)
    shown: list[str] = []

    def on_update(view: CheckoutView) -> None:
        line = view.note or view.label
        if view.label == UNKNOWN_LABEL and not line.startswith("Unknown"):
            line = f"{view.label} ({view.note})"
        if not shown or shown[-1] != line:
            shown.append(line)
            _say(line)
        if view.needs_code:
            prompt.ask(loop, view, till_holder[0].runner)

    till_holder: list[Any] = []
    async with open_till(settings, announce=_say, on_update=on_update) as till:
        till_holder.append(till)
        loop.add_signal_handler(signal.SIGINT, till.runner.press_cancel)
        _say(f"Taking {format_isk(amount)} from {customer} ({confirmation_name} confirmation)")
        result = await take_keyed_payment(
            till, amount, customer, CONFIRMATIONS[confirmation_name], announce=_say
        )
        _print_receipts(till.journal, settings, args.config)
    _print_outcome(result.attempt, args.json)
    return result.exit_code


class _CodePrompt:
    """Asks for the SMS code: first the one given with --code, then on stdin."""

    def __init__(self, given: str | None) -> None:
        self._given = given
        self._asked_for: int | None = None

    def ask(self, loop: asyncio.AbstractEventLoop, view: Any, runner: Any) -> None:
        if self._asked_for == view.code_tries_left and "again" not in view.note:
            return
        self._asked_for = view.code_tries_left
        if self._given:
            code, self._given = self._given, None
            loop.call_soon(runner.enter_code, code)
            return
        _say(f"SMS code ({view.code_tries_left} tries left, empty line cancels): ")
        threading.Thread(target=self._read, args=(loop, runner), daemon=True).start()

    @staticmethod
    def _read(loop: asyncio.AbstractEventLoop, runner: Any) -> None:
        line = sys.stdin.readline().strip()
        if line:
            loop.call_soon_threadsafe(runner.enter_code, line)
        else:
            loop.call_soon_threadsafe(runner.press_cancel)


def _print_outcome(attempt: Any, as_json: bool) -> None:
    from pos.core.money import format_isk
    from pos.services.status import label_of

    state = attempt.state
    outcome = {
        "state": state.phase.value,
        "label": label_of(state),
        "note": state.note,
        "amount": attempt.amount,
        "customer": attempt.customer_masked,
        "reference": attempt.reference,
        "TransactionId": state.transaction_id,
        "invoice_number": state.invoice_number,
        "result_code": state.result_code,
        "sale_id": attempt.sale_id,
    }
    if as_json:
        print(json.dumps(outcome, ensure_ascii=False))
        return
    print(f"{label_of(state)} — {format_isk(attempt.amount)}, customer {attempt.customer_masked}")
    if state.invoice_number is not None:
        print(f"Netgíró invoice {state.invoice_number}")
    print(f"Reference {attempt.reference}, cart {state.transaction_id or '(none)'}")
    if state.note and state.note != label_of(state):
        print(state.note)


# --- pos, pos till: the till screen -------------------------------------------------------
# The only block that imports pos.ui (and so Textual), inside the command: the headless
# commands (pay, journal, recover) never load it.


def _add_till(commands: Any) -> None:
    till = commands.add_parser("till", help="open the till screen (what `pos` alone does)")
    _add_config(till)
    till.set_defaults(run=_run_till)


def _run_till(args: argparse.Namespace) -> int:
    from pos.ui.launch import build_app, read_document

    settings = _settings(args)
    app = build_app(settings, read_document(args.config))
    code = app.run()
    if app.failure is not None:
        print(f"{app.failure.title}: {app.failure.message}", file=sys.stderr)
        return EXIT_ERROR
    return code or 0


# --- pos journal, pos recover, pos sandbox ------------------------------------------------


def _run_journal(args: argparse.Namespace) -> int:
    from pos.journal import Journal
    from pos.services.status import label_of

    settings = _settings(args, need_secret=False)  # read-only: never the secret
    if not settings.journal_file.exists():
        print("The journal has no sales yet.")
        return 0
    with Journal(settings.journal_file, read_only=True) as journal:
        sales = journal.recent_sales(args.limit)
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
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"sale {row['sale_id']}  {row['total']} kr.  {row['status']}  {row['created_at']}")
        for attempt in row["attempts"]:  # type: ignore[attr-defined]
            print(
                f"  {attempt['reference']}  {attempt['state']:<18} {attempt['customer']}  "
                f"{attempt['TransactionId'] or '-'}"
            )
    if not rows:
        print("The journal has no sales yet.")
    return 0


def _run_recover(args: argparse.Namespace) -> int:
    settings = _settings(args, need_secret=not args.salvage)  # salvage never calls Netgíró
    if args.salvage:
        return _salvage(settings)
    return asyncio.run(_recover(settings, args.json))


def _salvage(settings: Settings) -> int:
    """Copy a damaged journal aside, recover it, and list what a manager must check."""
    from pos.journal.health import salvage
    from pos.services.wiring import register_lock

    with register_lock(settings.data_dir):
        report = salvage(settings.journal_file)
    print(f"Copied the journal and its -wal/-shm files to {report.copied_to}")
    if report.recovered is not None:
        print(f"Recovered what could be read into {report.recovered}")
        print("After checking it, a technician may put it in place of the damaged journal.")
    else:
        print(f"Could not recover the rows: {report.problem}")
    for found in report.open_attempts:
        print(
            f"OPEN  {found.reference}  {found.phase}  {found.amount} kr.  "
            f"TransactionId {found.transaction_id or '-'}: check it in Netgíró's portal"
        )
    if not report.open_attempts:
        print("No open payment could be read; check the day's payments in Netgíró's portal.")
    return EXIT_ERROR


async def _recover(settings: Settings, as_json: bool) -> int:
    from pos.services.recovery import recover_open_attempts
    from pos.services.wiring import open_till

    async with open_till(settings, announce=_say) as till:
        report = await recover_open_attempts(till.runner, till.journal)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "reference": r.reference,
                        "TransactionId": r.transaction_id,
                        "before": r.before.value,
                        "state": r.after.value,
                        "label": r.label,
                        "note": r.note,
                        "resolved": r.resolved,
                    }
                    for r in report
                ],
                ensure_ascii=False,
            )
        )
    else:
        for r in report:
            detail = "" if r.note == r.label else f": {r.note}"
            print(f"{r.reference}: {r.before.value} → {r.label}{detail}")
        if not report:
            print("No open payment attempts.")
    return 0 if all(r.resolved for r in report) else EXIT_ERROR


def _run_sandbox(args: argparse.Namespace) -> int:
    from pos.netgiro.sandbox.cli_args import settings_from_args
    from pos.netgiro.sandbox.server import serve_forever, state_file_in

    settings = _settings(args, need_secret=False)  # the sandbox needs only the data dir
    serve_forever(settings_from_args(args, state_file_in(settings.data_dir)))
    return 0


# --- pos config check | init | set (the `config` helper's block) ------------------------------


def _add_config_commands(commands: Any) -> None:
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
    interview = Interview(sys.stdin, _say, read_secret, _prompt if sys.stdin.isatty() else None)
    result = run_init(args.file, interview, _say, force=args.force)
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
        _say(f"Still to fix ({problem.severity}): {problem.text}")
    return 0


# --- pos receipt (receipts and devices) ------------------------------------------------------


def _add_receipt_commands(commands: Any) -> None:
    receipt = commands.add_parser("receipt", help="receipts from the journal")
    receipt_commands = receipt.add_subparsers(dest="receipt_command", metavar="COMMAND")
    show = receipt_commands.add_parser("show", help="show receipt N (read-only; beside the till)")
    show.add_argument("number", type=int, help="the receipt number (sales before numbers: sale id)")
    show.add_argument("--png", type=Path, metavar="FILE", help="draw it as a PNG picture instead")
    show.add_argument("--copy", action="store_true", help="show it as the next AFRIT copy")
    show.add_argument("--width", type=int, choices=[32, 42, 48], default=48)
    _add_config(show)
    show.set_defaults(run=_run_receipt_show)
    receipt.set_defaults(run=lambda args: receipt.print_help() or 0)


def _receipt_format(settings: Settings, config: Path | None, width: int = 48) -> Any:
    """Templates from ``receipts/`` beside the config file (without one: the current folder)."""
    from pos.services.printing import ReceiptFormat, read_templates
    from pos.services.receipts import store_header

    folder = (config.parent if config else Path.cwd()) / "receipts"
    store = store_header(settings.store, settings.register.store_id)
    return ReceiptFormat(width=width, templates=read_templates(folder), store=store)


def _print_receipts(journal: Any, settings: Settings, config: Path | None) -> None:
    from pos.services.receipts import default_printer, print_queued_receipts

    printer = default_printer(settings.data_dir)
    print_queued_receipts(journal, printer, _receipt_format(settings, config), announce=_say)


def _run_receipt_show(args: argparse.Namespace) -> int:
    from pos.services.receipts import show_receipt

    settings = _settings(args, need_secret=False)  # read-only: never the secret
    shown = show_receipt(
        settings.journal_file,
        args.number,
        _receipt_format(settings, args.config, args.width),
        copy=args.copy,
    )
    if args.png:
        shown.save_png(args.png)
        _say(f"Receipt {args.number} (sale {shown.sale_id}) drawn to {args.png}")
    else:
        sys.stdout.write(shown.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
