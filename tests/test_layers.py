"""The layer rules of DESIGN.md, checked from the outside: what a command really imports.

import-linter checks the static imports (``lint-imports`` in CI); this checks ``sys.modules``
in a fresh interpreter, which also catches imports done at run time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

HEADLESS_ENTRY_POINTS = [
    "pos.cli",
    "pos.services.payment",
    "pos.services.recovery",
    "pos.services.wiring",
    "pos.journal",
    "pos.netgiro.client",
    "pos.netgiro.sandbox.server",
    "pos.services.printing",
    "pos.services.receipts",
    "pos.services.devices",
    "pos.devices.scanner",
]
IO_LIBRARIES = ["textual", "httpx", "escpos", "serial", "qrcode", "sqlite3", "socket", "starlette"]


def imported_after(statement: str) -> set[str]:
    probe = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", HEADLESS_ENTRY_POINTS)
def test_headless_code_never_imports_textual(module: str) -> None:
    loaded = imported_after(f"import {module}")
    assert not {name for name in loaded if name.split(".")[0] == "textual"}


def test_pos_pay_help_runs_without_textual() -> None:
    probe = (
        "import sys, json, contextlib, io\n"
        "from pos.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['pay', '--help'])\n"
        "    except SystemExit: pass\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True)
    assert "textual" not in json.loads(done.stdout)


def test_the_core_imports_no_io_library() -> None:
    loaded = imported_after(
        "import pos.core.checkout, pos.core.customer_ids, pos.core.money, pos.core.cart, "
        "pos.core.receipt, pos.core.receipt_layout, pos.core.barcodes, pos.core.vat"
    )
    baseline = imported_after("pass")
    assert not {lib for lib in IO_LIBRARIES if lib in loaded - baseline}


def test_starting_a_command_loads_no_device_library_until_it_prints() -> None:
    loaded = imported_after("import pos.cli, pos.services.payment, pos.services.wiring")
    assert not {lib for lib in ("escpos", "serial", "usb", "PIL", "barcode") if lib in loaded}


SERVER_AND_SCREEN = ("textual", "uvicorn", "starlette")


@pytest.mark.parametrize(
    "argv", [["--help"], ["journal"], ["report", "--help"]], ids=["help", "journal", "report"]
)
def test_help_journal_and_report_load_no_screen_nor_server(argv: list[str], tmp_path: Any) -> None:
    """The headless commands a technician types most start fast (issue 20, item 7)."""
    probe = (
        "import sys, json, contextlib, io\n"
        "from pos.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try: main(sys.argv[1:])\n"
        "    except SystemExit: pass\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {**os.environ, "POS_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, check=True, env=env
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert not loaded & set(SERVER_AND_SCREEN)
