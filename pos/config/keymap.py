"""``[keymap]``: action keys moved by binding id (``sale_netgiro = "f12"``), checked purely.

A mistake degrades the till (TILL-CONTRACTS: Config sections): it runs on its default keys and
says why; ``pos config check`` lists each entry's problem with its fix.
"""

from __future__ import annotations

from pos.config.reader import Reader
from pos.config.section import Section
from pos.core.keymap import Keymap, known_ids, parse_keymap_section

FIX = (
    'Name an action of the help screen (F1) and keys like "f12" or "ctrl+g"; until then the '
    "till uses its default keys."
)


def parse_keymap(reader: Reader) -> Keymap:
    given = {}
    for binding_id in known_ids():
        keys = reader.text(binding_id, "")
        if reader.present(binding_id):
            given[binding_id] = keys
    keymap, problems = parse_keymap_section(given)
    for problem in problems:
        if not reader.has_errors(problem.binding_id):
            reader.error(problem.binding_id, problem.message, FIX)
    return keymap


SECTION = Section("keymap", parse_keymap, role="feature")
