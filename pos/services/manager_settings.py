"""Counter settings a manager changes in the till: printer, scanner, confirmation, deadline.

Written with the config writer (``pos.config.editing.set_key``: typed by the schema, atomic,
comments kept; lock-free, because the till itself holds the register lock) and audited with the
old and the new value. Everything else in the register config is changed with the till closed
(``pos config set``); the secret is never set from here (it is not a config key at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos.config.editing import KeyChange, set_key
from pos.core.errors import PosError
from pos.services.manager_auth import ManagerAuth, Session

MANAGER_SECTIONS = ("printer.", "scanner.")
MANAGER_KEYS = frozenset({"netgiro.confirmation", "timing.deadline_s"})


class NotACounterSetting(PosError):
    """The key is not one a manager changes in the till."""

    title = "Settings"


def is_counter_setting(dotted: str) -> bool:
    return dotted in MANAGER_KEYS or dotted.startswith(MANAGER_SECTIONS)


def change_setting(
    auth: ManagerAuth, session: Session, config_file: Path, dotted: str, text: str
) -> KeyChange:
    """A manager in manager mode changes one counter setting; audited as ``config.changed``."""
    auth.require_manager(session)
    if not is_counter_setting(dotted):
        raise NotACounterSetting(
            f"{dotted} is not changed in the till (only printer, scanner, netgiro.confirmation "
            "and timing.deadline_s are): close the till and use `pos config set`."
        )
    change = set_key(config_file, dotted, text)
    auth.record(
        session,
        "config.changed",
        {
            "file": str(change.file),
            "key": change.key,
            "old": _plain(change.old),
            "new": _plain(change.new),
            "restart_needed": change.restart_needed,
        },
    )
    return change


def _plain(value: Any) -> str | int | bool | None:
    """A TOML value as the audit log keeps it (no floats: their text is kept instead)."""
    unwrapped = value.unwrap() if hasattr(value, "unwrap") else value
    if unwrapped is None or isinstance(unwrapped, bool | int | str):
        return unwrapped
    return repr(unwrapped)
