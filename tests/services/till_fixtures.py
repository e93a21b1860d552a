"""A till session on a real sandbox over loopback and a real journal file, for service tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.catalog import Catalog, parse_catalog
from pos.core.till_settings import TillSettings
from pos.journal import Journal
from pos.netgiro.client import NetgiroClient
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.services.checkout_runner import CheckoutRunner, RunnerTiming
from pos.services.status import CheckoutView
from pos.services.till_session import TillSession
from pos.services.till_views import CheckoutUpdated, TillUpdate
from pos.services.wiring import Till

EXAMPLE_CATALOG = Path(__file__).parents[2] / "config" / "catalog.example.csv"
TIMING = RunnerTiming(deadline_s=30, give_up_after_s=5, backoff_cap_s=0.5, poll_fallback_ms=200)


class CountingDrawer:
    """Stands in for the cash drawer (a USB/serial device this machine does not have)."""

    def __init__(self, opens: bool = True) -> None:
        self.kicks = 0
        self.opens = opens

    def kick(self) -> tuple[bool, str]:
        self.kicks += 1
        return (True, "") if self.opens else (False, "The drawer did not open (offline).")


@dataclass
class Counter:
    """The session, the sandbox behind it and the tester's phone."""

    session: TillSession
    sandbox: RunningSandbox
    journal: Journal
    drawer: CountingDrawer
    updates: list[TillUpdate] = field(default_factory=list)

    async def carts(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(self.sandbox.root_url + "sandbox/carts")
            answer.raise_for_status()
            carts: list[dict[str, Any]] = answer.json()
            return carts

    async def act(self, transaction_id: str, action: str) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            url = f"{self.sandbox.root_url}sandbox/carts/{transaction_id}/{action}"
            (await http.post(url)).raise_for_status()

    async def issued_app_code(self) -> str:
        """A code as the customer's app shows it (``POST /sandbox/app-codes``)."""
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(self.sandbox.root_url + "sandbox/app-codes", json={})
            answer.raise_for_status()
            return str(answer.json()["AppCode"])

    async def newest_cart(self, count: int = 1) -> dict[str, Any]:
        """The newest cart once there are ``count`` (bounded polling, never a timed assert)."""
        for _ in range(400):
            carts = await self.carts()
            if len(carts) >= count:
                return carts[-1]
            await asyncio.sleep(0.02)
        raise AssertionError("no cart appeared")

    async def until_checkout(self, wanted: Callable[[CheckoutView], bool]) -> CheckoutView:
        for _ in range(500):
            for update in reversed(self.updates):
                if isinstance(update, CheckoutUpdated) and wanted(update.view):
                    return update.view
            await asyncio.sleep(0.02)
        raise AssertionError("the checkout never got there")

    async def until(self, predicate: Callable[[], bool], what: str) -> None:
        for _ in range(500):
            if predicate():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"gave up waiting for {what}")


def catalog() -> Catalog:
    parsed, problems = parse_catalog(EXAMPLE_CATALOG.read_text(encoding="utf-8"))
    assert problems == []
    return parsed


class _Relay:
    def __init__(self) -> None:
        self.target: Callable[[CheckoutView], None] = lambda view: None

    def __call__(self, view: CheckoutView) -> None:
        self.target(view)


@asynccontextmanager
async def sandbox_at(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    settings = SandboxSettings(
        state_file=tmp_path / "sandbox.sqlite3", port=0, poll_interval_ms=200
    )
    sandbox = RunningSandbox(settings).start()
    try:
        yield sandbox
    finally:
        await asyncio.to_thread(sandbox.stop)


@asynccontextmanager
async def counter_at(
    tmp_path: Path,
    sandbox: RunningSandbox,
    till_settings: TillSettings | None = None,
    *,
    close_cleanly: bool = True,
    base_url: str | None = None,
    timing: RunnerTiming = TIMING,
    confirmation: str = "manual",
) -> AsyncIterator[Counter]:
    """A till on ``tmp_path``'s journal; ``close_cleanly=False`` leaves as a killed till would.

    ``base_url`` points the client elsewhere than the sandbox (a recording server)."""
    base_url = base_url or sandbox.base_url
    settings = Settings(
        RegisterSettings(),
        NetgiroSettings(base_url=base_url, confirmation=confirmation),  # type: ignore[arg-type]
        TimingSettings(),
        data_dir=tmp_path,
    )
    journal = Journal(settings.journal_file)
    client = NetgiroClient(base_url, settings.netgiro.app_key, settings.netgiro.secret_key)
    updates: list[TillUpdate] = []
    relay = _Relay()
    runner = CheckoutRunner(client, journal, timing, on_update=relay)
    drawer = CountingDrawer()
    till = Till(settings, journal, client, runner, None)
    session = TillSession(
        till, till_settings or TillSettings(), catalog(), drawer=drawer, on_update=updates.append
    )
    relay.target = session.checkout_updated
    try:
        yield Counter(session, sandbox, journal, drawer, updates)
    finally:
        await session.wait_for_kicks()  # as open_till_session does before the journal closes
        if close_cleanly:
            session.close()
        await client.aclose()
        journal.close()
