"""Headless commands never load the till screen: `pos pay`, `pos journal` and `pos recover`
run in a subprocess and report what they imported (sys.modules) at the end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import atexit, json, sys
from pos.cli import main
def report():
    loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'pos'))
    sys.__stderr__.write('MODULES ' + json.dumps(loaded) + '\\n')
atexit.register(report)
sys.exit(main(sys.argv[1:]))
"""


def modules_after(args: list[str], data_dir: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={"POS_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


@pytest.mark.parametrize(
    "args",
    [
        ["journal"],
        ["recover"],
        ["pay", "990", "2222222229"],  # the embedded sandbox declines it at once
    ],
)
def test_headless_commands_never_import_textual(args: list[str], tmp_path: Path) -> None:
    loaded = modules_after(args, tmp_path)
    assert "pos.cli" in loaded
    assert not {name for name in loaded if name == "textual" or name.startswith("textual.")}
    assert not {name for name in loaded if name.startswith("pos.ui")}


def test_the_input_lines_own_keys_are_the_ones_the_keymap_refuses() -> None:
    from textual.widgets import Input

    from pos.core.keymap import INPUT_KEYS
    from pos.ui.widgets.entry_line import EntryLine

    bindings = [*Input.BINDINGS, *EntryLine.BINDINGS]
    bound = {key for binding in bindings for key in binding.key.split(",")}  # type: ignore[union-attr]
    assert bound <= INPUT_KEYS
