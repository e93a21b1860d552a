"""2. Sandbox: InsertCart throughput, p50 and p99 at 1, 10 and 50 registers vs a bare app.

Three processes: the sandbox (served as ``pos sandbox`` serves it), the bare starlette app
(``benchmarks.servers.bare``: the same signature check and one row written with the same
pragmas, under uvicorn's defaults) and one load generator (``benchmarks.servers.load``) that
loads each in turn, rounds alternating which goes first. Errors (non-2xx, an answer that says
no, timeouts, a broken connection) must be none at all.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.harness import Result, Row, Target, child
from benchmarks.stats import percentile

LEVELS = (1, 10, 50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    give_up = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.05)


def load(generator: subprocess.Popen[str], port: int, registers: int, each: int) -> dict[str, Any]:
    assert generator.stdin is not None and generator.stdout is not None
    generator.stdin.write(f"{port} {registers} {each}\n")
    generator.stdin.flush()
    answer: dict[str, Any] = json.loads(generator.stdout.readline())
    return answer


def run(quick: bool = False) -> Result:
    rounds = 3 if quick else 20
    per_level = {1: 10, 10: 3, 50: 1} if quick else {1: 200, 10: 40, 50: 10}
    rows: list[Row] = []
    extra: dict[str, Any] = {}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-sandbox-")))
        ours_process, ready = stack.enter_context(
            child(["-m", "benchmarks.servers.sandbox", str(folder / "sandbox.sqlite3")])
        )
        ours_port = int(ready.split()[1])
        bare_port = free_port()
        bare_process, _ = stack.enter_context(
            child(["-m", "benchmarks.servers.bare", str(folder / "bare.sqlite3"), str(bare_port)])
        )
        servers = {ours_port: ours_process.pid, bare_port: bare_process.pid}
        generator, _ = stack.enter_context(child(["-m", "benchmarks.servers.load"]))
        for port in (ours_port, bare_port):
            wait_for_port(port)
            load(generator, port, 2, 5)  # warm: code paths, files, connections
        for registers in LEVELS:
            found = level(
                generator, servers, ours_port, bare_port, registers, per_level[registers], rounds
            )
            rows += found[0]
            extra[f"registers_{registers}"] = found[1]
    return Result("sandbox", rows, extra)


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU so far (/proc/PID/stat, clock ticks)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def level(
    generator: subprocess.Popen[str],
    servers: dict[int, int],
    ours_port: int,
    bare_port: int,
    registers: int,
    each: int,
    rounds: int,
) -> tuple[list[Row], dict[str, Any]]:
    arms: dict[str, dict[str, list[Any]]] = {
        arm: {"rps": [], "p50": [], "latencies": [], "errors": [], "cpu_us": []}
        for arm in ("ours", "bare")
    }
    for n in range(rounds):
        order = (("ours", ours_port), ("bare", bare_port))
        for arm, port in order if n % 2 == 0 else order[::-1]:
            cpu_before = cpu_seconds(servers[port])
            got = load(generator, port, registers, each)
            done = len(got["latencies_ms"])
            arms[arm]["cpu_us"].append((cpu_seconds(servers[port]) - cpu_before) * 1e6)
            arms[arm].setdefault("requests", []).append(done)
            arms[arm]["rps"].append(done / got["wall_s"])
            arms[arm]["p50"].append(percentile(got["latencies_ms"], 0.5) if done else 1e9)
            arms[arm]["latencies"] += got["latencies_ms"]
            arms[arm]["errors"].append(len(got["errors"]))
            if got["errors"]:
                arms[arm].setdefault("error_kinds", []).extend(got["errors"])
    ours, bare = arms["ours"], arms["bare"]
    at = f"{registers} register{'s' if registers > 1 else ''}"
    rows = [
        Row(
            f"InsertCart/s, {at}",
            "req/s",
            ours["rps"],
            bare["rps"],
            "bare starlette",
            Target("ratio", ">=", 0.8),
        ),
        Row(
            f"p50, {at}",
            "ms",
            ours["p50"],
            bare["p50"],
            "bare starlette",
            Target("ratio", "<=", 1.25),
        ),
        Row(
            f"p99, {at}", "ms", ours["latencies"], bare["latencies"], "bare starlette", pooled=0.99
        ),
        Row(
            f"errors, {at}",
            "",
            [float(x) for x in ours["errors"] + bare["errors"]],
            target=Target("value", "<=", 0),
            exact=True,
            note="both arms",
        ),
    ]
    cpu = {arm: sum(data["cpu_us"]) / max(1, sum(data["requests"])) for arm, data in arms.items()}
    if (
        cpu["ours"] and cpu["bare"]
    ):  # the kernel counts CPU in 10 ms ticks: a quick run may see none
        rows.insert(
            3,
            Row(
                f"server CPU per InsertCart, {at}",
                "µs",
                [cpu["ours"]],
                [cpu["bare"]],
                "bare starlette",
                note="all rounds pooled",
            ),
        )
    return rows, {arm: dict(data) for arm, data in arms.items()}
