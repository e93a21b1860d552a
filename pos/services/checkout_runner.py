"""The checkout runner: drives the pure state machine against Netgíró, journaling every step.

One runner serves every front: ``pos pay``, recovery, the till screen's worker and ``pos smoke``.
Its loop keeps these promises. Every state is committed before its commands run (so a crash
leaves something recovery can finish), and the loop goes on from the state the journal says it
committed. One call at a time per cart: cashier key presses and callbacks wait in an inbox
while a call is in flight, and are acted on after its answer — except that a cancel (or a stop)
abandons a CheckCart at once, which is read-only; money calls run to their limit
(``call_total_s``), and the cashier is told so at once. A failed call is translated to an event
by what it means (not sent, unknown, refused), never to a "no". Backoff waits at least
interval × 2ⁿ (capped), n the persisted count of unknown outcomes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pos.core.cart import CartAnswer
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
from pos.core.result_codes import ConfirmationType, ResultCode
from pos.journal import AttemptRecord, Journal
from pos.netgiro.answers import AnswerContradicts
from pos.netgiro.client import NetgiroClient
from pos.netgiro.errors import AnswerSaysNo, NetgiroError, NotSent, OutcomeUnknown, Refused
from pos.netgiro.requests import CartItem, InsertCartRequest
from pos.services.status import CheckoutView, view_of

log = logging.getLogger(__name__)
_T = TypeVar("_T")

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


CALLBACK_RECHECK_MS = 50
CALLBACK_RECHECKS = 5
"""A callback's CheckCart that still reads 10429 is read again this soon, this many times: the
callback's sender records our 200 only after the receiver has answered it (issue 20)."""


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
    call_total_s: float = 20.0
    """The longest one Netgíró call may take (the client enforces it); a stop waits for it."""


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
    callback_rechecks: int = 0
    """Quick re-reads left for a callback's CheckCart that still sees 10429."""


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
        self._inbox: deque[Event] = deque()
        self._poke: asyncio.Event | None = None
        self._current: AttemptRecord | None = None
        self._at_counter = False
        self._stopping = False

    # --- what the outside world can say while a checkout runs ---------------------------

    def press_cancel(self) -> bool:
        """The cashier cancels this sale's payment. False when no counter checkout runs (during
        recovery nobody at the counter owns the attempt, so a cancel must not reach it)."""
        if not self._at_counter:
            return False
        self._post(CancelPressed())
        return True

    def enter_code(self, code: str) -> None:
        self._post(CodeEntered(code.strip()))

    def stop(self) -> None:
        """Stop driving soon: a CheckCart is abandoned, a money call finishes (≤ call_total_s).

        Whatever is unfinished stays in the journal for recovery.
        """
        self._stopping = True
        self._wake()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def _post(self, event: Event) -> None:
        self._inbox.append(event)
        self._wake()

    def _wake(self) -> None:
        if self._poke is not None:
            self._poke.set()

    def callback_arrived(self, transaction_id: str | None, reference: str | None) -> bool:
        """A verified callback: a reason to CheckCart now. True if it is for this checkout."""
        current = self._current
        if current is None:
            return False
        if not _names_this_cart(current, transaction_id, reference):
            return False
        self._post(CallbackReceived(transaction_id))
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
        state = _expecting(attempt.state, attempt)
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
        return await self._run(drive, request, at_counter=True)

    async def resume(self, attempt: AttemptRecord) -> AttemptRecord:
        """Finish an attempt found open after a restart: re-read first, then act (headless)."""
        drive = _Drive(
            attempt,
            _expecting(attempt.state, attempt),
            [],
            None,
            self._clock() + self.timing.give_up_after_s,
        )
        if self._stopping:
            return attempt
        for callback in self._journal.callbacks_about(attempt.reference):
            if callback["verdict"] == "accepted":
                await self._apply(drive, CallbackReceived(_str_or_none(callback["transaction_id"])))
        await self._apply(drive, Recover())
        return await self._run(drive, None, at_counter=False)

    async def _run(
        self, drive: _Drive, request: InsertCartRequest | None, *, at_counter: bool
    ) -> AttemptRecord:
        self._current = drive.attempt
        self._inbox.clear()  # key presses meant for an earlier checkout
        self._poke = asyncio.Event()
        self._at_counter = at_counter
        self._publish(drive)
        try:
            while (
                not drive.state.is_final and not self._stopping and self._clock() < drive.give_up_at
            ):
                event = await self._next_event(drive, request)
                if event is not None:
                    await self._apply(drive, event)
        finally:
            self._current = None
            self._at_counter = False
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
        committed = self._journal.record(
            drive.attempt.id,
            state,
            event=type(event).__name__,
            point=COMMIT_POINTS[type(event)],
            netgiro_reference_id=reference_id,
        )
        # Go on from what the journal committed: a second PAID on a paid sale comes back
        # NEEDS_REVIEW (a double charge), and the loop must stop there, not print "Paid".
        drive.state = committed
        drive.attempt = self._journal.attempt(drive.attempt.id)
        if drive.state.phase is not state.phase:
            commands = ()
            drive.pending = []
        self._current = drive.attempt
        commands = _after_callback(drive, event, commands)
        if commands:
            # New commands replace what was planned; none keeps it (a timer, a note).
            drive.pending = list(commands)
        self._publish(drive)

    def _publish(self, drive: _Drive, note: str | None = None) -> None:
        state = drive.state if note is None else replace(drive.state, note=note)
        try:
            self._on_update(view_of(drive.attempt, state))
        except Exception:  # a screen that fails (a dead terminal) never stops a payment
            log.exception("on_update failed; the payment goes on")

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
        """An event from the counter or a callback, or the deadline when it comes first.

        None also when a stop was asked for: the loop then ends.
        """
        poke = self._poke
        if not self._inbox and poke is not None and not self._stopping:
            poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poke.wait(), timeout=seconds)
        if self._stopping:
            return None
        if self._inbox:
            return self._inbox.popleft()
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
                if self._stopping:
                    return None
                if outside is not None:
                    left = until - self._clock()
                    drive.pending.insert(0, CheckCart(delay_ms=int(max(0.0, left) * 1000)))
                    return outside
                if self._seconds_left(drive) <= 0 and drive.deadline is None:
                    break
        return await self._cart_call(drive, "check", None)

    def _delay_s(self, command: CheckCart) -> float:
        return delay_before(command, self.timing.backoff_cap_s, self._rng)

    async def _insert(self, drive: _Drive, request: InsertCartRequest) -> Event:
        try:
            answer = await self._money_call(drive, "InsertCart", self._client.insert_cart(request))
        except AnswerContradicts as exc:
            self._apply_late_callbacks(drive)
            return InsertOutcomeUnknown(exc.message, exc.transaction_id, doubtful=True)
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
        for callback in self._journal.callbacks_about(drive.attempt.reference):
            if callback["transaction_id"]:
                drive.state = _with_transaction(drive.state, str(callback["transaction_id"]))

    async def _cart_call(self, drive: _Drive, call: str, identifier: str | None) -> Event | None:
        transaction_id = drive.state.transaction_id
        if transaction_id is None:
            raise RuntimeError(f"{call} without a TransactionId")  # the machine never asks this
        try:
            if call == "check":
                return await self._abandonable_check(drive, transaction_id)
            if call == "confirm":
                confirm = self._client.confirm_cart(transaction_id, identifier)
                return ConfirmAnswered(await self._money_call(drive, "ConfirmCart", confirm))
            cancel = self._client.cancel_cart(transaction_id)
            return CancelAnswered(await self._money_call(drive, "CancelCart", cancel))
        except NotSent as exc:
            return CallFailed(call, "not_sent", exc.message)
        except Refused as exc:
            return CallFailed(call, "refused", exc.message)
        except NetgiroError as exc:
            return CallFailed(call, "unknown", exc.message)

    # --- calls in flight ------------------------------------------------------------------

    async def _abandonable_check(self, drive: _Drive, transaction_id: str) -> Event | None:
        """CheckCart is read-only: a cancel or a stop need not wait for it."""
        task = asyncio.ensure_future(self._client.check_cart(transaction_id))
        try:
            return await self._check_or_cancel(drive, task)
        finally:
            if not task.done():  # this coroutine itself was cancelled: take the call with it
                task.cancel()

    async def _check_or_cancel(
        self, drive: _Drive, task: asyncio.Future[CartAnswer]
    ) -> Event | None:
        while True:
            wanted = next((e for e in self._inbox if isinstance(e, CancelPressed)), None)
            if self._stopping or wanted is not None:
                await _cancelled(task)
                if self._stopping or wanted is None:
                    return None
                self._inbox.remove(wanted)
                drive.pending.insert(0, CheckCart(delay_ms=0))
                return wanted
            if await self._finished_or_poked(task):
                return CheckAnswered(task.result())

    async def _money_call(self, drive: _Drive, name: str, call: Awaitable[_T]) -> _T:
        """InsertCart, ConfirmCart, CancelCart run to their answer or their limit; a cancel or
        a stop asked for meanwhile is acknowledged at once and acted on afterwards."""
        task = asyncio.ensure_future(call)
        try:
            return await self._answer_of(drive, name, task)
        finally:
            if not task.done():  # this coroutine itself was cancelled: take the call with it
                task.cancel()

    async def _answer_of(self, drive: _Drive, name: str, task: asyncio.Future[_T]) -> _T:
        acknowledged = False
        while True:
            asked = self._stopping or any(isinstance(e, CancelPressed) for e in self._inbox)
            if asked and not acknowledged:
                acknowledged = True
                what = "Stopping" if self._stopping else "Cancelling"
                self._publish(
                    drive,
                    f"{what} after Netgíró answers {name} (at most "
                    f"{self.timing.call_total_s:g} s): a payment call is never cut off.",
                )
            if await self._finished_or_poked(task):
                return task.result()

    async def _finished_or_poked(self, task: asyncio.Future[Any]) -> bool:
        """Wait for ``task`` or for news from outside; True once ``task`` is done."""
        poke = self._poke
        if poke is None:
            await asyncio.wait({task})
            return True
        poke.clear()
        waiter = asyncio.ensure_future(poke.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await _cancelled(waiter)
        return task.done()


async def _cancelled(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait until it has stopped; whatever it raised does not matter now.

    The caller's own cancellation, arriving while it waits, is never swallowed with the child's.
    """
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
    except Exception:
        pass


def _names_this_cart(
    attempt: AttemptRecord, transaction_id: str | None, reference: str | None
) -> bool:
    """By its Reference, or by its TransactionId (a GUID: any case); a callback naming
    neither is for no checkout."""
    if reference is not None and reference == attempt.reference:
        return True
    ours = attempt.state.transaction_id
    return (
        transaction_id is not None and ours is not None and transaction_id.lower() == ours.lower()
    )


def delay_before(command: CheckCart, cap_s: float, rng: random.Random) -> float:
    """Seconds to wait before a CheckCart: a poll waits its interval; a backoff step n waits at
    least interval × 2ⁿ, capped at ``cap_s``, with jitter only above that floor (so registers
    fall out of step without ever retrying sooner)."""
    if command.backoff_step <= 0:
        return command.delay_ms / 1000
    base = max(command.delay_ms / 1000, 0.2)
    floor = min(cap_s, base * 2.0 ** min(command.backoff_step, 16))
    return min(cap_s, floor * rng.uniform(1.0, 1.25))


def _expecting(state: Checkout, attempt: AttemptRecord) -> Checkout:
    """The attempt's own amount and Reference, which answers about its cart must agree with."""
    if state.amount is not None and state.reference is not None:
        return state
    return replace(state, amount=attempt.amount, reference=attempt.reference)


def advance_logged(state: Checkout, event: Event) -> tuple[Checkout, tuple[Command, ...]]:
    new_state, commands = advance(state, event)
    log.debug("%s --%s--> %s %s", state.phase, type(event).__name__, new_state.phase, commands)
    return new_state, commands


def _after_callback(
    drive: _Drive, event: Event, commands: tuple[Command, ...]
) -> tuple[Command, ...]:
    """A callback's CheckCart still reading 10429 is re-read at once, a few times, then polled."""
    if isinstance(event, CallbackReceived):
        drive.callback_rechecks = CALLBACK_RECHECKS if commands else 0
        return commands
    if not isinstance(event, CheckAnswered) or drive.callback_rechecks <= 0:
        return commands
    polling = [c for c in commands if isinstance(c, CheckCart) and c.backoff_step == 0]
    waiting = event.answer.result_code == ResultCode.RESERVED_WAITING_FOR_PROVIDER_CALLBACK
    if not (waiting and len(polling) == len(commands) == 1):
        drive.callback_rechecks = 0
        return commands
    drive.callback_rechecks -= 1
    return (CheckCart(delay_ms=CALLBACK_RECHECK_MS),)


def _is_answer(event: Event) -> bool:
    return isinstance(event, InsertAccepted | CheckAnswered | ConfirmAnswered | CancelAnswered)


def _with_transaction(state: Checkout, transaction_id: str) -> Checkout:
    return state if state.transaction_id else replace(state, transaction_id=transaction_id)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
