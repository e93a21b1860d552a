"""6. Till screen: cold start, key to total at the 5th and the 500th line, memory per sale.

Every measurement runs the till headless (Textual's ``run_test``) in a child process
(``benchmarks.servers.screen_child``) against a sandbox process of its own. Cold start is spawn
to the first rendered sale screen, against an empty Textual app with a Footer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Result, Row, Target, child, interleaved
from benchmarks.stats import median

CHILD = [sys.executable, "-m", "benchmarks.servers.screen_child"]


def spawn_to_frame(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([*CHILD, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    took = (time.perf_counter() - start) * 1000
    if "FRAME" not in done.stdout:
        raise RuntimeError(f"no frame: {done.stdout!r} {done.stderr[-500:]!r}")
    return took


def child_json(args: list[str]) -> Any:
    done = subprocess.run([*CHILD, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> Result:
    rounds = 2 if quick else 20
    with (
        tempfile.TemporaryDirectory(prefix="bench-screen-") as folder,
        child(["-m", "benchmarks.servers.sandbox", f"{folder}/sandbox.sqlite3"]) as (_, ready),
    ):
        base_url = f"http://127.0.0.1:{ready.split()[1]}/v1/"
        start_dir = str(Path(folder) / "start")
        for _ in range(0 if quick else 2):  # warm-up: .pyc, caches, the journal file
            spawn_to_frame(["start", "till", start_dir, base_url])
            spawn_to_frame(["start", "empty"])
        cold = interleaved(
            rounds,
            lambda: spawn_to_frame(["start", "till", start_dir, base_url]),
            lambda: spawn_to_frame(["start", "empty"]),
        )
        floor_dir = str(Path(folder) / "floor")
        floor = interleaved(
            rounds,
            lambda: spawn_to_frame(["start", "floor", floor_dir]),
            lambda: spawn_to_frame(["start", "empty"]),
        )
        samples, lines = (2, 20) if quick else (10, 500)
        keys = child_json(
            ["keys", str(Path(folder) / "keys"), base_url, str(rounds), str(samples), str(lines)]
        )
        keys["bare"] = child_json(["keys-bare", str(rounds), str(samples)])
        marks = [2, 4, 6] if quick else [200, 600, 1000]
        memory = child_json(["memory", str(Path(folder) / "memory"), base_url, *map(str, marks)])
    found = rows(cold, keys, memory, marks, lines)
    found.insert(
        1,
        Row(
            "cold start floor: + httpx + SQLite",
            "ms",
            floor[0],
            floor[1],
            "empty Textual app + Footer",
        ),
    )
    extra = {"keys": keys, "memory": memory, "big_sale_lines": lines}
    return Result("screen", found, extra)


def rows(
    cold: tuple[list[float], list[float]],
    keys: dict[str, Any],
    memory: dict[str, Any],
    marks: list[int],
    lines: int,
) -> list[Row]:
    small = [median(r) for r in keys["5th"]]
    large = [median(r) for r in keys["big"]]
    pooled_small = [x for r in keys["5th"] for x in r]
    pooled_large = [x for r in keys["big"] for x in r]
    first, middle, last = (memory[str(m)] for m in marks)
    span = marks[2] - marks[1]
    traced_slope = (last["traced"] - middle["traced"]) / 1024 / span
    rss_slope = (last["rss_kib"] - middle["rss_kib"]) / span
    return [
        Row(
            "cold start to first frame",
            "ms",
            cold[0],
            cold[1],
            "empty Textual app + Footer",
            Target("ratio", "<=", 1.5),
        ),
        Row(
            "key to total, 5th line, p50",
            "ms",
            small,
            [median(r) for r in keys["bare"]],
            "bare Textual Input→Static",
        ),
        Row("key to total, 5th line, p99", "ms", pooled_small, kind="value", pooled=0.99),
        Row(f"key to total, {lines}th line, p99", "ms", pooled_large, kind="value", pooled=0.99),
        Row(
            f"key to total p50, {lines}th vs 5th line",
            "ms",
            large,
            small,
            "5th line",
            Target("ratio", "<=", 1.2),
        ),
        Row(
            f"key to total p99, {lines}th vs 5th line",
            "ms",
            pooled_large,
            pooled_small,
            "5th line",
            Target("ratio", "<=", 1.5),
            pooled=0.99,
        ),
        Row(
            f"tracemalloc growth per sale, sales {marks[1]}–{marks[2]}",
            "KiB",
            [traced_slope],
            target=Target("value", "<=", 5.0),
            exact=True,
            note=f"traced {first['traced'] // 1024} / {middle['traced'] // 1024} / "
            f"{last['traced'] // 1024} KiB at sales {marks}",
        ),
        Row(
            f"RSS growth per sale, sales {marks[1]}–{marks[2]}",
            "KiB",
            [rss_slope],
            kind="value",
            note=f"RSS {first['rss_kib']} / {middle['rss_kib']} / {last['rss_kib']} KiB",
        ),
    ]
