"""A till whose terminal hangs up (SSH dropped, tmux killed) stops, as any program does.

Found after tmux sessions were killed: the till had caught SIGHUP with the start-up catcher
meant for `pos pay`, kept running on a dead terminal at 10-15 % CPU each and held the register
lock. Recovery finishes a payment it leaves, as after any kill.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def read_until(fd: int, needle: bytes, seconds: float) -> bytes:
    """Bytes from the pty until ``needle`` shows (a bound, not a timing assertion)."""
    seen = b""
    give_up = time.monotonic() + seconds
    while needle not in seen and time.monotonic() < give_up:
        try:
            seen += os.read(fd, 65536)
        except OSError:
            break
    return seen


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_the_till_stops_when_its_terminal_hangs_up(tmp_path: Path, signum: int) -> None:
    master, slave = pty.openpty()
    env = {**os.environ, "POS_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color"}
    till = subprocess.Popen(
        [sys.executable, "-m", "pos"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        shown = read_until(master, b"Sala", 60)
        assert b"Sala" in shown, shown[-500:]
        till.send_signal(signum)
        assert till.wait(timeout=30) == -signum
    finally:
        if till.poll() is None:
            till.kill()
            till.wait()
        os.close(master)
