"""The checkout runner: drives the pure state machine against Netgíró, journaling every step.

One runner serves every front: ``pos pay``, recovery, the till screen's worker and ``pos smoke``.
Its loop keeps three promises. Every state is committed before its commands run (so a crash
leaves something recovery can finish). One call at a time per cart: cashier key presses and
callbacks wait in a queue while a call is in flight, and are acted on after its answer. And a
failed call is translated to an event by what it means (not sent, unknown, refused), never to
a "no".
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from pos.core.checkout import (
    AskForCode,
    CallbackReceived,
    CallFailed,
    CancelAnswered,
    CancelPressed,
    CheckAnswered,
    CheckCart,
    Checkout,
    CodeEntered,
    Command,
    ConfirmAnswered,
    CustomerKind,
    DeadlinePassed,
    Event,
    IllegalEvent,
    InsertAccepted,
    InsertDeclined,
    InsertNotSent,
    InsertOutcomeUnknown,
    InsertRefused,
    Recover,
    SendCancelCart,
    SendConfirmCart,
    SendInsertCart,
    advance,
    start,
)
from pos.core.result_codes import ConfirmationType
from pos.journal import AttemptRecord, Journal
from pos.netgiro.client import NetgiroClient
from pos.netgiro.errors import AnswerSaysNo, NetgiroError, NotSent, OutcomeUnknown, Refused
from pos.netgiro.requests import CartItem, InsertCartRequest
from pos.services.status import CheckoutView, view_of

log = logging.getLogger(__name__)

# The crash point named by each journal commit: one per kind of event the runner commits.
COMMIT_POINTS: dict[type, str] = {
    InsertAccepted: "journal.insert_accepted",
    InsertDeclined: "journal.insert_declined",
    InsertNotSent: "journal.insert_not_sent",
    InsertRefused: "journal.insert_refused",
    InsertOutcomeUnknown: "journal.insert_unknown",
    CheckAnswered: "journal.check_answered",
    ConfirmAnswered: "journal.confirm_answered",
    CancelAnswered: "journal.cancel_answered",
    CallFailed: "journal.call_failed",
    CodeEntered: "journal.code_entered",
    CancelPressed: "journal.cancel_pressed",
    DeadlinePassed: "journal.deadline_passed",
    CallbackReceived: "journal.callback_applied",
    Recover: "journal.recovery_started",
}


@dataclass(frozen=True)
class RunnerTiming:
    """Every timing of a checkout, so tests can run it in seconds."""

    deadline_s: float = 180.0
    """Cancel a cart the customer has not approved by then."""
    give_up_after_s: float = 60.0
    """After the deadline, stop driving an unresolved attempt and leave it to recovery."""
    backoff_cap_s: float = 30.0
    """Longest wait between CheckCart retries after failures."""
    poll_fallback_ms: int = 3000
    """Poll interval when Netgíró does not name one."""
    code_tries: int = 3
    """How many wrong SMS codes before the cart is cancelled."""


@dataclass(frozen=True)
class CustomerForNetgiro:
    """What the runner needs of a customer id: the full value for Netgíró, the masked rest."""

    kind: CustomerKind
    for_netgiro: str = field(repr=False)
    masked: str


@dataclass
class _Drive:
    attempt: AttemptRecord
    state: Checkout
    pending: list[Command]
    deadline: float | None
    give_up_at: float


class CheckoutRunner:
    """Runs one checkout at a time against one Netgíró client and one journal."""

    def __init__(
        self,
        client: NetgiroClient,
        journal: Journal,
        timing: RunnerTiming | None = None,
        *,
        on_update: Callable[[CheckoutView], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._journal = journal
        self.timing = timing or RunnerTiming()
        self._on_update = on_update or (lambda view: None)
        self._rng = rng or random.Random()
        self._clock = clock
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._current: AttemptRecord | None = None

    # --- what the outside world can say while a checkout runs ---------------------------

    def press_cancel(self) -> None:
        self._events.put_nowait(CancelPressed())

    def enter_code(self, code: str) -> None:
        self._events.put_nowait(CodeEntered(code.strip()))

    def callback_arrived(self, transaction_id: str | None, reference: str | None) -> bool:
        """A verified callback: a reason to CheckCart now. True if it is for this checkout."""
        current = self._current
        if current is None:
            return False
        if reference != current.reference and transaction_id != current.state.transaction_id:
            return False
        self._events.put_nowait(CallbackReceived(transaction_id))
        return True

    # --- running ----------------------------------------------------------------------------

    async def pay(
        self,
        sale_id: int,
        customer: CustomerForNetgiro,
        confirmation: ConfirmationType = ConfirmationType.MANUAL,
        *,
        callback_url: str | None = None,
        location_id: str | None = None,
        register_id: str | None = None,
        items: Sequence[CartItem] = (),
    ) -> AttemptRecord:
        """Take one payment for a journaled sale; returns the attempt as it ended (or stood).

        ``items`` go out as CartItemRequests; send them only when they add up to the amount
        the attempt asks (a partial tender sends none).
        """
        state, commands = start(
            customer.kind,
            confirmation,
            poll_fallback_ms=self.timing.poll_fallback_ms,
            code_tries=self.timing.code_tries,
        )
        attempt = self._journal.begin_attempt(sale_id, customer.masked, state)
        request = InsertCartRequest(
            amount=attempt.amount,
            reference=attempt.reference,
            customer_id=customer.for_netgiro,
            confirmation_type=confirmation,
            callback_url=callback_url,
            description=f"Sale {sale_id}",
            location_id=location_id,
            register_id=register_id,
            items=tuple(items),
        )
        now = self._clock()
        drive = _Drive(
            attempt,
            state,
            list(commands),
            now + self.timing.deadline_s,
            now + self.timing.deadline_s + self.timing.give_up_after_s,
        )
        return await self._run(drive, request)

    async def resume(self, attempt: AttemptRecord) -> AttemptRecord:
        """Finish an attempt found open after a restart: re-read first, then act (headless)."""
        drive = _Drive(
            attempt, attempt.state, [], None, self._clock() + self.timing.give_up_after_s
        )
        for callback in self._journal.callbacks():
            if callback["reference"] == attempt.reference and callback["verdict"] == "accepted":
                await self._apply(drive, CallbackReceived(_str_or_none(callback["transaction_id"])))
        await self._apply(drive, Recover())
        return await self._run(drive, None)

    async def _run(self, drive: _Drive, request: InsertCartRequest | None) -> AttemptRecord:
        self._current = drive.attempt
        while not self._events.empty():  # key presses meant for an earlier checkout
            self._events.get_nowait()
        self._publish(drive)
        try:
            while not drive.state.is_final and self._clock() < drive.give_up_at:
                event = await self._next_event(drive, request)
                if event is not None:
                    await self._apply(drive, event)
        finally:
            self._current = None
        if not drive.state.is_final:
            log.warning("attempt %s unresolved; recovery will finish it", drive.attempt.reference)
        return self._journal.attempt(drive.attempt.id)

    async def _apply(self, drive: _Drive, event: Event) -> None:
        try:
            state, commands = advance_logged(drive.state, event)
        except IllegalEvent as exc:
            log.info("ignored: %s", exc)
            return
        reference_id = self._client.last_reference_id if _is_answer(event) else None
        self._journal.record(
            drive.attempt.id,
            state,
            event=type(event).__name__,
            point=COMMIT_POINTS[type(event)],
            netgiro_reference_id=reference_id,
        )
        drive.state = state
        drive.attempt = self._journal.attempt(drive.attempt.id)
        self._current = drive.attempt
        if commands:
            # New commands replace what was planned; none keeps it (a timer, a note).
            drive.pending = list(commands)
        self._publish(drive)

    def _publish(self, drive: _Drive) -> None:
        self._on_update(view_of(drive.attempt, drive.state))

    async def _next_event(self, drive: _Drive, request: InsertCartRequest | None) -> Event | None:
        if not drive.pending:
            return await self._wait_for_outside(drive, self._seconds_left(drive))
        command = drive.pending.pop(0)
        if isinstance(command, AskForCode):
            return await self._wait_for_outside(drive, self._seconds_left(drive))
        if isinstance(command, CheckCart):
            return await self._check_after(drive, command)
        if isinstance(command, SendInsertCart):
            if request is None:
                raise RuntimeError("InsertCart was asked for without a cart to send")
            return await self._insert(drive, request)
        if isinstance(command, SendConfirmCart):
            return await self._cart_call(drive, "confirm", command.identifier)
        if isinstance(command, SendCancelCart):
            return await self._cart_call(drive, "cancel", None)
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover

    def _seconds_left(self, drive: _Drive) -> float:
        until = (
            drive.give_up_at if drive.deadline is None else min(drive.deadline, drive.give_up_at)
        )
        return max(0.0, until - self._clock())

    async def _wait_for_outside(self, drive: _Drive, seconds: float) -> Event | None:
        """An event from the counter or a callback, or the deadline when it comes first."""
        try:
            return await asyncio.wait_for(self._events.get(), timeout=seconds)
        except TimeoutError:
            return self._deadline_event(drive)

    def _deadline_event(self, drive: _Drive) -> Event | None:
        if drive.deadline is not None and self._clock() >= drive.deadline:
            drive.deadline = None
            return DeadlinePassed()
        return None

    async def _check_after(self, drive: _Drive, command: CheckCart) -> Event | None:
        delay = self._delay_s(command)
        if delay > 0:
            until = self._clock() + delay
            while (left := until - self._clock()) > 0:
                outside = await self._wait_for_outside(drive, min(left, self._seconds_left(drive)))
                if outside is not None:
                    drive.pending.insert(0, CheckCart(delay_ms=int(max(0.0, left) * 1000)))
                    return outside
                if self._seconds_left(drive) <= 0 and drive.deadline is None:
                    break
        return await self._cart_call(drive, "check", None)

    def _delay_s(self, command: CheckCart) -> float:
        if command.backoff_step <= 0:
            return command.delay_ms / 1000
        base = max(command.delay_ms / 1000, 0.2)
        ceiling = min(self.timing.backoff_cap_s, base * 2 ** min(command.backoff_step, 16))
        return self._rng.uniform(ceiling / 2, ceiling)  # jitter keeps registers out of step

    async def _insert(self, drive: _Drive, request: InsertCartRequest) -> Event:
        try:
            answer = await self._client.insert_cart(request)
        except AnswerSaysNo as exc:
            return InsertDeclined(exc.result_code, exc.message)
        except NotSent as exc:
            return InsertNotSent(exc.message)
        except Refused as exc:
            return InsertRefused(exc.message)
        except OutcomeUnknown as exc:
            self._apply_late_callbacks(drive)
            return InsertOutcomeUnknown(exc.message)
        if answer.transaction_id is None:
            return InsertOutcomeUnknown("Netgíró's answer named no cart.")
        return InsertAccepted(answer.transaction_id, answer.poll_interval_ms)

    def _apply_late_callbacks(self, drive: _Drive) -> None:
        # A callback can beat InsertCart's answer; it is the only way left to the cart's id.
        for callback in self._journal.callbacks():
            if callback["reference"] == drive.attempt.reference and callback["transaction_id"]:
                drive.state = _with_transaction(drive.state, str(callback["transaction_id"]))

    async def _cart_call(self, drive: _Drive, call: str, identifier: str | None) -> Event:
        transaction_id = drive.state.transaction_id
        if transaction_id is None:
            raise RuntimeError(f"{call} without a TransactionId")  # the machine never asks this
        try:
            if call == "check":
                return CheckAnswered(await self._client.check_cart(transaction_id))
            if call == "confirm":
                return ConfirmAnswered(await self._client.confirm_cart(transaction_id, identifier))
            return CancelAnswered(await self._client.cancel_cart(transaction_id))
        except NotSent as exc:
            return CallFailed(call, "not_sent", exc.message)
        except Refused as exc:
            return CallFailed(call, "refused", exc.message)
        except NetgiroError as exc:
            return CallFailed(call, "unknown", exc.message)


def advance_logged(state: Checkout, event: Event) -> tuple[Checkout, tuple[Command, ...]]:
    new_state, commands = advance(state, event)
    log.debug("%s --%s--> %s %s", state.phase, type(event).__name__, new_state.phase, commands)
    return new_state, commands


def _is_answer(event: Event) -> bool:
    return isinstance(event, InsertAccepted | CheckAnswered | ConfirmAnswered | CancelAnswered)


def _with_transaction(state: Checkout, transaction_id: str) -> Checkout:
    return state if state.transaction_id else replace(state, transaction_id=transaction_id)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
