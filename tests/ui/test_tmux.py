"""The real `pos` in a real terminal (tmux): one full Netgíró sale, and a kill mid-wait.

The customer's accept goes to the embedded sandbox's control API, whose address the payment
screen shows in demo mode. Skipped when tmux is missing, except on CI (CI=true), where a
missing tmux is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from pos.journal import Journal, print_jobs

TMUX = shutil.which("tmux")
POS = Path(sys.executable).with_name("pos")
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/customer/")

if TMUX is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("tmux is missing on CI: install it (apt-get install tmux)")
    pytest.skip("tmux is not installed: the real-terminal tests need it", allow_module_level=True)


class Terminal:
    """One tmux session running one command at a given size, on a tmux server of its own
    (``-L``): tests running at once in parallel workers never share or stop each other's server."""

    def __init__(self, command: str, width: int = 80, height: int = 24) -> None:
        self.name = f"pos-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width),
             "-y", str(height), f"exec {command}"],
            check=True,
        )  # fmt: skip

    @property
    def tmux(self) -> list[str]:
        return [TMUX or "tmux", "-L", self.name]

    def text(self) -> str:
        done = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        self.keys("-l", text)

    def wait_for(self, condition: Callable[[str], object], seconds: float = 40) -> str:
        give_up = time.monotonic() + seconds
        while True:
            text = self.text()
            if condition(text):
                return text
            if time.monotonic() > give_up:
                raise AssertionError(f"never showed up; the screen:\n{text}")
            time.sleep(0.2)

    def pid(self) -> int:
        done = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout.strip())

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """No Netgíró configured (the embedded sandbox), short timings, a data dir of its own."""
    path = tmp_path / "register.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "data"}"\n'
        "[timing]\ndeadline_s = 120\ngive_up_after_s = 6\nbackoff_cap_s = 1\n"
        "connect_timeout_s = 1\nread_timeout_s = 2\ncall_total_s = 2\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def open_pos(
    config: Path | None, terminals: list[Terminal], data_dir: Path | None = None
) -> Terminal:
    """``pos till --config FILE``, or plain ``pos`` (no config: the embedded sandbox) in ``data_dir``."""
    command = f"{POS} till --config {config}" if config else f"env POS_DATA_DIR={data_dir} {POS}"
    terminal = Terminal(command)
    terminals.append(terminal)
    terminal.wait_for(
        lambda text: "F2 Netgíró" in text
    )  # the key bar: a start-up note may cover the rest
    return terminal


def start_gsm_sale(terminal: Terminal) -> str:
    """Keys a 2.137 kr. sale and pays it with the test phone; returns the sandbox's address."""
    terminal.type("2137")
    terminal.keys("Enter")
    terminal.wait_for(lambda text: "2.137" in text)
    terminal.keys("F2")
    screen = terminal.wait_for(URL.search)
    found = URL.search(screen)
    assert found is not None
    terminal.type("8223281")
    terminal.wait_for(lambda text: "***-**81" in text)
    terminal.keys("Enter")
    terminal.wait_for(lambda text: "Bíð eftir samþykki" in text)
    return found.group(1)


def pending_cart(root: str) -> dict[str, object]:
    carts = httpx.get(f"{root}/sandbox/carts", timeout=5).json()
    assert [cart["Status"] for cart in carts] == ["pending"]
    cart: dict[str, object] = carts[0]
    return cart


def test_a_full_netgiro_sale_in_the_real_terminal(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    terminal = open_pos(None, terminals, tmp_path / "data")  # plain `pos`, as the README says
    root = start_gsm_sale(terminal)
    cart = pending_cart(root)
    httpx.post(f"{root}/sandbox/carts/{cart['TransactionId']}/accept", timeout=5)
    screen = terminal.wait_for(lambda text: "━ GREITT ━" in text)
    assert "2.137 kr." in screen
    terminal.keys("Escape")
    terminal.wait_for(lambda text: "Sala kláruð" in text)
    terminal.keys("C-q")
    terminal.wait_for(lambda text: "Til greiðslu" not in text)


def test_killed_mid_wait_then_restarted(config: Path, terminals: list[Terminal]) -> None:
    terminal = open_pos(config, terminals)
    root = start_gsm_sale(terminal)
    cart = pending_cart(root)
    os.kill(terminal.pid(), signal.SIGKILL)
    terminal.close()
    again = open_pos(config, terminals)
    screen = again.wait_for(lambda text: "Við ræsingu" in text)
    assert "Eftir stöðvun kassans: sala 1" in screen
    assert "HÆTT VIÐ" in screen  # the pending cart of a dead till is cancelled by recovery
    assert "Ekkert var tekið" in screen  # and what now: the sale is to be keyed in again
    assert "S1-R1-" not in screen  # no second row with the attempt's reference for that sale
    again.keys("Escape")
    again.wait_for(lambda text: "Við ræsingu" not in text and "Til greiðslu" in text)
    again.type("1")
    again.keys("Enter")
    again.wait_for(lambda text: "Til greiðslu           1" in text)
    again.keys("F2")  # the restarted sandbox listens on a new port: the payment screen says which
    found = URL.search(again.wait_for(URL.search))
    assert found is not None and found.group(1) != root
    carts = httpx.get(f"{found.group(1)}/sandbox/carts", timeout=5).json()
    assert [(c["TransactionId"], c["Status"]) for c in carts] == [
        (cart["TransactionId"], "cancelled")
    ]


def test_killed_after_paid_then_restarted(config: Path, terminals: list[Terminal]) -> None:
    terminal = open_pos(config, terminals)
    root = start_gsm_sale(terminal)
    cart = pending_cart(root)
    httpx.post(f"{root}/sandbox/carts/{cart['TransactionId']}/accept", timeout=5)
    terminal.wait_for(lambda text: "━ GREITT ━" in text)
    os.kill(terminal.pid(), signal.SIGKILL)
    terminal.close()
    again = open_pos(config, terminals)
    screen = again.wait_for(lambda text: "Við ræsingu" in text)
    assert "sala 1 (2.137 kr.) er GREITT (greidd)" in " ".join(screen.split())
    again.keys("Escape")
    again.wait_for(lambda text: "Við ræsingu" not in text and "Til greiðslu" in text)
    again.keys("C-q")
    again.wait_for(lambda text: "Til greiðslu" not in text)
    # Its receipt: one job, printed once (by the first till or at the restart), never lost;
    # a job the kill caught mid-print is "uncertain": shown to the cashier, never printed again.
    data = config.parent / "data"
    with Journal(data / "journal.sqlite3") as journal:
        [job] = print_jobs.jobs_for_sale(journal, 1)
    assert (job.kind, job.copy_no) == ("receipt", 0) and job.status in ("printed", "uncertain")
    printed = sorted(path.name for path in (data / "receipts").glob("*.bin"))
    assert (len(printed) == 1) if job.status == "printed" else (len(printed) <= 1)


def test_keys_typed_as_pos_starts_land_in_the_sale(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    """Typed before the first frame (the terminal still in line mode, Enter sent as a newline):
    the line is rung up all the same."""
    terminal = Terminal(f"env POS_DATA_DIR={tmp_path / 'data'} {POS}")
    terminals.append(terminal)
    terminal.type("2137")
    terminal.keys("Enter")
    screen = terminal.wait_for(lambda text: "Til greiðslu" in text and "2.137" in text)
    assert "F2 Netgíró" in screen
