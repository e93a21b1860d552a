"""What a payment leaves on disk: private files only, and no orphan sale when it cannot start."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.customer_ids import parse_customer_id
from pos.core.errors import PosError
from pos.core.public_test_data import (
    TEST_APP_CODE_PREFIX,
    TEST_SSN_NO_CREDIT,
    TEST_SSN_UNLIMITED_CREDIT,
)
from pos.core.result_codes import ConfirmationType
from pos.netgiro.sandbox.rules import Lifetimes
from pos.netgiro.sandbox.server import state_file_in
from pos.netgiro.sandbox.store import CartStore
from pos.services.payment import take_keyed_payment
from pos.services.wiring import open_till


async def test_a_callback_port_that_cannot_be_bound_leaves_no_sale(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        netgiro = replace(NetgiroSettings(), callback_listen=f"127.0.0.1:{port}")
        settings = Settings(RegisterSettings(), netgiro, TimingSettings(), tmp_path)
        customer = parse_customer_id("8223281", sandbox=True).customer
        async with open_till(settings) as till:
            with pytest.raises(PosError, match="cannot listen"):
                await take_keyed_payment(
                    till, 1990, customer, ConfirmationType.SERVER_CALLBACK, announce=print
                )
            assert till.journal.recent_sales() == []  # was: an open sale with no attempt


def modes_under(data_dir: Path) -> dict[str, int]:
    """Every file and folder under ``data_dir`` (itself included) with its permission bits."""
    found = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for path in data_dir.rglob("*"):
        found[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def app_code_for_the_embedded_sandbox(data_dir: Path) -> str:
    """A one-time app code written into the sandbox's own state, as its customer page would."""
    store = CartStore(state_file_in(data_dir), Lifetimes())
    try:
        token = store.issue_token(TEST_SSN_UNLIMITED_CREDIT, time.time())
    finally:
        store.close()
    return f"{TEST_APP_CODE_PREFIX}-{token}"


def test_after_a_sale_every_file_in_the_data_dir_is_the_owners_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)  # as an older release left them
    (data_dir / "pos.log").write_text("old lines\n")
    os.chmod(data_dir / "pos.log", 0o644)
    app_code = app_code_for_the_embedded_sandbox(tmp_path / "old")
    old_state = data_dir / "sandbox.sqlite3"  # the embedded sandbox's old place
    (tmp_path / "old" / "sandbox" / "sandbox.sqlite3").rename(old_state)
    os.chmod(old_state, 0o644)

    env = {**os.environ, "POS_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "pos", "pay", "2007", app_code, "--json"],
        capture_output=True,
        env=env,
        timeout=90,
        umask=0o022,  # a usual login umask: the till must not rely on it
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()  # paid: a sale, its attempt, its receipt

    modes = modes_under(data_dir)
    assert "journal.sqlite3" in modes
    assert "pos.log" in modes
    assert "sandbox/sandbox.sqlite3" in modes  # moved into its own folder: the same carts
    assert "sandbox.sqlite3" not in modes
    assert any(name.startswith("receipts/") for name in modes)  # the printer's files too
    loose = {
        name: oct(mode) for name, mode in modes.items() if mode & (stat.S_IRWXG | stat.S_IRWXO)
    }
    assert loose == {}
    assert modes["."] == modes["sandbox"] == 0o700


def test_a_data_dir_the_till_cannot_use_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data dir should be")
    env = {**os.environ, "POS_DATA_DIR": str(blocked / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "pos", "pay", "2007", TEST_SSN_NO_CREDIT],
        capture_output=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr.decode()
    assert "chmod 700" in done.stderr.decode()
