"""Config problems: each names the file, the key, what is wrong and the fix; all are reported at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pos.core.errors import ConfigError

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config file.

    ``message`` is a sentence that starts with the key (``register.name must …``); ``fix`` says
    what to do. ``section`` is the top-level table the key lives in ("" for the file itself),
    which decides whether the problem blocks a command or only degrades the till.
    """

    file: Path | None
    section: str
    key: str
    message: str
    fix: str = ""
    severity: Severity = "error"

    @property
    def text(self) -> str:
        """The message and its fix, without the file."""
        return f"{self.message} {self.fix}".strip()

    def __str__(self) -> str:
        return f"{self.file}: {self.text}" if self.file else self.text


class ConfigProblems(ConfigError):
    """Every problem that blocks the command, in one error (a ConfigError, so callers need not care)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(render(self.problems))


def render(problems: Sequence[Problem]) -> str:
    """One problem as one line; several as a count and one indented line each."""
    if len(problems) == 1:
        return str(problems[0])
    files = {problem.file for problem in problems}
    if len(files) == 1:
        (file,) = files
        head = f"{file}: {len(problems)} problems:" if file else f"{len(problems)} problems:"
        return "\n".join([head, *(f"  - {problem.text}" for problem in problems)])
    return "\n".join([f"{len(problems)} problems:", *(f"  - {problem}" for problem in problems)])
