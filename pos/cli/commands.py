"""The command modules, in the order ``pos --help`` lists them.

Each is ``pos.cli.<name>`` with ``add_commands(commands)``; its module-level imports are the
standard library's only (start-up speed), everything else is imported where it runs.
"""

from __future__ import annotations

COMMAND_MODULES = (
    "pay",
    "journal",
    "recover",
    "till",
    "receipt",
    "sandbox",
    "config",
    "people",
    "refund",
    "audit",
    "reports",
    "smoke",
)
