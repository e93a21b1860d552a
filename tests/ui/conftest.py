"""A counter for pilot tests: the real sandbox on loopback, a real journal file, short timings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.till_settings import CatalogSettings
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.ui.app import TillApp
from pos.ui.launch import EXAMPLE_CATALOG, build_app

FROZEN_NOW = datetime(2026, 12, 1, 14, 5)
# Short waits between calls keep the tests quick; generous timeouts keep a loaded machine (two
# cores shared by many jobs) from turning a slow answer into an "unknown" outcome.
TEST_TIMING = TimingSettings(
    connect_timeout_s=5.0,
    read_timeout_s=10.0,
    poll_fallback_ms=100,
    backoff_cap_s=0.3,
    deadline_s=30.0,
    give_up_after_s=30.0,
    code_tries=3,
)
SIZE = (80, 24)


@dataclass
class Counter:
    """One register: its sandbox, data dir and settings; builds apps on them."""

    sandbox: RunningSandbox
    data_dir: Path
    settings: Settings

    def app(self, **overrides: Any) -> TillApp:
        screen = {"wall_clock": lambda: FROZEN_NOW, **overrides}
        return build_app(self.settings, **screen)

    def with_timing(self, **timing: float) -> None:
        self.settings = replace(self.settings, timing=replace(self.settings.timing, **timing))

    def carts(self) -> list[dict[str, Any]]:
        answer = httpx.get(self.sandbox.root_url + "sandbox/carts", timeout=5)
        carts: list[dict[str, Any]] = answer.json()
        return carts

    def act(self, transaction_id: str, action: str) -> dict[str, Any]:
        url = f"{self.sandbox.root_url}sandbox/carts/{transaction_id}/{action}"
        cart: dict[str, Any] = httpx.post(url, timeout=5).json()
        return cart

    def app_code(self) -> str:
        code: str = httpx.post(self.sandbox.root_url + "sandbox/app-codes", timeout=5).json()[
            "AppCode"
        ]
        return code

    def restart_sandbox(self) -> None:
        """The same sandbox (port and carts) back after ``sandbox.stop()``."""
        self.sandbox = RunningSandbox(replace(self.sandbox.settings, port=self.sandbox.port))
        self.sandbox.start()


def sandbox_settings(data_dir: Path) -> SandboxSettings:
    return SandboxSettings(state_file=data_dir / "sandbox.sqlite3", port=0, poll_interval_ms=100)


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    sandbox = RunningSandbox(sandbox_settings(tmp_path)).start()
    settings = Settings(
        RegisterSettings(),
        NetgiroSettings(base_url=sandbox.base_url),
        TEST_TIMING,
        tmp_path / "data",
        sections={"catalog": CatalogSettings(EXAMPLE_CATALOG), "till": 3600.0},
    )
    made = Counter(sandbox, tmp_path / "data", settings)
    try:
        yield made
    finally:
        made.sandbox.stop()


async def until(pilot: Pilot[Any], condition: Callable[[], object], seconds: float = 30) -> None:
    """Let the app run until ``condition()`` holds (a bound, not a timing assertion)."""
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"never happened: {condition}")
        await pilot.pause(0.05)
    await pilot.pause()  # and let the screen catch up with what made it hold


async def newest_cart(pilot: Pilot[Any], counter: Counter, count: int = 1) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def seen() -> bool:
        found[:] = counter.carts()
        return len(found) >= count

    await until(pilot, seen)
    return found[-1]


def screen_text(app: TillApp) -> str:
    """The current screen as the cashier reads it: its rendered lines, styles dropped."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def type_line(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text, "enter")


async def wait_idle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)
