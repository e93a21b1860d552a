"""An error in the screen's language: known kinds by catalog key, others with their own words."""

from __future__ import annotations

import logging

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from pos.core.errors import InputError, PosError
from pos.ui.text import Messages

log = logging.getLogger(__name__)


def explain(say: Messages, error: PosError, *, text: str = "") -> str:
    """``error.<ClassName>`` from the catalog when it has one; else the error's own message."""
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
