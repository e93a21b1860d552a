"""Changing one key of a config file: typed by the schema, comments and order kept, written atomically.

- The value is typed by the key's kind (``register.name 007`` stays the text "007").
- tomlkit round trip: every other line, comment and blank stays as it was.
- The new file is checked before it replaces the old one: a value its section refuses is not
  written (problems elsewhere in the file are reported, not fixed).
- Atomic: a temporary file in the same folder, fsync, ``os.replace``, fsync of the folder; the
  file's mode (and owner, where allowed) kept; a symlink is followed and its target replaced.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from pos.config.loader import parse_sections, read_toml, schema
from pos.config.problems import ConfigProblems, Problem
from pos.config.reader import KeySpec, shown
from pos.config.registry import section_named

_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
NEW_FILE_MODE = 0o644
SECRET_FILE_KEY = "netgiro.secret_key_file"


@dataclass(frozen=True)
class KeyChange:
    """What ``set_key`` did: the file written (a symlink's target), the key and its values."""

    file: Path
    key: str
    old: Any
    new: Any
    problems: tuple[Problem, ...]
    """Problems left elsewhere in the file (not caused by this change)."""
    restart_needed: bool = True
    """False only for a section the open till applies live (``Section.live``)."""


def key_spec(dotted: str, file: Path | None = None) -> KeySpec:
    """The schema's entry for ``section.key``, or a ConfigError with a "did you mean"."""
    keys = schema()
    spec = keys.get(dotted)
    if spec is not None:
        return spec
    close = difflib.get_close_matches(dotted, list(keys), n=1)
    hint = f"Did you mean {close[0]}?" if close else "See config/register.example.toml."
    raise ConfigProblems([Problem(file, "", dotted, f"unknown key {dotted}.", hint)])


def typed_value(spec: KeySpec, text: str, file: Path | None = None) -> Any:
    """``text`` as the key's kind wants it, or a ConfigError saying what it must be."""

    def refuse(message: str, fix: str = "") -> ConfigProblems:
        return ConfigProblems([Problem(file, spec.section, spec.dotted, message, fix)])

    name = spec.dotted
    if spec.kind == "forbidden":
        raise refuse(
            f"{name} is never written in the config.",
            "Use secret_key_file (a file only you can read, chmod 600) or secret_key_env.",
        )
    if spec.kind in ("text", "path"):
        return text
    if spec.kind == "choice":
        if text in spec.choices:
            return text
        raise refuse(f"{name} must be one of {', '.join(spec.choices)}, not {shown(text)}.")
    if spec.kind == "whole" and _WHOLE.fullmatch(text):
        return int(text)
    if spec.kind == "number" and _DECIMAL.fullmatch(text):
        value = int(text) if _WHOLE.fullmatch(text) else float(text)
        if math.isfinite(value):
            return value
    if spec.kind == "flag" and text in ("true", "false"):
        return text == "true"
    if spec.kind in ("list", "table"):
        return _toml_value(spec, text, refuse)
    wanted = {"whole": "a whole number, like 3", "number": "a number, like 15 or 2.5"}
    raise refuse(f"{name} must be {wanted.get(spec.kind, 'true or false')}, not {shown(text)}.")


def _toml_value(spec: KeySpec, text: str, refuse: Callable[[str], ConfigProblems]) -> Any:
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError as exc:
        raise refuse(f"{spec.dotted} must be a TOML {spec.kind} ({exc}).") from exc
    if isinstance(value, list if spec.kind == "list" else dict):
        return value
    raise refuse(f"{spec.dotted} must be a TOML {spec.kind}, not {shown(text)}.")


def set_key(path: Path, dotted: str, text: str) -> KeyChange:
    """Set one key in the file at ``path`` (a symlink: in its target) and write it atomically."""
    target = Path(os.path.realpath(path))
    read_toml(target)  # a missing or broken file says so here, in the usual words
    spec = key_spec(dotted, target)
    value = typed_value(spec, text, target)
    try:
        document = tomlkit.parse(target.read_bytes().decode("utf-8"))  # CRLF lines stay CRLF
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:  # read_toml accepted it: rare
        raise ConfigProblems(
            [Problem(target, "", "", f"{target} cannot be edited: {exc}.")]
        ) from exc
    old = _put(document, spec, value)
    new_text = tomlkit.dumps(document)
    problems = _check(target, new_text, need_secret=spec.dotted == SECRET_FILE_KEY)
    caused = [p for p in problems if p.key == spec.dotted and p.severity == "error"]
    if caused:
        raise ConfigProblems(caused)
    write_atomically(target, new_text.encode("utf-8"))
    section = section_named(spec.section or spec.key)
    live = section is not None and section.live
    return KeyChange(target, dotted, old, value, tuple(problems), restart_needed=not live)


def _put(document: Any, spec: KeySpec, value: Any) -> Any:
    """Put ``value`` at the key, creating its table at the end if it has none; the old value."""
    if spec.section and spec.section not in document:
        document[spec.section] = tomlkit.table()
    table = document[spec.section] if spec.section else document
    if not isinstance(table, dict):  # [[section]] or section = 5: the loader names it too
        raise ConfigProblems(
            [
                Problem(
                    None,
                    spec.section,
                    spec.section,
                    f"{spec.section} is not a table in this file, so {spec.dotted} cannot be set.",
                    f"Write [{spec.section}] on a line of its own, then its keys below it.",
                )
            ]
        )
    old: Any = table.get(spec.key)
    table[spec.key] = value
    return old.unwrap() if hasattr(old, "unwrap") else old


def _check(target: Path, text: str, *, need_secret: bool) -> list[Problem]:
    """The new file's problems; the secret is looked up only when its file is what changes (a
    technician's shell need not hold the till's environment variable)."""
    data = tomllib.loads(text)
    _values, problems = parse_sections(target, data, need_secret=need_secret)
    return problems


def write_atomically(
    path: Path, data: bytes, *, new_mode: int = NEW_FILE_MODE, mode: int | None = None
) -> None:
    """Replace ``path`` with ``data``: the old file or the new one, never half of either.

    The file keeps its mode (and its owner when this process may set it); a new file gets
    ``new_mode``; ``mode`` forces one (a secret's 0600). A failure is a ConfigError.
    """
    try:
        _replace(path, data, new_mode, mode)
    except OSError as exc:
        raise ConfigProblems(
            [
                Problem(
                    path,
                    "",
                    "",
                    f"{path} cannot be written ({exc.strerror or exc}).",
                    "Check the folder's owner, mode and free space; the old file is unchanged.",
                )
            ]
        ) from exc


def _replace(path: Path, data: bytes, new_mode: int, mode: int | None) -> None:
    try:
        info: os.stat_result | None = path.stat()
    except FileNotFoundError:
        info = None
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            kept = stat.S_IMODE(info.st_mode) if info else new_mode
            os.fchmod(file.fileno(), kept if mode is None else mode)
            if info is not None:
                _keep_owner(file.fileno(), info)
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _keep_owner(descriptor: int, info: os.stat_result) -> None:
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):  # not root: the file becomes ours, mode kept
        os.fchown(descriptor, info.st_uid, info.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; some file systems cannot sync a folder (the file is in place)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
