"""The till's one error root: every error carries a message a cashier or manager can act on."""

from __future__ import annotations


class PosError(Exception):
    """An error the till reports to a person instead of crashing."""

    title: str = "Error"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class InputError(PosError):
    """What a person typed cannot be used; nothing was sent or stored."""

    title = "Check the input"


class ConfigError(PosError):
    """The register configuration is missing, unreadable or unsafe."""

    title = "Configuration"
