"""Reading the catalog file named in ``[catalog]``: a problem never keeps the till from opening.

TILL-CONTRACTS "Config sections": errors in ``[catalog]`` start the till degraded with a banner,
so every failure here (no file, not UTF-8, a bad line) comes back as a problem to show, with an
empty or partial catalog; keyed amounts work without one.
"""

from __future__ import annotations

from pathlib import Path

from pos.core.catalog import Catalog, parse_catalog
from pos.core.till_settings import TillSettings

MAX_CATALOG_BYTES = 16 * 1024 * 1024


def load_catalog(settings: TillSettings) -> tuple[Catalog, list[str]]:
    """The catalog and what is wrong with it, as lines a manager can act on."""
    path = settings.catalog.path
    if path is None:
        return Catalog(), []
    text, problem = _read(path)
    if problem:
        return Catalog(), [problem]
    catalog, problems = parse_catalog(text, settings.vat.rates)
    return catalog, [f"{path}: {problem}" for problem in problems]


def _read(path: Path) -> tuple[str, str]:
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            return "", f"{path} is larger than 16 MB: is it the right file?"
        return path.read_text(encoding="utf-8"), ""
    except FileNotFoundError:
        return "", f"The catalog {path} does not exist: fix [catalog] path. Keyed amounts work."
    except UnicodeDecodeError:
        return "", f"The catalog {path} is not UTF-8 text: save it as UTF-8 CSV."
    except OSError as exc:
        return "", f"The catalog {path} cannot be read ({exc.strerror}): check its owner and mode."
