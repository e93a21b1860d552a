"""Entry points: ``pos pay``, ``pos journal``, ``pos recover``, ``pos sandbox``, ``pos smoke``.

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

import signal
import sys

_EARLY_SIGNALS: list[int] = []


def _early(signum: int, frame: object) -> None:
    _EARLY_SIGNALS.append(signum)  # replayed by main() once it has a session


# First of all, before the slower imports: a Ctrl-C while Python loads the till is kept for
# main(), never a KeyboardInterrupt traceback. Only when this process *is* `pos` (the console
# script or `python -m pos`), never in a program that merely imports this module.
_PROGRAM = sys.argv[0].replace("\\", "/") if sys.argv else ""
if _PROGRAM.endswith(("/pos", "/pos/__main__.py")) or _PROGRAM == "pos":
    for _signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(_signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(_signum, _early)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any, Literal  # noqa: E402

from pos.core.errors import ConfigError, PosError  # noqa: E402

if TYPE_CHECKING:
    from pos.config import Settings
    from pos.services.checkout_runner import CheckoutRunner
    from pos.services.status import CheckoutView

log = logging.getLogger("pos")
EXIT_ERROR = 2  # pos.services.payment.EXIT_ERROR, not imported here: start-up stays light
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGNALLED_COMMANDS = frozenset({"pay", "recover"})


class _Session:
    """One command's signals, terminal and durable outcome."""

    def __init__(self, command: str = "") -> None:
        self.command = command
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runner: CheckoutRunner | None = None
        self.stage = "starting"  # starting, recovering, paying, done
        self.interrupts = 0
        self.stopping = False
        self.dont_start = False
        self.terminal_gone = False
        self.view: CheckoutView | None = None
        """The payment's last durable state, as the runner published it after its commit."""
        self.outcome_printed = False
        self.call_total_s = 20.0

    def on_signal(self, signum: int, frame: object) -> None:
        """The process's handler: act in the event loop when there is one."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self.handle, signum)
                return
            except RuntimeError:  # the loop closed meanwhile
                pass
        self.handle(signum)

    def handle(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            self.terminal_gone = True  # every later write is dropped, never raised
        first_ctrl_c = signum == signal.SIGINT and self.interrupts == 0 and not self.stopping
        if signum == signal.SIGINT:
            self.interrupts += 1
        if first_ctrl_c and self.command == "pay":
            self._first_ctrl_c()
            return
        self.dont_start = True
        if not self.stopping:
            self.stopping = True
            if self.runner is not None:
                self.runner.stop()
            self.say(
                f"Stopping: an unfinished payment stays in the journal for `pos recover` "
                f"(at most {self.call_total_s + 2:g} s)."
            )

    def _first_ctrl_c(self) -> None:
        if self.stage == "paying" and self.runner is not None and self.runner.press_cancel():
            self.say("Cancelling this sale's payment… (Ctrl-C again stops and leaves it open)")
            return
        self.dont_start = True
        self.say(
            "Ctrl-C: the new sale will not start; the payments being recovered are finished "
            "first (Ctrl-C again stops now)."
        )

    def say(self, line: str) -> None:
        self.write(line, sys.stderr)

    def write(self, line: str, stream: Any) -> None:
        """A line to the terminal; a dead terminal (EIO, a closed pipe) is ignored from then on."""
        if self.terminal_gone:
            return
        try:
            print(line, file=stream, flush=True)
        except (OSError, ValueError):
            self.terminal_gone = True


_SESSIONS = [_Session()]
"""The running command's session, last; one a process, a list only so that tests may run many."""


def _current() -> _Session:
    return _SESSIONS[-1]


def _say(line: str) -> None:
    _current().say(line)


def _out(line: str) -> None:
    _current().write(line, sys.stdout)


def _install_signals(session: _Session) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for signum in HANDLED_SIGNALS:
        previous[signum] = signal.signal(signum, session.on_signal)
    return previous


def _without_early(previous: dict[int, Any]) -> dict[int, Any]:
    """The handlers to restore, with the start-up catcher replaced by the default ones."""
    return {
        signum: (signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        if handler is _early
        else handler
        for signum, handler in previous.items()
    }


def _restore_signals(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``pos`` command; returns its exit code."""
    session = _Session()
    _SESSIONS[:] = [session]
    previous = _install_signals(session)  # first: a Ctrl-C at any moment is handled
    while _EARLY_SIGNALS:
        session.handle(_EARLY_SIGNALS.pop(0))
    try:
        return _main(argv, session, previous)
    finally:
        _flush_quietly()
        if argv is not None:  # called in-process (tests): leave the process as it was
            _restore_signals(previous)
        elif session.command in SIGNALLED_COMMANDS:
            # The exit code is decided: a late signal must not kill the interpreter while it
            # shuts down (Python puts its default handlers back then, and dies by the signal).
            for signum in HANDLED_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)


def _main(argv: Sequence[str] | None, session: _Session, previous: dict[int, Any]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from pos.services.private_files import PRIVATE_UMASK

    os.umask(PRIVATE_UMASK)  # the journal, log and sandbox carts are the till user's alone
    if not getattr(args, "command", None):
        args = parser.parse_args(["till"])  # `pos` alone opens the till
    session.command = args.command
    if args.command not in SIGNALLED_COMMANDS:
        # `pos` (the till), `pos sandbox` and the read-only commands: signals do what they
        # always do (a till whose terminal hangs up stops; recovery finishes its payment).
        _restore_signals(_without_early(previous))
    if session.stopping or session.dont_start:
        _say("Stopped before anything was done.")
        return EXIT_ERROR
    try:
        result: int = args.run(args)
        return result
    except PosError as exc:
        _say(f"{exc.title}: {exc.message}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("Stopped. Anything unfinished is in the journal; `pos recover` settles it.")
        return EXIT_ERROR
    except Exception as exc:  # never exit 1 ("not paid") from a crash
        log.exception("pos %s failed", args.command)
        _say(f"Error: {_shown_error(exc)}. Nothing more was done; the details are in pos.log.")
        return EXIT_ERROR


def _shown_error(exc: BaseException) -> str:
    from pos.core.free_text import safe_text

    text = exc.message if isinstance(exc, PosError) else f"{type(exc).__name__}: {exc}"
    return safe_text(text, 300)


def _shown_text(text: str) -> str:
    """Journaled text for the terminal: an old row may hold ESC, CR or U+202E (safe_text is
    idempotent, so text already made safe is unchanged)."""
    from pos.core.free_text import safe_text

    return safe_text(text, 1000)


def _flush_quietly() -> None:
    """A closed stdout must not turn the exit code into 120 at interpreter shutdown."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            with contextlib.suppress(OSError):
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


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
        "--settle",
        nargs=2,
        metavar=("REF", "paid|unpaid"),
        help="settle an unknown or needs-review payment by hand, after checking Netgíró's portal",
    )
    recover.add_argument("--reason", help="why (written into the journal with --settle)")
    recover.add_argument(
        "--manager",
        help="with --settle: your name; your PIN is asked (required once managers exist)",
    )
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
    _add_manager_commands(commands)  # the manager-mode block at the end of this file
    _add_smoke_command(commands)
    return parser


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="register config (TOML); none: the sandbox")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")


def _settings(args: argparse.Namespace, *, need_secret: bool = True) -> Settings:
    from pos.config import load_settings

    settings = load_settings(args.config, need_secret=need_secret)
    _setup_logging(settings, verbose=args.verbose)
    return settings


def _setup_logging(settings: Settings, *, verbose: bool) -> None:
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
    from pos.services.payment import CONFIRMATIONS, exit_code_for, take_keyed_payment
    from pos.services.status import UNKNOWN_LABEL
    from pos.services.wiring import open_till

    session = _current()
    session.loop = asyncio.get_running_loop()
    session.call_total_s = settings.timing.call_total_s
    prompt = _CodePrompt(args.code)
    shown: list[str] = []

    def on_update(view: CheckoutView) -> None:
        if session.stage == "paying":
            session.view = view  # published right after its commit: durable
            if view.is_final and not session.outcome_printed:
                session.outcome_printed = True
                _print_outcome(view, args.json)  # before tear-down, which may still fail
                return
        line = _shown_text(view.note or view.label)
        if view.label == UNKNOWN_LABEL and not line.startswith("Unknown"):
            line = f"{view.label} ({line})"
        if not shown or shown[-1] != line:
            shown.append(line)
            _say(line)
        if view.needs_code and session.runner is not None:
            prompt.ask(session.loop, view, session.runner)

    def proceed() -> bool:
        if session.dont_start:
            return False
        session.stage = "paying"
        return True

    try:
        async with open_till(settings, announce=_say, on_update=on_update) as till:
            session.runner = till.runner
            if session.stopping:
                till.runner.stop()
            session.stage = "recovering"
            _say(f"Taking {format_isk(amount)} from {customer} ({confirmation_name} confirmation)")
            result = await take_keyed_payment(
                till, amount, customer, CONFIRMATIONS[confirmation_name], announce=_say,
                proceed=proceed,
            )  # fmt: skip
            session.stage = "done"
            _print_receipts(till.journal, settings)  # after the outcome
    except Exception as exc:  # a journal that cannot write, a receiver that cannot listen…
        log.exception("pos pay failed")
        _report_failure(exc, session)
        return exit_code_for(None if session.view is None else session.view.phase)
    if result.attempt is None:
        return EXIT_ERROR
    if not session.outcome_printed and session.view is not None:
        session.outcome_printed = True
        _print_outcome(session.view, args.json)
    return exit_code_for(None if session.view is None else session.view.phase)


def _report_failure(exc: BaseException, session: _Session) -> None:
    """What failed, and where the payment stands by the journal (reference, TransactionId)."""
    title = exc.title if isinstance(exc, PosError) else "Error"
    view = session.view
    if view is None:
        _say(f"{title}: {_shown_error(exc)}. No payment was started.")
        return
    paid = view.phase.value == "PAID"
    after = "it is paid." if paid else "`pos recover` settles it."
    _say(
        f"{title}: {_shown_error(exc)}. Payment {view.reference} (TransactionId "
        f"{view.transaction_id or 'none'}) stands at {view.phase.value} in the journal; {after}"
    )
    if not session.outcome_printed:
        session.outcome_printed = True
        _print_outcome(view, json_out=False)


class _CodePrompt:
    """Asks for the SMS code: first the one given with --code, then on stdin."""

    def __init__(self, given: str | None) -> None:
        self._given = given
        self._asked_for: int | None = None

    def ask(self, loop: asyncio.AbstractEventLoop | None, view: Any, runner: Any) -> None:
        if loop is None or (self._asked_for == view.code_tries_left and "again" not in view.note):
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
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            return  # no terminal: nothing was typed, nothing is cancelled
        if not line:
            return  # end of input (a closed terminal) is not an empty line
        action: Callable[..., Any] = runner.press_cancel
        args: tuple[str, ...] = ()
        if line.strip():
            action, args = runner.enter_code, (line.strip(),)
        with contextlib.suppress(RuntimeError):  # the payment already ended
            loop.call_soon_threadsafe(action, *args)


def _print_outcome(view: CheckoutView, json_out: bool) -> None:
    from pos.core.money import format_isk

    outcome = {
        "state": view.phase.value,
        "label": view.label,
        "note": view.note,
        "amount": view.amount,
        "customer": view.customer_masked,
        "reference": view.reference,
        "TransactionId": view.transaction_id,
        "invoice_number": view.invoice_number,
        "result_code": view.result_code,
        "sale_id": view.sale_id,
        "final": view.is_final,
    }
    if json_out:
        _out(json.dumps(outcome, ensure_ascii=False))
        return
    label = view.label if view.is_final else f"Not finished ({view.label})"
    _out(f"{label} — {format_isk(view.amount)}, customer {view.customer_masked}")
    if view.invoice_number is not None:
        _out(f"Netgíró invoice {view.invoice_number}")
    _out(f"Reference {view.reference}, cart {view.transaction_id or '(none)'}")
    if view.note and view.note != view.label:
        _out(_shown_text(view.note))
    if not view.is_final:
        _out("It stays open in the journal: `pos recover` finishes it.")


# --- pos, pos till: the till screen -------------------------------------------------------
# The only block that imports pos.ui (and so Textual), inside the command: the headless
# commands (pay, journal, recover) never load it.


def _add_till(commands: Any) -> None:
    till = commands.add_parser("till", help="open the till screen (what `pos` alone does)")
    _add_config(till)
    till.set_defaults(run=_run_till)


def _run_till(args: argparse.Namespace) -> int:
    from pos.ui.launch import build_app

    settings = _settings(args)
    app = build_app(settings)
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
    from pos.services.status import describe_unsettled, unsettled_sales

    with Journal(settings.journal_file, read_only=True) as journal:
        sales = journal.recent_sales(args.limit)
        unsettled = unsettled_sales(journal)
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
        _out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        _out(f"sale {row['sale_id']}  {row['total']} kr.  {row['status']}  {row['created_at']}")
        for attempt in row["attempts"]:  # type: ignore[attr-defined]
            _out(
                f"  {attempt['reference']}  {attempt['state']:<18} {attempt['customer']}  "
                f"{attempt['TransactionId'] or '-'}"
            )
    if not rows:
        _out("The journal has no sales yet.")
    for item in unsettled:  # however old: until a person settles them
        _out(describe_unsettled(item))
    return 0


def _run_recover(args: argparse.Namespace) -> int:
    # Salvage and settling never call Netgíró: no secret needed.
    settings = _settings(args, need_secret=not (args.salvage or args.settle))
    if args.salvage:
        return _salvage(settings)
    if args.settle:
        return _settle(settings, args.settle[0], args.settle[1], args.reason, args.manager)
    return asyncio.run(_recover(settings, args.json))


def _settle(
    settings: Settings, reference: str, outcome: str, reason: str | None, manager: str | None
) -> int:
    """``pos recover --settle REF paid|unpaid --reason TEXT [--manager NAME]``.

    One event row and the sale's status in one transaction (the journal's ``settle``), then the
    row in the audit chain. Once the register has managers, only a manager (name and PIN)
    settles; before any exists, the shell user does, and is named. The till must be closed.
    """
    import getpass

    from pos.core.free_text import safe_text
    from pos.journal import Journal
    from pos.journal.audit import chain_settlements
    from pos.people.store import PeopleFile
    from pos.services.manager_auth import ManagerAuth
    from pos.services.settling import settle_sale
    from pos.services.wiring import register_lock

    if outcome not in ("paid", "unpaid"):
        _say(f"--settle takes a reference and paid or unpaid, not {safe_text(outcome, 20)!r}.")
        return EXIT_ERROR
    if not (reason or "").strip():
        _say("Say why with --reason: it is written into the journal with the change.")
        return EXIT_ERROR
    settled_as: Literal["paid", "unpaid"] = "paid" if outcome == "paid" else "unpaid"
    people = PeopleFile(settings.people_file)
    has_managers = any(person.role == "manager" for person in people.people())
    if has_managers and not manager:
        _say("This register has managers: settle with --manager NAME (your PIN is asked).")
        return EXIT_ERROR
    with register_lock(settings.data_dir), Journal(settings.journal_file) as journal:
        if manager:
            auth = ManagerAuth(people, journal)
            session = auth.enter_manager_mode(manager, _pin_reader()(f"PIN for {manager}: "))
            sale = settle_sale(auth, session, journal, reference, settled_as, reason or "")
            who = session.actor
        else:
            who = "shell:" + safe_text(_user_name(getpass.getuser), 40)
            sale = journal.settle(reference, settled_as, reason or "", who)
            chain_settlements(journal)
    _out(f"Settled {reference} as {outcome} (by {who}): sale {sale.id} is now {sale.status}.")
    return 0


def _user_name(lookup: Callable[[], str]) -> str:
    try:
        return lookup()
    except (OSError, KeyError):  # no user name in this environment
        return f"uid {os.getuid()}"


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
    from pos.services.status import describe_unsettled, unsettled_sales
    from pos.services.wiring import open_till

    session = _current()
    session.loop = asyncio.get_running_loop()
    session.call_total_s = settings.timing.call_total_s
    async with open_till(settings, announce=_say) as till:
        session.runner = till.runner
        if session.stopping:
            till.runner.stop()
        session.stage = "recovering"
        report = await recover_open_attempts(till.runner, till.journal)
        _print_receipts(till.journal, settings)  # recovery can end sales PAID: their receipts
        unsettled = unsettled_sales(till.journal)
    if as_json:
        _out(
            json.dumps(
                {
                    "recovered": [
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
                    "needs_settling": [_unsettled_json(u) for u in unsettled],
                },
                ensure_ascii=False,
            )
        )
    else:
        for r in report:
            detail = "" if r.note == r.label else f": {_shown_text(r.note)}"
            _out(f"{r.reference}: {r.before.value} → {r.label}{detail}")
        if not report:
            _out("No open payment attempts.")
        for item in unsettled:
            _out(describe_unsettled(item))
    # Unsettled sales are listed every time; the exit code speaks of this run's attempts.
    return 0 if all(r.resolved for r in report) else EXIT_ERROR


def _unsettled_json(item: Any) -> dict[str, object]:
    return {
        "sale_id": item.sale_id,
        "status": item.status,
        "reference": item.reference,
        "TransactionId": item.transaction_id,
        "state": item.phase.value,
        "amount": item.amount,
        "note": item.note,
    }


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
    show.add_argument("--width", type=int, choices=[32, 42, 48], help="default: [receipt] width")
    _add_config(show)
    show.set_defaults(run=_run_receipt_show)
    receipt.set_defaults(run=lambda args: receipt.print_help() or 0)


def _print_receipts(journal: Any, settings: Settings) -> None:
    from pos.services.receipts import configured_printer, print_queued_receipts, receipt_format

    printer = configured_printer(settings)
    print_queued_receipts(journal, printer, receipt_format(settings), announce=_say)


def _run_receipt_show(args: argparse.Namespace) -> int:
    from pos.services.receipts import receipt_format, show_receipt

    settings = _settings(args, need_secret=False)  # read-only: never the secret
    fmt = receipt_format(settings, args.width)
    shown = show_receipt(settings.journal_file, args.number, fmt, copy=args.copy)
    if args.png:
        shown.save_png(args.png)
        _say(f"Receipt {args.number} (sale {shown.sale_id}) drawn to {args.png}")
    else:
        sys.stdout.write(shown.text)
    return 0


# --- manager mode: people, audit (issue 19; one block, kept apart from the other commands) -------


def _add_manager_commands(commands: Any) -> None:
    manager_verbs = _add_people_commands(commands)
    _add_unlock_command(manager_verbs)
    _add_refund_commands(commands)
    _add_reservation_commands(commands)
    _add_audit_commands(commands)


def _add_reservation_commands(commands: Any) -> None:
    found = commands.add_parser(
        "reservation", help="a reservation Netgíró refused to cancel (RESERVED_UNCHARGED)"
    )
    verbs = found.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, says in (("confirm", "charge the customer"), ("release", "let it go")):
        decide = verbs.add_parser(verb, help=f"{says} (a manager's name and PIN)")
        decide.add_argument("reference", help="the payment's Reference (pos recover lists it)")
        decide.add_argument("--manager", required=True, help="your name; your PIN is asked")
        _add_config(decide)
        decide.set_defaults(run=_run_reservation, decision=verb)


def _add_people_commands(commands: Any) -> Any:
    """``pos manager|cashier add|list``; returns the manager's verbs."""
    verbs_of: dict[str, Any] = {}
    for role in ("manager", "cashier"):
        group = commands.add_parser(role, help=f"{role}s of this register (the people file)")
        verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
        add = verbs.add_parser("add", help=f"add a {role}; the PIN is asked twice (not echoed)")
        add.add_argument("name")
        _add_config(add)
        add.set_defaults(run=_run_person_add, role=role)
        listing = verbs.add_parser("list", help=f"the {role}s in the people file (names only)")
        _add_config(listing)
        listing.set_defaults(run=_run_person_list, role=role)
        verbs_of[role] = verbs
    return verbs_of["manager"]


def _add_unlock_command(manager_verbs: Any) -> None:
    unlock = manager_verbs.add_parser(
        "unlock", help="lift a person's PIN lock (needs another manager's name and PIN)"
    )
    unlock.add_argument("locked", help="the locked manager or cashier")
    unlock.add_argument("--manager", required=True, help="your name; your PIN is asked")
    _add_config(unlock)
    unlock.set_defaults(run=_run_unlock)


def _add_refund_commands(commands: Any) -> None:
    refund = commands.add_parser("refund", help="Netgíró refunds (a manager's name and PIN)")
    refund_verbs = refund.add_subparsers(dest="verb", metavar="VERB", required=True)
    send = refund_verbs.add_parser(
        "send", help="refund part or all of a paid sale's Netgíró payment"
    )
    send.add_argument("sale", type=int, help="the sale's number in the journal")
    send.add_argument("amount", help="whole krónur")
    send.add_argument("--reason", required=True, help="sent to Netgíró (at most 100 characters)")
    send.add_argument("--manager", required=True, help="your name; your PIN is asked")
    send.add_argument("--payment", help="the payment's Reference, for a double charge")
    send.add_argument("--json", action="store_true")
    _add_config(send)
    send.set_defaults(run=_run_refund_send)
    settle = refund_verbs.add_parser("settle", help="record what Netgíró's portal shows")
    settle.add_argument("refund", type=int, help="the refund's number (pos refund list)")
    settle.add_argument("outcome", choices=["done", "failed"])
    settle.add_argument("--portal", required=True, help="what Netgíró's portal shows")
    settle.add_argument("--manager", required=True, help="your name; your PIN is asked")
    settle.add_argument("--json", action="store_true")
    _add_config(settle)
    settle.set_defaults(run=_run_refund_settle)
    listing = refund_verbs.add_parser("list", help="every refund (read-only)")
    listing.add_argument("--json", action="store_true")
    _add_config(listing)
    listing.set_defaults(run=_run_refund_list)


def _add_audit_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the hash-chained audit log")
    audit_verbs = audit.add_subparsers(dest="verb", metavar="VERB", required=True)
    verify = audit_verbs.add_parser(
        "verify", help="walk the chain (read-only; works beside the open till)"
    )
    verify.add_argument("--head", help="the chain head printed on a Z (16-64 hex digits)")
    verify.add_argument("--json", action="store_true")
    _add_config(verify)
    verify.set_defaults(run=_run_audit_verify)
    show = audit_verbs.add_parser("show", help="the newest audit rows (read-only)")
    show.add_argument("--limit", type=int, default=30)
    show.add_argument("--json", action="store_true")
    _add_config(show)
    show.set_defaults(run=_run_audit_show)


def _run_person_add(args: argparse.Namespace) -> int:
    import getpass

    from pos.services.people_commands import add_person

    settings = _settings_without_secret(args)
    person = add_person(
        settings.people_file,
        settings.journal_file,
        args.name,
        args.role,
        _pin_reader(),
        actor=f"shell:{getpass.getuser()}",
    )
    print(f"Added {person.role} {person.name} to {settings.people_file}")
    return 0


def _run_unlock(args: argparse.Namespace) -> int:
    from pos.services.refund_commands import unlock_person

    settings = _settings(args)
    asyncio.run(unlock_person(settings, args.manager, _pin_reader(), args.locked))
    print(f"{args.locked} is unlocked.")
    return 0


def _run_reservation(args: argparse.Namespace) -> int:
    from pos.services.refund_commands import decide_reservation

    settings = _settings(args)
    decided = asyncio.run(
        decide_reservation(settings, args.manager, _pin_reader(), args.reference, args.decision)
    )
    print(f"{args.reference}: {decided.state.phase.value} - {decided.note}")
    return 0 if decided.outcome in ("paid", "released") else EXIT_ERROR


def _run_refund_send(args: argparse.Namespace) -> int:
    from pos.core.money import parse_amount
    from pos.services.refund_commands import EXIT_OF_STATUS, send_refund

    amount = parse_amount(args.amount)
    settings = _settings(args)
    record = asyncio.run(
        send_refund(
            settings, args.manager, _pin_reader(), args.sale, amount, args.reason, args.payment
        )
    )
    _print_refunds([record], args.json)
    return EXIT_OF_STATUS[record.status]


def _run_refund_settle(args: argparse.Namespace) -> int:
    from pos.services.refund_commands import settle_refund

    settings = _settings(args)
    outcome: Literal["DONE", "FAILED"] = "DONE" if args.outcome == "done" else "FAILED"
    record = asyncio.run(
        settle_refund(settings, args.manager, _pin_reader(), args.refund, outcome, args.portal)
    )
    _print_refunds([record], args.json)
    return 0


def _run_refund_list(args: argparse.Namespace) -> int:
    from pos.services.refund_commands import list_refunds

    records = list_refunds(_settings_without_secret(args))
    _print_refunds(records, args.json)
    if not records and not args.json:
        print("No refunds yet.")
    return 0


def _print_refunds(records: Sequence[Any], as_json: bool) -> None:
    from dataclasses import asdict

    if as_json:
        print(json.dumps([asdict(r) for r in records], ensure_ascii=False))
        return
    for r in records:
        print(
            f"refund {r.id}  sale {r.sale_id}  {r.amount} kr.  {r.status:<14} {r.manager}  "
            f"{r.reason}"
        )
        if r.note:
            print(f"  {r.note}")


def _run_audit_verify(args: argparse.Namespace) -> int:
    from pos.journal import Journal
    from pos.journal.audit import verify

    settings = _settings_without_secret(args)
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

    settings = _settings_without_secret(args)
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


def _run_person_list(args: argparse.Namespace) -> int:
    from pos.people import PeopleFile

    settings = _settings_without_secret(args)
    names = [p.name for p in PeopleFile(settings.people_file).people() if p.role == args.role]
    for name in names:
        print(name)
    if not names:
        print(f"No {args.role}s yet: add one with `pos {args.role} add NAME`.", file=sys.stderr)
    return 0


def _settings_without_secret(args: argparse.Namespace) -> Settings:
    """People and audit commands never need (or look up) the Netgíró secret."""
    return _settings(args, need_secret=False)


def _pin_reader() -> Any:
    """getpass on a terminal; otherwise one line of stdin per question (scripts and tests)."""
    import getpass

    if sys.stdin.isatty():
        return getpass.getpass

    def from_stdin(prompt: str) -> str:
        _say(prompt)
        return sys.stdin.readline().rstrip("\r\n")

    return from_stdin


# --- pos smoke (the `smoke` helper's block) -----------------------------------------------------


def _add_smoke_command(commands: Any) -> None:
    smoke = commands.add_parser(
        "smoke", help="check this register in seconds: config, journal, devices, Netgíró, payments"
    )
    smoke.add_argument("--json", action="store_true", help="one JSON object, for monitoring")
    smoke.add_argument(
        "--keep", action="store_true", help="keep the smoke's data dir and ESC/POS receipts"
    )
    _add_config(smoke)
    smoke.set_defaults(run=_run_smoke)


def _run_smoke(args: argparse.Namespace) -> int:
    """Exit 0 only if nothing failed; never takes the register lock (works beside the till)."""
    from pos.services.smoke import SmokeOptions, run_smoke

    # No log lines on the terminal unless asked (-v): the report is the output; the smoke
    # logs to its own temporary data dir, never to the register's pos.log.
    handler = logging.StreamHandler(sys.stderr) if args.verbose else logging.NullHandler()
    pos_log = logging.getLogger("pos")
    pos_log.addHandler(handler)
    try:
        report = asyncio.run(run_smoke(SmokeOptions(config=args.config, keep=args.keep)))
    finally:
        pos_log.removeHandler(handler)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            print(line)
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
