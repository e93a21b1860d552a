"""Reading one table of the config: typed values, every problem collected, the schema recorded.

A section's parser asks its ``Reader`` for each key (``text``, ``number``, ``whole``, ``flag``,
``choice``, ``path``, ``raw``) with the default to use when the key is absent or broken. The
reader never raises: it records a Problem and returns the default, so one run finds every
mistake. Each call also records the key's kind, which is the schema ``pos config set`` types
values by and ``config check`` compares the example file with: read every key of a section
unconditionally, before deciding anything from the values.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pos.config.problems import Problem, Severity

Kind = Literal["text", "number", "whole", "flag", "choice", "path", "list", "table", "forbidden"]

_WANTED: dict[str, str] = {
    "text": "text in quotes",
    "path": "text in quotes",
    "choice": "text in quotes",
    "number": "number (like 15 or 2.5)",
    "whole": "whole number (like 3)",
    "flag": "true or false",
    "list": "a list (like [1, 2])",
    "table": "a table",
}
_SHOWN_LIMIT = 40


@dataclass(frozen=True)
class KeySpec:
    """One key of the schema: where it lives and what kind of value it takes."""

    section: str
    key: str
    kind: Kind
    choices: tuple[str, ...] = ()

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}" if self.section else self.key


def shown(value: Any) -> str:
    """A TOML value as a person would recognise it, shortened."""
    text = "true" if value is True else "false" if value is False else repr(value)
    return text if len(text) <= _SHOWN_LIMIT else text[:_SHOWN_LIMIT] + "…"


class Reader:
    """One table of one file (``section`` "" is the top level, for a lone key like ``language``)."""

    def __init__(
        self,
        file: Path | None,
        section: str,
        table: Mapping[str, Any],
        *,
        need_secret: bool = True,
    ) -> None:
        self.file = file
        self.section = section
        self.table = table
        self.need_secret = need_secret
        """False for read-only commands: never look up the secret (no variable, no file)."""
        self.problems: list[Problem] = []
        self.keys: dict[str, KeySpec] = {}

    # --- where things are -------------------------------------------------------------------

    def name(self, key: str) -> str:
        """``section.key``, as messages show it."""
        return f"{self.section}.{key}" if self.section else key

    @property
    def folder(self) -> Path:
        """Relative paths in the file are read from the file's folder."""
        return self.file.parent if self.file is not None else Path.cwd()

    def present(self, key: str) -> bool:
        return key in self.table

    # --- problems -----------------------------------------------------------------------------

    def error(self, key: str, message: str, fix: str) -> None:
        """``message`` says what is wrong (starting with the key), ``fix`` what to do."""
        self._add(key, message, fix, "error")

    def warn(self, key: str, message: str, fix: str) -> None:
        self._add(key, message, fix, "warning")

    def _add(self, key: str, message: str, fix: str, severity: Severity) -> None:
        section = self.section or key
        self.problems.append(Problem(self.file, section, self.name(key), message, fix, severity))

    def has_errors(self, *keys: str) -> bool:
        """Whether any of ``keys`` (all keys when none given) already has an error."""
        names = {self.name(key) for key in keys}
        return any(p.severity == "error" and (not keys or p.key in names) for p in self.problems)

    # --- typed values -------------------------------------------------------------------------

    def text(self, key: str, default: str) -> str:
        value = self._typed(key, "text", default)
        return value if isinstance(value, str) else default

    def optional_text(self, key: str) -> str | None:
        self._record(key, "text")
        if key not in self.table:
            return None
        value = self.table[key]
        if isinstance(value, str):
            return value
        self._wrong_type(key, "text", value)
        return None

    def number(self, key: str, default: float) -> float:
        value = self._typed(key, "number", default)
        return float(value)

    def whole(self, key: str, default: int) -> int:
        value = self._typed(key, "whole", default)
        return value if isinstance(value, int) else default

    def flag(self, key: str, default: bool) -> bool:
        value = self._typed(key, "flag", default)
        return value if isinstance(value, bool) else default

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        self._record(key, "choice", options)
        if key not in self.table:
            return default
        value = self.table[key]
        if isinstance(value, str) and value in options:
            return value
        listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
        self.error(key, f"{self.name(key)} must be {listed}, not {shown(value)}.", "Pick one.")
        return default

    def path(self, key: str) -> Path | None:
        """A path: ``~`` expanded, relative paths from the config file's folder; None if absent."""
        self._record(key, "path")
        if key not in self.table:
            return None
        value = self.table[key]
        if not isinstance(value, str):
            self._wrong_type(key, "path", value)
            return None
        if not value.strip() or "\0" in value:
            self.error(
                key, f"{self.name(key)} must be a path to a file or folder.", "Write the path."
            )
            return None
        try:
            given = Path(value).expanduser()
        except RuntimeError as exc:  # ~user that does not exist
            self.error(key, f"{self.name(key)}: {exc}.", "Write the full path.")
            return None
        return given if given.is_absolute() else self.folder / given

    def raw(self, key: str, kind: Kind) -> Any:
        """The value as TOML gave it (None if absent), for a parser that checks it itself."""
        self._record(key, kind)
        return self.table.get(key)

    def forbidden(self, key: str, message: str, fix: str) -> None:
        """A key that must never be written here (a literal secret): an error if present."""
        self._record(key, "forbidden")
        if key in self.table:
            self.error(key, message, fix)

    # --- unknown keys ---------------------------------------------------------------------------

    def refuse_unknown(self) -> None:
        """Every key nobody asked for, with a "did you mean" when one is close."""
        known = list(self.keys)
        for key in self.table:
            if key in self.keys:
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = (
                f"Did you mean {self.name(close[0])}?"
                if close
                else f"Known here: {', '.join(known)}."
            )
            self.error(key, f"unknown key {self.name(key)}.", hint)

    # --- inside ------------------------------------------------------------------------------------

    def _record(self, key: str, kind: Kind, choices: tuple[str, ...] = ()) -> None:
        self.keys.setdefault(key, KeySpec(self.section, key, kind, choices))

    def _typed(self, key: str, kind: Kind, default: Any) -> Any:
        """The value if it has the kind's type (an int is a fine number), else the default."""
        self._record(key, kind)
        if key not in self.table:
            return default
        value = self.table[key]
        if _fits(kind, value):
            return value
        self._wrong_type(key, kind, value)
        return default

    def _wrong_type(self, key: str, kind: Kind, value: Any) -> None:
        self.error(
            key, f"{self.name(key)} must be {_WANTED[kind]}, not {shown(value)}.", "Correct it."
        )


def _fits(kind: Kind, value: Any) -> bool:
    if isinstance(value, bool):
        return kind == "flag"
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "whole":
        return isinstance(value, int)
    if kind in ("text", "path", "choice"):
        return isinstance(value, str)
    if kind == "list":
        return isinstance(value, list)
    if kind == "table":
        return isinstance(value, dict)
    return False
