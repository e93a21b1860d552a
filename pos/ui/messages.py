"""App-wide messages: what workers and the session's listener post, never widget calls."""

from __future__ import annotations

from textual.message import Message

from pos.core.errors import PosError
from pos.services.till_views import StartupReport, TillUpdate


class TillUpdated(Message):
    """The session changed something (a sale, a checkout, a finished sale, recovery)."""

    def __init__(self, update: TillUpdate) -> None:
        super().__init__()
        self.update = update


class StartupFinished(Message):
    """Recovery at start ran; the report says what it settled and what was interrupted."""

    def __init__(self, report: StartupReport) -> None:
        super().__init__()
        self.report = report


class WorkFailed(Message):
    """A worker's call was refused or failed with an error a person can act on."""

    def __init__(self, error: PosError) -> None:
        super().__init__()
        self.error = error
