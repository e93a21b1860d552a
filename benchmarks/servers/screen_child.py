"""The till screen, headless, in a process of its own: ``python -m benchmarks.servers.screen_child``.

Modes (each prints one line):

- ``start till DATA_DIR BASE_URL`` / ``start empty`` / ``start floor DATA_DIR``: ``FRAME`` once
  the first screen (the sale screen; the empty app's Footer) has rendered: the parent times
  spawn to that line. The floor is the empty app that also imports httpx and opens a SQLite
  file in WAL mode: what any till on Textual that talks HTTP and keeps a journal must load.
- ``keys DATA_DIR BASE_URL ROUNDS SAMPLES LINES``: JSON of key-to-total times (ms) with 4 and
  with LINES - 1 lines on the counter, alternating between the two sales (parked and recalled,
  untimed).
- ``keys-bare ROUNDS SAMPLES``: the same timing on a bare Textual app whose Enter adds the
  input to a total shown in a Static: Textual's own floor for a key to a number on screen.
- ``memory DATA_DIR BASE_URL N…``: JSON of RSS and tracemalloc after N paid cash sales.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

AMOUNT = "1990"
SIZE = (80, 24)


def till_app(data_dir: Path, base_url: str) -> Any:
    from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
    from pos.core.till_settings import CatalogSettings
    from pos.ui.launch import EXAMPLE_CATALOG, build_app

    settings = Settings(
        RegisterSettings(),
        NetgiroSettings(base_url=base_url),
        TimingSettings(),
        data_dir,
        sections={"catalog": CatalogSettings(EXAMPLE_CATALOG), "till": 3600.0},
    )
    return build_app(settings)


async def until(pilot: Any, condition: Any, seconds: float = 30.0) -> None:
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            raise TimeoutError(f"never happened: {condition}")
        await pilot.pause(0.005)


async def start_till(data_dir: Path, base_url: str) -> None:
    from pos.ui.screens.sale import SaleScreen

    app = till_app(data_dir, base_url)
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        await pilot.pause()
        print("FRAME", flush=True)


async def start_empty(floor_dir: Path | None = None) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer

    if floor_dir is not None:
        import sqlite3

        import httpx

        floor_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(floor_dir / "floor.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
        httpx.AsyncClient()

    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield Footer()

    app = Empty()
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.screen.query(Footer)))
        await pilot.pause()
        print("FRAME", flush=True)


def total_shown(app: Any) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#total-plain", Static).render())


async def key_to_total(pilot: Any, app: Any) -> float:
    """Type an amount, then time Enter until the new total is on the screen; void it again."""
    session = app.context.session
    lines = len(session.view.sale.lines)
    await pilot.press(*AMOUNT)
    before = total_shown(app)
    start = time.perf_counter()
    await pilot.press("enter")
    await until(pilot, lambda: total_shown(app) != before, 10)
    took = (time.perf_counter() - start) * 1000
    if len(session.view.sale.lines) != lines + 1:
        raise AssertionError("Enter did not add one line")
    await pilot.press("f4")
    await until(pilot, lambda: len(session.view.sale.lines) == lines, 10)
    return took


async def keys(data_dir: Path, base_url: str, rounds: int, samples: int, lines: int) -> None:
    from pos.ui.screens.sale import SaleScreen

    app = till_app(data_dir, base_url)
    times: dict[str, list[list[float]]] = {"5th": [], "big": []}
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        session = app.context.session
        for _ in range(lines - 1):
            session.enter(AMOUNT)
        parked = {"big": session.park_sale()}
        for _ in range(4):
            session.enter(AMOUNT)
        current = "5th"
        await pilot.pause()
        for n in range(rounds):
            for which in ("5th", "big") if n % 2 == 0 else ("big", "5th"):
                if which != current:
                    parked[current] = session.park_sale()
                    session.recall_sale(parked[which])
                    current = which
                    await pilot.pause()
                times[which].append([await key_to_total(pilot, app) for _ in range(samples)])
    print(json.dumps(times), flush=True)


async def keys_bare(rounds: int, samples: int) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Input, Static

    class Bare(App[None]):
        total = 0

        def compose(self) -> ComposeResult:
            yield Static("0", id="total-plain")
            yield Input(id="entry")
            yield Footer()

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.total += int(event.value)
            event.input.value = ""
            self.query_one("#total-plain", Static).update(f"{self.total:,}")

    app = Bare()
    times: list[list[float]] = []
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(rounds):
            one: list[float] = []
            for _ in range(samples):
                await pilot.press(*AMOUNT)
                before = total_shown(app)
                start = time.perf_counter()
                await pilot.press("enter")
                await until(pilot, lambda before=before: total_shown(app) != before, 10)
                one.append((time.perf_counter() - start) * 1000)
            times.append(one)
    print(json.dumps(times), flush=True)


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def memory(data_dir: Path, base_url: str, marks: list[int]) -> None:
    """Paid cash sales rung up through the session while the screen shows each (keys cost
    ~65 ms each through the pilot, so 1 000 sales by keys would take minutes)."""
    from pos.ui.screens.sale import SaleScreen

    tracemalloc.start()
    app = till_app(data_dir, base_url)
    seen: dict[str, Any] = {}
    snapshots: list[tracemalloc.Snapshot] = []
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        session = app.context.session
        for sale in range(1, max(marks) + 1):
            session.enter(AMOUNT)
            session.pay_cash(int(AMOUNT))
            await pilot.pause()
            if not session.view.sale.is_empty:
                raise AssertionError("the paid sale did not leave the counter")
            if sale in marks:
                await pilot.pause(0.2)  # the print worker's receipt, the screen's last frame
                seen[str(sale)] = {
                    "rss_kib": rss_kib(),
                    "traced": tracemalloc.get_traced_memory()[0],
                }
                snapshots.append(tracemalloc.take_snapshot())
    growth = snapshots[-1].compare_to(snapshots[-2], "lineno")[:8]
    seen["growth"] = [f"{stat.size_diff / 1024:+.0f} KiB {stat.traceback}" for stat in growth]
    print(json.dumps(seen), flush=True)


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "start" and argv[1] == "empty":
        asyncio.run(start_empty())
    elif mode == "start" and argv[1] == "floor":
        asyncio.run(start_empty(Path(argv[2])))
    elif mode == "start":
        asyncio.run(start_till(Path(argv[2]), argv[3]))
    elif mode == "keys":
        asyncio.run(keys(Path(argv[1]), argv[2], int(argv[3]), int(argv[4]), int(argv[5])))
    elif mode == "keys-bare":
        asyncio.run(keys_bare(int(argv[1]), int(argv[2])))
    elif mode == "memory":
        asyncio.run(memory(Path(argv[1]), argv[2], [int(n) for n in argv[3:]]))
    else:
        raise SystemExit(f"unknown mode {argv}")


if __name__ == "__main__":
    main(sys.argv[1:])
