"""Sales with a known secret, kennitala and phone leave none of them in logs, journal or output.

Paid, declined, cancelled and refused-input sales all run through ``pos pay``, and a manager
(with a known PIN) refunds part of the paid one through the Partner API, by amount and by line
(its slip printed); then every byte
of the data dir (log, journal and its WAL) and everything printed is searched. A refused input
may echo what the cashier typed on their own screen (stderr), never anywhere else.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_SSN_UNLIMITED_CREDIT
from tests.e2e.harness import (
    SandboxProcess,
    finish,
    run_pos,
    sandbox_process,
    start_pos,
    wait_until,
)
from tests.e2e.test_crash_sweep import generator_token

pytestmark = pytest.mark.slow

PHONE = "8223281"
KENNITALA = TEST_SSN_UNLIMITED_CREDIT
SECRET = FIRST_TEST_APPLICATION.secret_key
PIN = "739154"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("secrets")) as sb:
        yield sb


def config_with_secret_file(tmp_path: Path, sandbox: SandboxProcess, data_dir: Path) -> Path:
    secret_file = tmp_path / "netgiro.secret"
    secret_file.write_text(SECRET)
    os.chmod(secret_file, 0o600)
    config = tmp_path / "register.toml"
    config.write_text(
        f"""
[netgiro]
base_url = "{sandbox.base_url}"
app_key = "{FIRST_TEST_APPLICATION.app_key}"
secret_key_file = "{secret_file}"
[timing]
deadline_s = 1.5
poll_fallback_ms = 200
[paths]
data_dir = "{data_dir}"
"""
    )
    return config


def test_no_secret_kennitala_or_phone_is_kept_or_printed(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = config_with_secret_file(tmp_path, sandbox, data_dir)
    base = ["--config", str(config), "-v"]
    printed = []

    paid = run_pos(["pay", "1990", KENNITALA, "--code", generator_token(sandbox), *base], data_dir)
    assert paid.returncode == 0, paid.stderr
    printed.append(paid.stdout + paid.stderr)

    # The refund path: a manager added, then a Netgíró refund through the Partner API.
    added = run_pos(["manager", "add", "Anna", *base], data_dir, stdin=f"{PIN}\n{PIN}\n")
    assert added.returncode == 0, added.stderr
    refund = ["refund", "send", "1", "990", "--reason", "Returned", "--manager", "Anna", *base]
    refunded = run_pos(refund, data_dir, stdin=f"{PIN}\n")
    assert refunded.returncode == 0, refunded.stderr
    printed.extend([added.stdout + added.stderr, refunded.stdout + refunded.stderr])
    # ...and a refund by line of the same receipt, whose slip is printed to the file printer.
    by_line = ["refund", "send", "--receipt", "1", "--line", "1:0,5", "--reason", "Skilað"]
    slipped = run_pos([*by_line, "--manager", "Anna", *base], data_dir, stdin=f"{PIN}\n")
    assert slipped.returncode == 0, slipped.stderr
    printed.append(slipped.stdout + slipped.stderr)
    for shown in (["refund", "list"], ["audit", "show"], ["audit", "verify"]):
        listed = run_pos([*shown, *base], data_dir)
        assert listed.returncode == 0, listed.stderr
        printed.append(listed.stdout + listed.stderr)

    declined = run_pos(["pay", "1990", "2222222229", *base], data_dir)
    assert declined.returncode == 1
    printed.append(declined.stdout + declined.stderr)

    before = len(sandbox.carts())
    cancelled = start_pos(["pay", "1990", PHONE, *base], data_dir)
    wait_until(lambda: len(sandbox.carts()) > before, what="the cart")
    cancelled.send_signal(signal.SIGINT)
    done = finish(cancelled)
    assert done.returncode == 1, done.stderr
    printed.append(done.stdout + done.stderr)

    refused = run_pos(["pay", "--config", str(config), "--", "1990", "0101992349x"], data_dir)
    assert refused.returncode == 2
    printed.append(refused.stdout)  # stderr echoes the cashier's own typing, on their screen

    journal_listing = run_pos(["journal", "--config", str(config)], data_dir)
    printed.append(journal_listing.stdout)

    kept = b"".join(path.read_bytes() for path in data_dir.rglob("*") if path.is_file())
    assert kept, "nothing was written: the test would prove nothing"
    for needle in (SECRET, KENNITALA, PHONE, PIN):
        assert needle.encode() not in kept, f"{needle[:4]}… found in the data dir"
        for output in printed:
            assert needle not in output, f"{needle[:4]}… printed"
    assert b"******-1119" in kept  # the masked form is what is kept
    assert b"refund.done" in kept  # the refund path really ran
    assert any(path.name.startswith("refund-slip") for path in data_dir.rglob("*"))
