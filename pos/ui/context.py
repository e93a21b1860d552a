"""What every screen is handed: the session, the words, the settings and the clocks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pos.core.ui_settings import UiSettings
from pos.journal import Journal
from pos.services.printing import PrintQueue
from pos.services.till_manager import TillManager
from pos.services.till_session import TillSession
from pos.ui.demo import DemoInfo
from pos.ui.serial_scan import ScannerFactory
from pos.ui.text import Messages
from pos.ui.widgets.status_bar import StatusFacts


@dataclass(frozen=True)
class ScreenSettings:
    """Everything the till screen needs besides the session; tests freeze the clocks here."""

    ui: UiSettings = field(default_factory=UiSettings)
    deadline_s: float = 180.0
    """The runner's deadline, for the countdown on the waiting view."""
    sandbox_mode: bool = True
    """Netgíró's test kennitölur are accepted only in sandbox mode."""
    demo: DemoInfo | None = None
    """The sandbox's customer page and test customers, shown on the payment screen."""
    demo_from_sandbox: bool = False
    """Fill ``demo`` from the embedded sandbox once the session has started it."""
    problems: tuple[str, ...] = ()
    """Config problems that did not block the till: shown once as a banner."""
    facts: StatusFacts = field(default_factory=lambda: StatusFacts("S1", "R1", True))
    wall_clock: Callable[[], datetime] = datetime.now
    monotonic: Callable[[], float] = time.monotonic
    vat_rates: tuple[int, ...] = (24, 11, 0)
    recovery: bool = True
    """Run recovery every few minutes (the session says how often)."""
    print_queue: Callable[[Journal], PrintQueue] | None = None
    """Builds the register's print queue on the session's journal; None: the till prints nothing."""
    serial_scanner: ScannerFactory | None = None
    """Builds the serial scanner's reader (None for a keyboard wedge); started once the till
    holds the register lock."""

    people_file: Path | None = None
    """Managers and cashiers (F9, sign-in); None: no manager mode, no sign-in."""
    config_file: Path | None = None
    """The register config a manager's counter settings are written to (None: none)."""
    people_clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    """UTC now for PIN lockouts and manager mode's 15 idle minutes (tests fake it)."""
    manager_idle_check_s: float = 20.0
    """How often the manager screen asks whether manager mode has been idle too long."""


@dataclass
class TillContext:
    """The session one app drives, and how it speaks."""

    session: TillSession
    messages: Messages
    settings: ScreenSettings
    printing: PrintQueue | None = None
    manager: TillManager | None = None
    """Sign-in and manager mode; None when the register has no people file."""
