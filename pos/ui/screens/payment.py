"""The payment screen: the customer field, the waiting view, the SMS code, and the result.

It owns the keys while a payment runs. Enter starts ``workers.pay_netgiro`` once (the view
moves to waiting before the worker starts, so a second Enter finds no field); the session's
CheckoutUpdated messages drive the waiting view; PaymentEnded shows the result in words.
"""

from __future__ import annotations

from enum import Enum

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker

from pos.core.checkout import Phase
from pos.core.customer_ids import CustomerId, parse_customer_id
from pos.core.errors import InputError
from pos.core.keymap import PAYMENT
from pos.services.status import UNKNOWN_LABEL, CheckoutView
from pos.services.till_views import CheckoutUpdated
from pos.ui.context import TillContext
from pos.ui.customer_field import KIND_ORDER, understood, why_not
from pos.ui.demo import qr_lines
from pos.ui.explain import engine_line, explain, phase_word, say_worker_failure, unsure_line
from pos.ui.format import grouped
from pos.ui.keys import bindings
from pos.ui.messages import TillUpdated, WorkFailed
from pos.ui.outcome import outcome_of
from pos.ui.widgets.big_word import BigWord
from pos.ui.widgets.entry_line import EntryLine
from pos.ui.widgets.key_bar import KeyBar
from pos.ui.workers import PaymentEnded, pay_netgiro

SCAN_DIGITS = 8  # an SMS code is shorter: 8+ digits in the code field is a scan


class Stage(Enum):
    ENTRY = "entry"
    WAITING = "waiting"
    CODE = "code"
    RESULT = "result"


class PaymentScreen(Screen[None]):
    """One Netgíró payment for the balance due."""

    BINDINGS = bindings(PAYMENT, {"payment_switch_kind": "switch_kind", "payment_cancel": "cancel"})

    def __init__(self, context: TillContext, amount: int) -> None:
        super().__init__()
        self.context = context
        self.session = context.session
        self.say = context.messages
        self.amount = amount
        self.stage = Stage.ENTRY
        self.kind: str | None = None
        self.cancel_asked = False
        self.started_at: float | None = None
        self.last_view: CheckoutView | None = None
        self.code_sent = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        say_worker_failure(self, self.say, event)

    def compose(self) -> ComposeResult:
        say = self.say
        yield Static(say("payment.title", amount=grouped(self.amount)), id="pay-title")
        with Vertical(id="pay-entry"):
            yield Static(say("payment.field_label"), classes="label")
            yield EntryLine(placeholder=say("payment.placeholder"), id="customer")
            yield Static("", id="understood")
        with Vertical(id="pay-waiting"):
            yield BigWord("", id="phase")
            yield Static("", id="engine-note")
            yield Static("", id="countdown")
            yield EntryLine(placeholder=say("payment.code_placeholder"), id="code")
        with Vertical(id="pay-result"):
            yield BigWord("", id="result-word")
            yield Static("", id="result-detail")
            yield Static("", id="result-todo")
        yield Static("", id="demo")
        yield Static("", id="pay-notice")
        yield KeyBar(self.say)

    def on_mount(self) -> None:
        self._show_demo()
        self._stage(Stage.ENTRY)
        self.set_interval(1.0, self._tick)

    def describe_key(self, binding_id: str) -> str | None:
        """The key bar's word for Esc changes with the stage."""
        if binding_id == "payment_cancel":
            return {
                Stage.ENTRY: "keys.payment.back",
                Stage.RESULT: "keys.payment.done",
            }.get(self.stage)
        return None

    # --- stages -----------------------------------------------------------------------------

    def _stage(self, stage: Stage) -> None:
        self.stage = stage
        self.query_one("#pay-entry").display = stage is Stage.ENTRY
        self.query_one("#pay-waiting").display = stage in (Stage.WAITING, Stage.CODE)
        self.query_one("#pay-result").display = stage is Stage.RESULT
        has_demo = self.context.settings.demo is not None
        self.query_one("#demo").display = has_demo and stage is not Stage.RESULT
        code = self.query_one("#code", EntryLine)
        code.display = stage is Stage.CODE
        if stage is Stage.ENTRY:
            self.query_one("#customer", EntryLine).focus()
        elif stage is Stage.CODE:
            code.focus()
        else:
            self.set_focus(None)
        self.refresh_bindings()
        self.query_one(KeyBar).refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_kind":
            return self.stage is Stage.ENTRY
        return True

    # --- the customer field -----------------------------------------------------------------

    @on(Input.Changed, "#customer")
    def typed(self, event: Input.Changed) -> None:
        if self.stage is Stage.ENTRY and event.value:
            self._explain(event.value, final=False)

    def action_switch_kind(self) -> None:
        self.kind = KIND_ORDER[(KIND_ORDER.index(self.kind) + 1) % len(KIND_ORDER)]
        self._explain(self.query_one("#customer", EntryLine).value, final=False)

    def _parse(self, text: str) -> CustomerId | None:
        try:
            parsed = parse_customer_id(
                text, sandbox=self.context.settings.sandbox_mode, kind=self.kind
            )
        except InputError:
            return None
        return parsed.customer

    def _explain(self, text: str, *, final: bool) -> CustomerId | None:
        customer = self._parse(text) if text.strip() else None
        label = self.query_one("#understood", Static)
        forced = self.say(f"payment.kind.{self.kind}") if self.kind else ""
        if customer is not None:
            label.update(understood(self.say, customer, forced))
            label.set_class(False, "error")
        elif final or (text.strip() and len(text.strip()) >= SCAN_DIGITS - 1):
            reason = why_not(self.say, text, self.kind, self.context.settings.sandbox_mode)
            label.update(reason)
            label.set_class(True, "error")
        else:
            label.update(forced)
            label.set_class(False, "error")
        return customer

    @on(Input.Submitted, "#customer")
    def customer_entered(self, event: Input.Submitted) -> None:
        self._submit_customer()

    def take_scan(self, code: str) -> None:
        """A serial scan, as a wedge scan would come: the customer field, Enter; else ignored."""
        if self.stage is not Stage.ENTRY:
            self._notice(self.say("payment.scan_ignored"))
            return
        self.query_one("#customer", EntryLine).value = code
        self._submit_customer()

    def _submit_customer(self) -> None:
        if self.stage is not Stage.ENTRY:
            return
        field = self.query_one("#customer", EntryLine)
        customer = self._explain(field.value, final=True)
        if customer is None:
            return  # the text stays, so the cashier can correct it
        field.take()
        self.started_at = self.context.settings.monotonic()
        self.cancel_asked = False
        self._show_phase(None)
        self._stage(Stage.WAITING)
        self.run_worker(
            pay_netgiro(self, self.session, customer), name="payment", exit_on_error=False
        )

    # --- waiting, code, cancel ----------------------------------------------------------------

    @on(TillUpdated)
    def updated(self, message: TillUpdated) -> None:
        update = message.update
        if not isinstance(update, CheckoutUpdated) or self.stage is Stage.RESULT:
            return
        if self.stage is Stage.ENTRY:
            return
        view = update.view
        self.last_view = view
        if self.code_sent and view.phase is not Phase.CONFIRMING:
            self.code_sent = False  # the code was answered: "code sent, confirming…" is old news
            self._notice("")
        self._show_phase(view)
        if view.needs_code and self.stage is not Stage.CODE:
            self._stage(Stage.CODE)
        elif not view.needs_code and self.stage is Stage.CODE:
            self._stage(Stage.WAITING)

    def _show_phase(self, view: CheckoutView | None) -> None:
        say = self.say
        if view is None:
            word, note = say("phase.INSERTING"), ""
        elif view.label == UNKNOWN_LABEL:
            word, note = say("payment.unsure"), unsure_line(say, view)
        else:
            word, note = phase_word(say, view), ""
        if view is not None and view.needs_code:
            word = say("payment.enter_code", tries=view.code_tries_left)
        self.query_one("#phase", BigWord).update(word)
        engine = ""
        if view is not None:
            line = engine_line(say, view)
            engine = f"{view.customer_masked} · {line}" if line else view.customer_masked
        self.query_one("#engine-note", Static).update("\n".join(x for x in (note, engine) if x))
        self._tick()

    def _tick(self) -> None:
        if self.started_at is None or self.stage not in (Stage.WAITING, Stage.CODE):
            return
        elapsed = self.context.settings.monotonic() - self.started_at
        left = max(0, int(self.context.settings.deadline_s - elapsed))
        self.query_one("#countdown", Static).update(
            self.say("payment.countdown", time=f"{left // 60}:{left % 60:02d}")
        )

    @on(Input.Submitted, "#code")
    def code_entered(self, event: Input.Submitted) -> None:
        code, _times = self.query_one("#code", EntryLine).take()
        digits = "".join(ch for ch in code if ch.isdigit())
        if len(digits) >= SCAN_DIGITS:
            self._notice(self.say("payment.scan_ignored"))
            return
        if not digits:
            return
        self._notice(self.say("payment.code_sent"))
        self.code_sent = True
        self.session.enter_code(digits)

    def on_key(self, event: events.Key) -> None:
        """A scan (or typing) on the waiting view goes nowhere: say so."""
        if self.stage is Stage.WAITING and (event.is_printable or event.key == "enter"):
            event.stop()
            self._notice(self.say("payment.scan_ignored"))

    def action_cancel(self) -> None:
        if self.stage is Stage.ENTRY or self.stage is Stage.RESULT:
            self.dismiss()
        elif not self.cancel_asked:
            self.cancel_asked = True
            self._notice(self.say("payment.cancel_ask"))
        else:
            self._notice(self.say("payment.cancelling"))
            self.session.cancel_payment()

    def _notice(self, text: str) -> None:
        self.query_one("#pay-notice", Static).update(text)

    # --- the end ---------------------------------------------------------------------------

    @on(PaymentEnded)
    def ended(self, message: PaymentEnded) -> None:
        result = message.result
        self._show_result(result.checkout)
        if result.paid and result.summary.receipt_no is not None:
            self._notice(self.say("result.receipt", receipt=result.summary.receipt_no))

    @on(WorkFailed)
    def failed(self, message: WorkFailed) -> None:
        if self.stage is Stage.RESULT:
            return
        self._stage(Stage.ENTRY)
        label = self.query_one("#understood", Static)
        label.update(explain(self.say, message.error))
        label.set_class(True, "error")

    def _show_result(self, view: CheckoutView) -> None:
        outcome = outcome_of(view)
        word = self.query_one("#result-word", BigWord)
        word.update(self.say(f"result.{outcome}"))
        word.set_classes(f"outcome-{outcome}")
        detail = self.say(
            "result.detail",
            amount=grouped(view.amount),
            customer=view.customer_masked,
            invoice=view.invoice_number if view.invoice_number is not None else "-",
        )
        reason = engine_line(self.say, view) if outcome != "paid" else ""
        if reason and reason.casefold() != self.say(f"result.{outcome}").casefold():
            detail += "\n" + self.say("result.reason", reason=reason)
        self.query_one("#result-detail", Static).update(detail)
        self.query_one("#result-todo", Static).update(self.say(f"result.todo_{outcome}"))
        self._notice("")
        self._stage(Stage.RESULT)

    def _show_demo(self) -> None:
        demo = self.context.settings.demo
        target = self.query_one("#demo", Static)
        if demo is None:
            return
        lines = [
            self.say(
                "demo.customers",
                gsm=", ".join(demo.gsm_numbers),
                ssn=demo.ssn_with_code,
                declined=demo.ssn_declined,
            ),
            self.say("demo.page", url=demo.customer_page_url),
        ]
        if demo.phone_can_reach:
            lines.extend(qr_lines(demo.customer_page_url))
        target.update("\n".join(lines))
