"""python-escpos' printer database, cached once per user instead of parsed in every process.

python-escpos 3.1 parses its 70 KB ``capabilities.json`` with pure-Python YAML when it is first
imported (~0.3 s of CPU, seconds on a busy machine) and caches the result in a *fresh* temp dir
each time, so the cache is never reused and every process leaves a directory behind. Its
``ESCPOS_CAPABILITIES_PICKLE_DIR`` names a lasting cache instead: a private folder of the
user's cache dir, filled here once, atomically and from the same file read as JSON, so no
process ever reads a half-written cache (escpos itself writes it in place).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pickle
import platform
import tempfile
from pathlib import Path
from typing import Any

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def capabilities_file() -> Path | None:
    """python-escpos' own database file, found without importing escpos."""
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "capabilities.json"
    return path if path.is_file() else None


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pos-till" / "escpos"


def use_private_cache() -> None:
    """Point escpos at the lasting cache (call before escpos is imported); a problem only
    leaves escpos to its own slow way."""
    if PICKLE_DIR_ENV in os.environ:
        return
    source = capabilities_file()
    if source is None:
        return
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return  # a pickle is code: never load one that others could have written
        cached = folder / f"{platform.python_version()}.capabilities.pickle"
        if not cached.exists() or cached.stat().st_mtime <= source.stat().st_mtime:
            _write_atomically(cached, json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return
    os.environ[PICKLE_DIR_ENV] = str(folder)


def _private(folder: Path) -> bool:
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


def _write_atomically(path: Path, data: Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(data, out, protocol=2)  # the protocol escpos writes its own with
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
