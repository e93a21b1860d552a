"""``pos pay AMOUNT CUSTOMER``: one Netgíró payment at the counter, headless."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_config, print_receipts, settings_of, shown_error, shown_text
from pos.cli.session import EXIT_ERROR, Session, current_session, out, say
from pos.core.errors import ConfigError, PosError

if TYPE_CHECKING:
    import asyncio

    from pos.config import Settings
    from pos.services.status import CheckoutView

log = logging.getLogger("pos")


def add_commands(commands: Any) -> None:
    pay = commands.add_parser("pay", help="take one Netgíró payment at the counter")
    pay.add_argument("amount", help="whole krónur: 1990, 1.990 or '1 990'")
    pay.add_argument("customer", help="7-digit mobile number, kennitala, or the app code")
    pay.add_argument("--confirmation", choices=["manual", "automatic", "callback"])
    pay.add_argument("--kind", choices=["gsm", "ssn", "app_code"], help="override detection")
    pay.add_argument("--code", help="the SMS payment code, if the customer already has it")
    pay.add_argument("--json", action="store_true", help="print the outcome as JSON")
    add_config(pay)
    pay.set_defaults(run=_run_pay)


def _run_pay(args: argparse.Namespace) -> int:
    import asyncio

    from pos.core.customer_ids import parse_customer_id
    from pos.core.money import parse_amount

    amount = parse_amount(args.amount)
    settings = settings_of(args)
    parsed = parse_customer_id(args.customer, sandbox=settings.sandbox_mode, kind=args.kind)
    for warning in parsed.warnings:
        say(f"Note: {warning}")
    confirmation = args.confirmation or settings.netgiro.confirmation
    callback_problem = settings.netgiro.callback_problem(confirmation)  # --confirmation callback
    if callback_problem:
        raise ConfigError(f"{settings.source}: {callback_problem}")
    return asyncio.run(_pay(settings, amount, parsed.customer, confirmation, args))


async def _pay(
    settings: Settings, amount: int, customer: Any, confirmation_name: str, args: argparse.Namespace
) -> int:
    import asyncio

    from pos.core.money import format_isk
    from pos.services.payment import CONFIRMATIONS, exit_code_for, take_keyed_payment
    from pos.services.status import UNKNOWN_LABEL
    from pos.services.wiring import open_till

    session = current_session()
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
        line = shown_text(view.note or view.label)
        if view.label == UNKNOWN_LABEL and not line.startswith("Unknown"):
            line = f"{view.label} ({line})"
        if not shown or shown[-1] != line:
            shown.append(line)
            say(line)
        if view.needs_code and session.runner is not None:
            prompt.ask(session.loop, view, session.runner)

    def proceed() -> bool:
        if session.dont_start:
            return False
        session.stage = "paying"
        return True

    try:
        async with open_till(settings, announce=say, on_update=on_update) as till:
            session.runner = till.runner
            if session.stopping:
                till.runner.stop()
            session.stage = "recovering"
            say(f"Taking {format_isk(amount)} from {customer} ({confirmation_name} confirmation)")
            result = await take_keyed_payment(
                till, amount, customer, CONFIRMATIONS[confirmation_name], announce=say,
                proceed=proceed,
            )  # fmt: skip
            session.stage = "done"
            print_receipts(till.journal, settings)  # after the outcome
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


def _report_failure(exc: BaseException, session: Session) -> None:
    """What failed, and where the payment stands by the journal (reference, TransactionId)."""
    title = exc.title if isinstance(exc, PosError) else "Error"
    view = session.view
    if view is None:
        say(f"{title}: {shown_error(exc)}. No payment was started.")
        return
    paid = view.phase.value == "PAID"
    after = "it is paid." if paid else "`pos recover` settles it."
    say(
        f"{title}: {shown_error(exc)}. Payment {view.reference} (TransactionId "
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
        say(f"SMS code ({view.code_tries_left} tries left, empty line cancels): ")
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
        out(json.dumps(outcome, ensure_ascii=False))
        return
    label = view.label if view.is_final else f"Not finished ({view.label})"
    out(f"{label} — {format_isk(view.amount)}, customer {view.customer_masked}")
    if view.invoice_number is not None:
        out(f"Netgíró invoice {view.invoice_number}")
    out(f"Reference {view.reference}, cart {view.transaction_id or '(none)'}")
    if view.note and view.note != view.label:
        out(shown_text(view.note))
    if not view.is_final:
        out("It stays open in the journal: `pos recover` finishes it.")
