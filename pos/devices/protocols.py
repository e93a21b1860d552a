"""The small interfaces the rest of the till codes against; adapters in this package fill them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pos.devices.status import DeviceStatus


@dataclass(frozen=True)
class PrintJobBytes:
    """One job ready for any printer: its name, its ESC/POS bytes and the same receipt as text."""

    name: str
    data: bytes
    text: str


class Printer(Protocol):
    """Sends one job's ESC/POS bytes; raises PrinterFault when it cannot."""

    name: str

    def send(self, job: PrintJobBytes) -> None: ...

    def status(self) -> DeviceStatus: ...


class Drawer(Protocol):
    """Opens the cash drawer; says False (and why) when no kick could be sent."""

    def kick(self) -> tuple[bool, str]: ...


class Scanner(Protocol):
    """Hands each scanned code to ``on_code``, and each change of its state to ``on_status``,
    from its own thread until stopped."""

    def start(
        self,
        on_code: Callable[[str], None],
        on_status: Callable[[DeviceStatus], None] | None = None,
    ) -> None: ...

    def stop(self) -> None: ...

    def status(self) -> DeviceStatus: ...
