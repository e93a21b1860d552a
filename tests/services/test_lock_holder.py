"""The register lock's refusal names who holds it: the till, or which `pos` command (a second
`pos report z` was told "the till is open" while only another shell command ran)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos.services.lock_holder import LockHolder, lock_holder, pos_command
from pos.services.wiring import register_lock


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/srv/till/.venv/bin/pos", "report", "z", "--manager", "Anna"], "report z"),
        (["/usr/bin/python3", "-m", "pos", "refund", "send", "--receipt", "3"], "refund send"),
        (["/srv/till/.venv/bin/pos", "pay", "2010", "8223281"], "pay"),
        (["/srv/till/.venv/bin/pos"], ""),
        (["/srv/till/.venv/bin/pos", "--config", "register.toml"], ""),
        (["/srv/till/.venv/bin/pos", "till"], "till"),
        (["/usr/bin/python3", "-m", "pytest", "tests/x.py"], ""),
    ],
)
def test_the_command_words_of_a_pos_command_line(argv: list[str], command: str) -> None:
    assert pos_command(argv) == command


def test_the_till_and_a_shell_command_are_told_apart() -> None:
    assert LockHolder("41", "").refusal().startswith("The till is open (pid 41)")
    assert LockHolder("41", "till").is_till
    said = LockHolder("42", "report z").refusal()
    assert said.startswith("`pos report z` (pid 42) is using this register")
    assert "till is open" not in said


def test_a_lock_held_by_a_running_pos_command_is_named_by_its_command(tmp_path: Path) -> None:
    """A real process whose command line is `… pos report z` holds the lock file's pid."""
    script = tmp_path / "pos"
    script.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n", encoding="utf-8")
    script.chmod(0o755)
    holder = subprocess.Popen([str(script), "report", "z"])
    try:
        lock_file = tmp_path / "register.lock"
        lock_file.write_text(str(holder.pid), encoding="utf-8")
        for _ in range(100):  # the exec is done once /proc shows the new command line
            found = lock_holder(lock_file)
            if found.command:
                break
            time.sleep(0.05)
        assert found == LockHolder(str(holder.pid), "report z")
    finally:
        holder.kill()
        holder.wait()


def test_the_busy_register_names_the_holder(tmp_path: Path) -> None:
    with register_lock(tmp_path):
        # A second opener in another process is refused and told who holds it (this test
        # process, which is not a `pos` command: spoken of as the till).
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from pos.services.wiring import register_lock\n"
                "try:\n"
                f"    with register_lock(Path({str(tmp_path)!r})): pass\n"
                "except Exception as exc: print(exc.message)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    assert f"This register is busy: the till (pid {os.getpid()}) holds it." in done.stdout
