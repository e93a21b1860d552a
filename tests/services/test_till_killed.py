"""A real till process SIGKILLed while it waits for the customer; the next start tells the outcome.

The child runs the session exactly as ``pos`` does (``open_till_session``: the register lock,
the journal, the client) against a sandbox served by this test over loopback, so the cart
outlives the child as it would outlive a till.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from pos.journal import Journal
from tests.services.till_fixtures import counter_at, sandbox_at

CHILD = """
import asyncio, sys
from pathlib import Path
from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.catalog import Catalog
from pos.core.customer_ids import parse_gsm
from pos.core.till_settings import TillSettings
from pos.services.till_session import open_till_session

async def main() -> None:
    settings = Settings(
        RegisterSettings(), NetgiroSettings(base_url=sys.argv[1]), TimingSettings(),
        data_dir=Path(sys.argv[2]),
    )
    async with open_till_session(settings, TillSettings(), Catalog()) as session:
        await session.start()
        session.enter("2*990")
        await session.pay_netgiro(parse_gsm("8223281"))

asyncio.run(main())
"""


async def test_killed_while_waiting_then_restarted(tmp_path: Path) -> None:
    async with sandbox_at(tmp_path) as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, sandbox.base_url, str(tmp_path)],
            env=env,
            cwd=Path(__file__).parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await counter_cart(sandbox.root_url, child)
            await until_pending(tmp_path / "journal.sqlite3", child)
        finally:
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=10) == -signal.SIGKILL
            assert child.stderr is not None
            child.stderr.close()
        async with counter_at(tmp_path, sandbox) as counter:
            started = await counter.session.start()
            assert started.killed is True
            [interrupted] = started.interrupted
            assert (interrupted.status, interrupted.phase, interrupted.total) == (
                "unpaid",
                "CANCELLED",
                1980,
            )
            [cart] = await counter.carts()
            assert cart["ResultCode"] == 10201  # recovery cancelled the orphaned cart
            assert counter.journal.open_attempts() == []
            assert counter.session.view.sale.is_empty  # a new sale begins


async def until_pending(journal_file: Path, child: subprocess.Popen[bytes]) -> None:
    """Bounded polling of the child's journal (read-only, beside the writer)."""
    for _ in range(500):
        if child.poll() is not None:
            assert child.stderr is not None
            raise AssertionError(child.stderr.read().decode())
        with Journal(journal_file, read_only=True) as journal:
            if any(a.state.phase.value == "PENDING" for a in journal.open_attempts()):
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the child never reached the customer's wait")


async def counter_cart(root_url: str, child: subprocess.Popen[bytes]) -> None:
    """The child's cart is at the sandbox (so its journal exists and holds the attempt)."""
    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(500):
            if child.poll() is not None:
                assert child.stderr is not None
                raise AssertionError(child.stderr.read().decode())
            if (await http.get(root_url + "sandbox/carts")).json():
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the child never sent its cart")
