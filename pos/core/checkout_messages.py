"""What flows through the checkout machine: events in (answers, key presses, timers, restarts), commands out."""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.cart import CartAnswer

# --- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsertAccepted:
    transaction_id: str
    poll_interval_ms: int | None = None


@dataclass(frozen=True)
class InsertDeclined:
    result_code: int
    message: str


@dataclass(frozen=True)
class InsertNotSent:
    message: str


@dataclass(frozen=True)
class InsertRefused:
    message: str


@dataclass(frozen=True)
class InsertOutcomeUnknown:
    """InsertCart's outcome is unknown; ``transaction_id`` when an untrusted answer named a cart.

    ``doubtful``: the answer contradicted itself (``Success=false`` with a TransactionId).
    """

    message: str
    transaction_id: str | None = None
    doubtful: bool = False


@dataclass(frozen=True)
class CheckAnswered:
    answer: CartAnswer


@dataclass(frozen=True)
class ConfirmAnswered:
    answer: CartAnswer


@dataclass(frozen=True)
class CancelAnswered:
    answer: CartAnswer


@dataclass(frozen=True)
class CallFailed:
    """CheckCart, ConfirmCart or CancelCart gave no usable answer (``kind`` says why)."""

    call: str  # "check" | "confirm" | "cancel"
    kind: str  # "not_sent" | "unknown" | "refused"
    message: str


@dataclass(frozen=True)
class CodeEntered:
    code: str

    def __repr__(self) -> str:
        return "CodeEntered(code=***)"


@dataclass(frozen=True)
class CancelPressed:
    pass


@dataclass(frozen=True)
class DeadlinePassed:
    pass


@dataclass(frozen=True)
class CallbackReceived:
    transaction_id: str | None = None


@dataclass(frozen=True)
class Recover:
    """The till restarted (or a recovery job runs): nobody at the counter drives this attempt."""


Event = (
    InsertAccepted
    | InsertDeclined
    | InsertNotSent
    | InsertRefused
    | InsertOutcomeUnknown
    | CheckAnswered
    | ConfirmAnswered
    | CancelAnswered
    | CallFailed
    | CodeEntered
    | CancelPressed
    | DeadlinePassed
    | CallbackReceived
    | Recover
)

# --- commands ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendInsertCart:
    pass


@dataclass(frozen=True)
class CheckCart:
    """CheckCart after ``delay_ms``; ``backoff_step`` > 0 asks the runner for jittered backoff."""

    delay_ms: int = 0
    backoff_step: int = 0


@dataclass(frozen=True)
class SendConfirmCart:
    identifier: str | None = None

    def __repr__(self) -> str:
        shown = None if self.identifier is None else "***"
        return f"SendConfirmCart(identifier={shown})"


@dataclass(frozen=True)
class SendCancelCart:
    pass


@dataclass(frozen=True)
class AskForCode:
    tries_left: int
    rejected: bool = False


Command = SendInsertCart | CheckCart | SendConfirmCart | SendCancelCart | AskForCode
