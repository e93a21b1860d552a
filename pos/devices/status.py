"""Device status and faults: ok, fault(kind) or unknown, and never a guess between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pos.core.errors import PosError

State = Literal["ok", "fault", "unknown"]
FaultKind = Literal[
    "paper_out", "cover_open", "offline", "unreachable", "timeout", "disconnected", "config"
]

FAULT_WORDS: dict[str, str] = {
    "paper_out": "out of paper",
    "cover_open": "cover open",
    "offline": "offline",
    "unreachable": "unreachable",
    "timeout": "not answering",
    "disconnected": "unplugged",
    "config": "set up wrongly",
}


@dataclass(frozen=True)
class DeviceStatus:
    """What a device said about itself; ``unknown`` when it did not say (never "no paper")."""

    state: State
    kind: str = ""
    detail: str = ""

    def __str__(self) -> str:
        if self.state == "fault":
            return FAULT_WORDS.get(self.kind, self.kind)
        return self.state


OK = DeviceStatus("ok")
UNKNOWN = DeviceStatus("unknown")


def fault(kind: FaultKind, detail: str = "") -> DeviceStatus:
    return DeviceStatus("fault", kind, detail)


class DeviceError(PosError):
    """A device could not do what was asked; the sale it belongs to is not affected."""

    title = "Printer"


class PrinterFault(DeviceError):
    """A print job did not complete.

    ``maybe_printed`` is True once any byte may have left for the printer: such a job is not
    sent again by itself (at most once), a person decides.
    """

    def __init__(self, kind: FaultKind, message: str, *, maybe_printed: bool) -> None:
        super().__init__(message)
        self.kind: FaultKind = kind
        self.maybe_printed = maybe_printed

    @property
    def reason(self) -> str:
        return f"{FAULT_WORDS.get(self.kind, self.kind)}: {self.message}"
