"""What ``pos smoke`` found: one verdict per check, each with its fix; plain data, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Verdict = Literal["ok", "warn", "fail"]

EXIT_OK, EXIT_FAILED = 0, 1


@dataclass(frozen=True)
class Check:
    """One thing checked: ``ok``, ``warn`` (the till runs, a person should look) or ``fail``."""

    name: str
    verdict: Verdict
    message: str
    fix: str = ""
    details: Mapping[str, object] = field(default_factory=dict)

    def line(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix and self.verdict != "ok" else ""
        return f"{self.verdict:<4} {self.name}: {self.message}{fix}"

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "verdict": self.verdict,
            "message": self.message,
            "fix": self.fix,
            "details": dict(self.details),
        }


def ok(name: str, message: str, **details: object) -> Check:
    return Check(name, "ok", message, details=details)


def warn(name: str, message: str, fix: str = "", **details: object) -> Check:
    return Check(name, "warn", message, fix, details)


def fail(name: str, message: str, fix: str = "", **details: object) -> Check:
    return Check(name, "fail", message, fix, details)


@dataclass(frozen=True)
class SmokeReport:
    """Every check in the order run; ``kept`` is where ``--keep`` left the smoke's receipts."""

    checks: tuple[Check, ...]
    config: Path | None
    till_open_pid: str | None = None
    kept: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.verdict == "fail")

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.verdict == "warn")

    @property
    def exit_code(self) -> int:
        """0 only if nothing failed (warnings do not fail a register)."""
        return EXIT_FAILED if self.failed else EXIT_OK

    def lines(self) -> list[str]:
        """One line per check, then where the receipts were kept, then a summary."""
        shown = [check.line() for check in self.checks]
        if self.kept is not None:
            shown.append(f"The smoke's data dir and ESC/POS receipts are kept in {self.kept}")
        verdict = "FAILED" if self.failed else "passed"
        shown.append(
            f"smoke {verdict}: {len(self.checks)} checks, {len(self.failed)} failed, "
            f"{len(self.warnings)} warnings, {self.seconds:.1f} s"
        )
        return shown

    def as_json(self) -> dict[str, object]:
        return {
            "ok": not self.failed,
            "exit_code": self.exit_code,
            "config": str(self.config) if self.config else None,
            "till_open": self.till_open_pid is not None,
            "till_pid": self.till_open_pid,
            "failed": len(self.failed),
            "warnings": len(self.warnings),
            "seconds": round(self.seconds, 3),
            "kept": str(self.kept) if self.kept else None,
            "checks": [check.as_json() for check in self.checks],
        }
