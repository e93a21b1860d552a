"""The loader: a TOML file to settings, every problem collected before one is reported.

- No file means the embedded sandbox with the first public test application and manual
  confirmation.
- ``load_settings`` raises one ConfigError listing every problem that blocks the command
  (see ``section.blocks``); the others travel in ``Settings.problems``.
- ``check_config`` returns every problem of every section, for ``pos config check``.
- Nothing but ConfigError escapes.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pos.config.paths import PathsSettings
from pos.config.problems import ConfigProblems, Problem
from pos.config.reader import KeySpec, Reader
from pos.config.registry import SECTIONS, section_named
from pos.config.section import Mode, Role, blocks
from pos.config.settings import Settings
from pos.config.store import DEMO_STORE


def load_settings(path: Path | None, *, need_secret: bool = True) -> Settings:
    """Settings from a TOML file, or the embedded-sandbox defaults when ``path`` is None.

    ``need_secret=False`` is for read-only commands (``pos journal``): the secret is never
    looked up and only ``[paths]`` can stop them.
    """
    mode: Mode = "till" if need_secret else "read"
    data = {} if path is None else read_toml(path)
    values, problems = parse_sections(path, data, need_secret=need_secret)
    if path is None:
        values["store"] = DEMO_STORE
    stopping = [p for p in problems if p.severity == "error" and blocks(_role(p.section), mode)]
    if stopping:
        raise ConfigProblems(stopping)
    return _settings(path, values, tuple(problems))


def check_config(path: Path) -> list[Problem]:
    """Every problem in the file, errors and warnings, whatever the section's role."""
    try:
        data = read_toml(path)
    except ConfigProblems as exc:
        return list(exc.problems)
    _values, problems = parse_sections(path, data, need_secret=True)
    return problems


def schema() -> dict[str, KeySpec]:
    """Every key the sections read, by its dotted name (``register.name``)."""
    keys: dict[str, KeySpec] = {}
    for section in SECTIONS:
        reader = Reader(None, "" if section.scalar else section.name, {}, need_secret=False)
        section.parse(reader)
        keys.update({spec.dotted: spec for spec in reader.keys.values()})
    return keys


def parse_sections(
    path: Path | None, data: dict[str, Any], *, need_secret: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """Each section's value (defaults where broken) and every problem found."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for section in SECTIONS:
        if section.scalar:
            table = {section.name: data[section.name]} if section.name in data else {}
            reader = Reader(path, "", table, need_secret=need_secret)
        else:
            reader = Reader(
                path,
                section.name,
                _table(path, section.name, data, problems),
                need_secret=need_secret,
            )
        values[section.name] = section.parse(reader)
        if not section.scalar:
            reader.refuse_unknown()
        problems.extend(reader.problems)
    problems.extend(_unknown_sections(path, data))
    return values, problems


def read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML, or ConfigProblems naming why it cannot be read at all."""

    def fail(message: str, fix: str) -> ConfigProblems:
        return ConfigProblems([Problem(path, "", "", message, fix)])

    try:
        with path.open("rb") as file:
            raw = file.read()
        if raw.startswith(b"\xef\xbb\xbf"):
            raise fail(
                f"Config file {path} starts with a byte-order mark, which TOML does not allow.",
                "Save it as UTF-8 without BOM.",
            )
        return tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise fail(f"Config file {path} does not exist.", "Check the path.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"Config file {path} is not valid TOML: {exc}.", "Correct that line.") from exc
    except UnicodeDecodeError as exc:
        raise fail(
            f"Config file {path} is not UTF-8 text (byte {exc.start}).", "Save it as UTF-8."
        ) from exc
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise fail(
            f"Config file {path} cannot be read: {reason}.", "Check the file's owner and mode."
        ) from exc


def _table(
    path: Path | None, name: str, data: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    table = data.get(name, {})
    if isinstance(table, dict):
        return table
    problems.append(
        Problem(
            path,
            name,
            name,
            f"{name} must be a table:",
            f"write [{name}] on a line of its own, then its keys below it.",
        )
    )
    return {}


def _unknown_sections(path: Path | None, data: dict[str, Any]) -> list[Problem]:
    known = [section.name for section in SECTIONS]
    problems = []
    for name in data:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"Did you mean {close[0]}?" if close else f"Known: {', '.join(known)}."
        problems.append(Problem(path, "", name, f"unknown section or key {name}.", hint))
    return problems


def _role(section: str) -> Role:
    found = section_named(section)
    return "core" if found is None else found.role  # an unknown section may be a typo of one


def _settings(path: Path | None, values: dict[str, Any], problems: tuple[Problem, ...]) -> Settings:
    paths: PathsSettings = values["paths"]
    return Settings(
        register=values["register"],
        netgiro=values["netgiro"],
        timing=values["timing"],
        data_dir=paths.data_dir,
        source=path,
        store=values["store"],
        sections=values,
        problems=problems,
    )
