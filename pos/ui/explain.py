"""An error in the screen's language: known kinds by catalog key, others with their own words."""

from __future__ import annotations

import logging

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from pos.core.errors import InputError, PosError
from pos.services.status import CheckoutView, note_key
from pos.ui.outcome import outcome_of
from pos.ui.refusals import refusal_key
from pos.ui.text import Messages

log = logging.getLogger(__name__)


def explain(say: Messages, error: PosError, *, text: str = "") -> str:
    """The refusal's own catalog words; else ``error.<ClassName>``; else its English message."""
    known = refusal_key(error.message)
    if known is not None and known.key in say:
        return say(known.key, **known.values)
    key = f"error.{type(error).__name__}"
    if key in say and (text or type(error) is not InputError):
        return say(key, text=text, detail=error.message)
    return say("error.other", detail=error.message)


def say_worker_failure(node: DOMNode, say: Messages, event: Worker.StateChanged) -> None:
    """A worker that failed with a bug (not a PosError): logged and said, never a crashed till."""
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    log.error("worker %s failed", event.worker.name, exc_info=error)
    detail = type(error).__name__
    node.app.notify(say("app.worker_failed", detail=detail), severity="error", timeout=30)


def engine_line(say: Messages, view: CheckoutView) -> str:
    """The engine's note on an attempt in the screen's words; "" for a note no key knows.

    An unknown note (an older journal's words) is shown only in English: the phase word and
    the outcome already say what matters, and no English sentence enters another language.
    """
    known = note_key(view.note)
    if known is None:
        return view.note if say.language == "en" else ""
    values = dict(known.values)
    if known.key == "engine.declined":
        values["reason"] = decline_reason(say, view.result_code)
    return say(known.key, **values)


def decline_reason(say: Messages, code: int | None) -> str:
    """Why Netgíró declined, by its result code (its own message text is English or empty)."""
    key = f"engine.decline.{code}"
    return say(key) if key in say else say("engine.decline.other", code=code if code else "-")


def phase_word(say: Messages, view: CheckoutView) -> str:
    """The large word of the waiting view: the phase while live, the outcome once final."""
    if view.is_final:
        return say(f"result.{outcome_of(view)}")
    return say(f"phase.{view.phase.value}")


# Unsure because no answer came (the network): "connection trouble". Unsure for any other
# reason (an answer that does not add up, a reservation, a cancel's odd answer) is not said so.
NO_ANSWER_KEYS = frozenset({"engine.connection_trouble", "engine.checking"})


def unsure_line(say: Messages, view: CheckoutView) -> str:
    """What the waiting view says under "Óvíst — athuga…": why, and that Esc still cancels."""
    known = note_key(view.note)
    if known is not None and known.key not in NO_ANSWER_KEYS:
        return say("engine.unsure.still_checking")
    return say("payment.still_checking")
