"""A config section: its name, its parser, and whether its problems block a command or degrade the till.

Roles (TILL-CONTRACTS "Config sections"):

- ``paths``: needed by every command, read-only ones included.
- ``core``: ``[register]``, ``[netgiro]``, ``[timing]``: errors block ``pos``, ``pay`` and
  ``recover``; read-only commands (``pos journal``) do not need them and never the secret.
- ``feature``: ``[store]``, ``[catalog]``, ``[printer]``, ``[scanner]``, ``[receipt]``,
  ``[keymap]``, ``language``…: errors only degrade the till (a banner), never block ``recover``.

``pos config check`` reports every problem of every section, whatever its role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from pos.config.reader import Reader

Role = Literal["paths", "core", "feature"]
Mode = Literal["till", "read"]
"""``till``: pos, pay, recover (the secret is needed); ``read``: journal and other read-only commands."""

T = TypeVar("T")


@dataclass(frozen=True)
class Section(Generic[T]):
    """One top-level table (or, with ``scalar``, one top-level key such as ``language``).

    ``parse`` reads every key from the Reader and always returns a value: for a broken key it
    uses the default, so a degraded section still gives the till something to run with.
    """

    name: str
    parse: Callable[[Reader], T]
    role: Role = "feature"
    scalar: bool = False
    live: bool = False
    """Whether the open till applies a change at once (manager mode); otherwise "restart needed"."""

    def default(self) -> T:
        """The value when the file says nothing about this section."""
        return self.parse(Reader(None, "" if self.scalar else self.name, {}, need_secret=False))


def blocks(role: Role, mode: Mode) -> bool:
    """Whether an error in a section of ``role`` stops a command of ``mode``."""
    if role == "paths":
        return True
    return role == "core" and mode == "till"
