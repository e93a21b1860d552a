"""Bindings built from the one table of action keys (pos.core.keymap), with ids for remapping.

A binding's description is a message-catalog key; the key bar and the help screen translate it.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding, BindingType

from pos.core.keymap import ACTION_KEYS

HIDDEN = frozenset(
    {"sale_line_up", "sale_line_down", "sale_clear_input", "app_quit"}
    | {"sale_print_retry", "sale_print_later", "sale_print_dismiss"}  # the print banner names them
)
DESCRIPTION_KEYS = {"sale_print_dismiss": "devices.keys.print_dismiss"}
"""Actions whose words live in a later table of the catalogs than their screen's."""


def bindings(screen: str, actions: Mapping[str, str]) -> list[BindingType]:
    """One Binding per action of ``screen``: id, default key, action name, catalog key."""
    made: list[BindingType] = []
    for binding_id, keys in ACTION_KEYS[screen]:
        action = actions.get(binding_id)
        if action is None:
            continue
        made.append(
            Binding(
                keys,
                action,
                description=description_key(binding_id),
                show=binding_id not in HIDDEN,
                id=binding_id,
                priority=True,
            )
        )
    return made


def description_key(binding_id: str) -> str:
    """The catalog key of an action's words: ``sale_netgiro`` → ``keys.sale.netgiro``."""
    if binding_id in DESCRIPTION_KEYS:
        return DESCRIPTION_KEYS[binding_id]
    screen, _, action = binding_id.partition("_")
    return f"keys.{screen}.{action}"


def key_label(key: str) -> str:
    """``f2`` → ``F2``, ``ctrl+q`` → ``Ctrl+Q``, ``escape`` → ``Esc``."""
    names = {"escape": "Esc", "up": "↑", "down": "↓", "enter": "Enter"}
    parts = key.split("+")
    return "+".join(
        names.get(part, part.capitalize() if len(part) > 1 else part.upper()) for part in parts
    )
