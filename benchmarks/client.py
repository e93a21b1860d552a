"""1. Netgíró client: CPU per signed CheckCart through ``NetgiroClient`` vs a bare httpx loop.

Both arms call the same floor server (``benchmarks.servers.floor``, its own process, so its
CPU is not counted) over one kept-alive loopback connection each, in one event loop. Ours is
the till's client with its journal-backed nonce; the bare loop serializes the body, takes a
fresh rising nonce, signs, posts with httpx and parses the answer's JSON. The figure is this
process's CPU time per call; p99 is over every call of every round.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.harness import Result, Row, Target, child
from benchmarks.servers.floor import TRANSACTION_ID
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.journal import Journal
from pos.netgiro.client import NetgiroClient
from pos.services.wiring import journal_backed_nonce

APP_KEY = FIRST_TEST_APPLICATION.app_key
SECRET = FIRST_TEST_APPLICATION.secret_key


class BareLoop:
    """What a program with no till around it would do for one signed CheckCart."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + "Checkout/CheckCart"
        self.http = httpx.AsyncClient()
        self.last = 0

    async def check(self) -> int:
        body = json.dumps({"TransactionId": TRANSACTION_ID}, separators=(",", ":")).encode()
        self.last = max(time.time_ns() // 100, self.last + 1)
        nonce = str(self.last)
        digest = hashlib.sha256((SECRET + nonce + self.url).encode() + body).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "netgiro_appkey": APP_KEY,
            "netgiro_nonce": nonce,
            "netgiro_signature": digest,
        }
        answer = await self.http.post(self.url, content=body, headers=headers)
        data = answer.json()
        return int(data["ResultCode"]) + len(data["PaymentInfo"]["TransactionId"])


async def measure(
    base_url: str, journal: Journal, rounds: int, calls: int
) -> dict[str, list[float]]:
    ours = NetgiroClient(base_url, APP_KEY, SECRET, nonce=journal_backed_nonce(journal))
    bare = BareLoop(base_url)
    samples: dict[str, list[float]] = {"ours": [], "bare": [], "ours_wall": [], "bare_wall": []}
    rounds_cpu: dict[str, list[float]] = {"ours": [], "bare": []}

    async def one_round(arm: str) -> None:
        call = ours.check_cart if arm == "ours" else None
        start_cpu = time.process_time()
        for _ in range(calls):
            cpu, wall = time.process_time_ns(), time.perf_counter_ns()
            if call is not None:
                await call(TRANSACTION_ID)
            else:
                await bare.check()
            samples[f"{arm}_wall"].append((time.perf_counter_ns() - wall) / 1000)
            samples[arm].append((time.process_time_ns() - cpu) / 1000)
        rounds_cpu[arm].append((time.process_time() - start_cpu) * 1e6 / calls)

    try:
        for _ in range(max(10, calls // 10)):  # warm: connections open, code paths hot
            await ours.check_cart(TRANSACTION_ID)
            await bare.check()
        for n in range(rounds):
            for arm in ("ours", "bare") if n % 2 == 0 else ("bare", "ours"):
                await one_round(arm)
    finally:
        await ours.aclose()
        await bare.http.aclose()
    return {**samples, "ours_rounds": rounds_cpu["ours"], "bare_rounds": rounds_cpu["bare"]}


def run(quick: bool = False) -> Result:
    rounds, calls = (3, 20) if quick else (20, 100)
    with (
        child(["-m", "benchmarks.servers.floor"]) as (_, ready),
        tempfile.TemporaryDirectory(prefix="bench-client-") as folder,
        Journal(Path(folder) / "journal.sqlite3") as journal,
    ):
        base_url = f"http://127.0.0.1:{ready.split()[1]}/v1/"
        got = asyncio.run(measure(base_url, journal, rounds, calls))
    rows = [
        Row(
            "CPU per signed CheckCart",
            "µs",
            got["ours_rounds"],
            got["bare_rounds"],
            "bare httpx loop",
            Target("ratio", "<=", 1.10),
        ),
        Row("CPU per call, p99", "µs", got["ours"], got["bare"], "bare httpx loop", pooled=0.99),
        Row(
            "wall per call, p99",
            "µs",
            got["ours_wall"],
            got["bare_wall"],
            "bare httpx loop",
            pooled=0.99,
        ),
    ]
    for row in rows[1:]:
        row.note = f"p99 over {len(row.ours)} calls per arm"
    return Result("client", rows, {"calls_per_arm": len(got["ours"])})
