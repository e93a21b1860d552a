"""The message catalogs: every word the till screen shows, loaded from ``locales/<lang>.toml``.

Rules kept: no widget, notify or binding description holds a literal; each catalog has the
same keys with the same ``{placeholders}``; a missing key is a bug caught by a test, and at
run time shows the key itself rather than crashing the till.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

DEFAULT_LANGUAGE = "is"


class Messages:
    """One language's catalog: ``messages("sale.total")``, ``messages("x.y", amount=5)``."""

    def __init__(self, language: str, entries: Mapping[str, str]) -> None:
        self.language = language
        self._entries = dict(entries)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._entries.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> set[str]:
        return set(self._entries)

    def raw(self, key: str) -> str:
        return self._entries[key]


def load_messages(language: str = DEFAULT_LANGUAGE) -> Messages:
    """The catalog of ``language`` (``is`` or ``en``)."""
    source = files("pos.ui").joinpath("locales", f"{language}.toml").read_text(encoding="utf-8")
    return Messages(language, flatten(tomllib.loads(source)))


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested TOML tables to dotted keys: ``[sale] total = …`` is ``sale.total``."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
