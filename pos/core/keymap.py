"""The till's action keys by binding id, and the pure check of a ``[keymap]`` config table.

Rules kept: one key does one thing on a screen (app-wide keys count on every screen); an id
the till does not know is refused with a "did you mean"; a key the always-focused input line
binds itself (Delete, Home, End, Ctrl+D, …) is no action key. The screen builds its bindings
from this table, so the check and the screen can never disagree about what exists.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

APP = "app"
SALE = "sale"
PAYMENT = "payment"
CASH = "cash"
MANAGER = "manager"

# screen -> ((binding id, default keys), ...); ids are "<screen>.<action>".
ACTION_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    APP: (
        ("app_help", "f1"),
        ("app_quit", "ctrl+q"),
    ),
    SALE: (
        ("sale_netgiro", "f2"),
        ("sale_cash", "f3"),
        ("sale_void", "f4"),
        ("sale_park", "f5"),
        ("sale_recall", "f6"),
        ("sale_find", "f7"),
        ("sale_reprint", "f8"),
        ("sale_manager", "f9"),
        ("sale_discount", "f10"),
        ("sale_vat", "f11"),
        ("sale_clear", "ctrl+n"),
        ("sale_print_retry", "ctrl+r"),
        ("sale_print_later", "ctrl+l"),
        ("sale_print_dismiss", "ctrl+o"),
        ("sale_line_up", "up"),
        ("sale_line_down", "down"),
        ("sale_clear_input", "escape"),
    ),
    PAYMENT: (
        ("payment_switch_kind", "f2"),
        ("payment_cancel", "escape"),
    ),
    CASH: (
        ("cash_exact", "f3"),
        ("cash_note1", "f5"),
        ("cash_note2", "f6"),
        ("cash_note3", "f7"),
        ("cash_note4", "f8"),
        ("cash_back", "escape"),
    ),
    MANAGER: (
        ("manager_paid", "f2"),
        ("manager_unpaid", "f3"),
        ("manager_confirm", "f4"),
        ("manager_release", "f5"),
        ("manager_drawer", "f6"),
        ("manager_reprint", "f7"),
        ("manager_settings", "f8"),
        ("manager_x", "f9"),
        ("manager_z", "f10"),
        ("manager_unlock", "f11"),
        ("manager_cash", "f12"),
        ("manager_refund", "ctrl+t"),
        ("manager_leave", "escape"),
    ),
}

# Keys the input line (Textual's Input) binds itself: it has focus all day, so it would win.
INPUT_KEYS = frozenset(
    {
        "left", "right", "shift+left", "shift+right", "ctrl+left", "ctrl+right",
        "ctrl+shift+left", "ctrl+shift+right", "backspace", "ctrl+shift+a", "home", "ctrl+a",
        "end", "ctrl+e", "shift+home", "shift+end", "delete", "ctrl+d", "enter", "ctrl+w",
        "ctrl+u", "super+backspace", "ctrl+backspace", "alt+backspace", "ctrl+k", "ctrl+x",
        "ctrl+c", "super+c", "ctrl+v",
        "ctrl+j",  # EntryLine: a newline is Enter (typed before raw mode, or a scanner's LF)
    }
)  # fmt: skip
# Keys typed into the input line: digits, letters, * and the like are never action keys.
_PRINTABLE = re.compile(r"^.$")
_KEY = re.compile(r"^((ctrl|shift|alt|super|meta)\+)*[a-z0-9_]+$")


@dataclass(frozen=True)
class KeymapProblem:
    """What is wrong with one ``[keymap]`` entry (``binding_id`` is the config key)."""

    binding_id: str
    message: str


@dataclass(frozen=True)
class Keymap:
    """Binding id -> keys (comma-separated, Textual's form), only the remapped ids."""

    keys: Mapping[str, str] = field(default_factory=dict)


def known_ids() -> list[str]:
    return [binding_id for actions in ACTION_KEYS.values() for binding_id, _ in actions]


def default_keys(binding_id: str) -> str:
    for actions in ACTION_KEYS.values():
        for known, keys in actions:
            if known == binding_id:
                return keys
    raise KeyError(binding_id)


def parse_keymap_section(table: Mapping[str, object]) -> tuple[Keymap, list[KeymapProblem]]:
    """``[keymap]`` to a Keymap, and every problem found; with any problem, no key is moved."""
    problems: list[KeymapProblem] = []
    keys: dict[str, str] = {}
    ids = known_ids()
    for binding_id, value in table.items():
        problem = _entry_problem(binding_id, value, ids)
        if problem:
            problems.append(KeymapProblem(binding_id, problem))
        else:
            keys[binding_id] = _normal(str(value))
    problems.extend(key_clashes(keys))
    return Keymap({} if problems else keys), problems


def _entry_problem(binding_id: str, value: object, ids: list[str]) -> str | None:
    if binding_id not in ids:
        close = difflib.get_close_matches(binding_id, ids, n=1)
        hint = f"did you mean {close[0]}?" if close else f"known ids: {', '.join(ids)}"
        return f"keymap.{binding_id}: no such action; {hint}"
    if not isinstance(value, str) or not value.strip():
        return f'keymap.{binding_id} must be keys in quotes, like "f12" or "ctrl+g,f12"'
    for key in _normal(value).split(","):
        if _PRINTABLE.match(key) or not _KEY.match(key):
            return f"keymap.{binding_id}: {key!r} cannot be an action key (typed into the input)"
        if key in INPUT_KEYS:
            return f"keymap.{binding_id}: {key} is the input line's own key; pick another"
    return None


def _normal(keys: str) -> str:
    return ",".join(key.strip().lower() for key in keys.split(",") if key.strip())


def effective_keys(remapped: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """screen -> {binding id: keys} with the remapped keys in place of the defaults."""
    return {
        screen: {binding_id: remapped.get(binding_id, keys) for binding_id, keys in actions}
        for screen, actions in ACTION_KEYS.items()
    }


def key_clashes(remapped: Mapping[str, str]) -> list[KeymapProblem]:
    """A problem for each key that would do two things on one screen."""
    table = effective_keys(remapped)
    app_wide = table[APP]
    problems = []
    for screen, actions in table.items():
        if screen == APP:
            continue
        seen: dict[str, str] = {}
        for binding_id, keys in {**app_wide, **actions}.items():
            for key in keys.split(","):
                if key in seen:
                    blamed = binding_id if binding_id in remapped else seen[key]
                    message = (
                        f"keymap.{blamed}: {key} would do both {seen[key]} and {binding_id} "
                        f"on the {screen} screen; give one of them another key"
                    )
                    problems.append(KeymapProblem(blamed, message))
                seen[key] = binding_id
    return problems
