"""``pos config check`` and ``pos config set``, and the register-lock rule they share with ``init``.

``check`` reads and never locks (it works while the till is open); ``set`` and ``init`` change
what the till runs with, so they are refused while the till holds the register lock
(TILL-CONTRACTS: "One register, one writer") and hold it themselves while they write.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pos.config import Problem, Settings, check_config, load_settings, parse_sections, read_toml
from pos.config.editing import KeyChange, set_key
from pos.core.errors import ConfigError, PosError
from pos.services.lock_holder import lock_holder

LOCK_NAME = "register.lock"


class TillOpen(PosError):
    """The till holds the register lock: a change must be made in manager mode."""

    title = "Till open"


@contextmanager
def register_closed(data_dir: Path) -> Iterator[None]:
    """Hold the register lock for a short change; refused while the till (or a payment) holds it.

    A data dir that does not exist yet has no till running in it: nothing to hold.
    """
    if not data_dir.is_dir():
        yield
        return
    try:
        descriptor = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise PosError(
            f"The register lock {data_dir / LOCK_NAME} cannot be opened ({exc.strerror}). "
            "Run as the till's user, or check the data folder's owner and mode.",
            "Register lock",
        ) from exc
    with os.fdopen(descriptor, "r+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = lock_holder(data_dir / LOCK_NAME)
            raise TillOpen(f"{holder.refusal()} Nothing was changed.") from exc
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))  # so a till started meanwhile names who holds it
        lock.flush()
        yield  # the kernel releases the lock when the file closes, or if this process dies


def data_dir_of(path: Path) -> Path:
    """The file's data dir, or the default where ``[paths]`` is broken (``set`` may be fixing it)."""
    values, _problems = parse_sections(path, read_toml(path), need_secret=False)
    data_dir: Path = values["paths"].data_dir
    return data_dir


# --- pos config check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    file: Path | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def lines(self) -> list[str]:
        """One line per problem, with its fix; then a summary line."""
        shown = [f"{p.severity:<7} {p.text}" for p in self.problems]
        warnings = len(self.problems) - len(self.errors)
        where = self.file if self.file is not None else "no config file (the embedded sandbox)"
        if not self.problems:
            return [f"{where}: ok"]
        counts = f"{_count(len(self.errors), 'error')}, {_count(warnings, 'warning')}"
        return [*shown, f"{where}: {counts}"]

    def as_json(self) -> dict[str, object]:
        return {
            "file": str(self.file) if self.file else None,
            "ok": not self.errors,
            "problems": [
                {
                    "severity": p.severity,
                    "section": p.section,
                    "key": p.key,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in self.problems
            ],
        }


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


Probe = Callable[[Settings], Iterable[Problem]]
"""A check that asks the world (does the printer answer? does the serial port open?). It must
never take a device the till owns: status only. Its problems are usually warnings."""


def _printer_profile(settings: Settings) -> list[Problem]:
    from pos.services.devices import printer_profile_probe  # escpos loads only when checking

    return printer_profile_probe(settings)


def _printer_answers(settings: Settings, timeout_s: float = 2.0) -> list[Problem]:
    """A network printer's address takes a connection (nothing is sent: the till may own it)."""
    import socket

    from pos.config import printer as printer_section

    printer = settings.get(printer_section.SECTION)
    if printer.kind != "network" or not printer.host:
        return []
    try:
        socket.create_connection((printer.host, printer.port), timeout=timeout_s).close()
    except OSError as exc:
        return [
            Problem(
                settings.source,
                "printer",
                "printer.host",
                f"printer.host {printer.host}:{printer.port} does not answer ({exc}).",
                "Check that the printer is on and on the network, and its address and port.",
                severity="warning",
            )
        ]
    return []


PROBES: tuple[Probe, ...] = (_printer_profile, _printer_answers)
"""The probes ``pos config check`` runs once the file itself is readable (devices add theirs)."""


def check(path: Path | None, probes: Sequence[Probe] = PROBES) -> CheckReport:
    """Every problem of the file, then what the probes find (the defaults have no file problems)."""
    problems = [] if path is None else check_config(path)
    try:
        settings = load_settings(path, need_secret=False)
    except ConfigError:
        return CheckReport(path, tuple(problems))  # no data dir, no devices to ask
    for probe in probes:
        problems.extend(probe(settings))
    return CheckReport(path, tuple(problems))


# --- pos config set -----------------------------------------------------------------------------


def set_value(path: Path, key: str, value: str) -> KeyChange:
    """Set one key, refused while the till is open; the till uses it from its next start."""
    with register_closed(data_dir_of(path)):
        return set_key(path, key, value)
