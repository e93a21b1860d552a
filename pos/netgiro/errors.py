"""What went wrong talking to Netgíró, sorted by what the caller may safely do next.

NetgiroError (PosError)
├── NotSent          the request provably never left: retrying, even InsertCart, is safe
├── OutcomeUnknown   it left, and no trustworthy answer came back: a cart may exist;
│                    CheckCart decides later (never treat this as a "no")
├── Refused          401: the key or signature was not accepted; nothing was processed
└── AnswerSaysNo     a well-formed answer that says no, with its code and message
"""

from __future__ import annotations

from pos.core.errors import PosError


class NetgiroError(PosError):
    """A call to Netgíró did not give the answer the caller hoped for."""

    title = "Netgíró"

    def __init__(self, message: str, *, action: str = "", title: str | None = None) -> None:
        super().__init__(message, title)
        self.action = action


class NotSent(NetgiroError):
    """The request never left this machine (refused, connect or pool timeout)."""


class OutcomeUnknown(NetgiroError):
    """The request left but its answer was lost, cut, a 5xx or unreadable."""


class Refused(NetgiroError):
    """Netgíró refused the key or the signature (401); nothing was processed."""


class AnswerSaysNo(NetgiroError):
    """Netgíró answered, well-formed, and the answer is no."""

    def __init__(self, message: str, *, action: str = "", result_code: int = 0) -> None:
        super().__init__(message, action=action)
        self.result_code = result_code
