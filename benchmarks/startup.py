"""7. Headless start-up: ``pos --help`` and ``pos journal`` against bare interpreters.

Warm ``.pyc`` (warm-up runs first), each command a fresh process timed from spawn to exit;
``pos journal`` reads a real journal of a few sales in a data dir of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import Result, Row, Target, interleaved

POS = str(Path(sys.executable).with_name("pos"))
PYTHON = sys.executable


def wall_ms(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    """Mean milliseconds from spawn to exit over ``runs`` runs; a failure is an error."""
    start = time.perf_counter()
    for _ in range(runs):
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000 / runs


def seeded_data_dir(folder: Path) -> dict[str, str]:
    """A data dir whose journal holds a few paid-looking sales, and the env that points at it."""
    from pos.journal import Journal, SaleLine

    with Journal(folder / "journal.sqlite3") as journal:
        for n in range(5):
            journal.create_sale("R1", [SaleLine(str(n), f"Vara {n}", 1000 + n, 1000, 1000 + n)])
    return {**os.environ, "POS_DATA_DIR": str(folder)}


def compare(
    ours: Sequence[str], baseline: Sequence[str], env: dict[str, str], quick: bool
) -> tuple[list[float], list[float]]:
    rounds, runs = (3, 1) if quick else (20, 3)
    for _ in range(1 if quick else 3):  # warm-up: .pyc written, files in the page cache
        wall_ms(ours, env, 1)
        wall_ms(baseline, env, 1)
    return interleaved(
        rounds, lambda: wall_ms(ours, env, runs), lambda: wall_ms(baseline, env, runs)
    )


def run(quick: bool = False) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        env = seeded_data_dir(Path(folder))
        help_ours, help_base = compare([POS, "--help"], [PYTHON, "-c", "pass"], env, quick)
        journal_ours, journal_base = compare(
            [POS, "journal"], [PYTHON, "-c", "import httpx"], env, quick
        )
    rows = [
        Row(
            "`pos --help` wall",
            "ms",
            help_ours,
            help_base,
            "python -c pass",
            Target("diff", "<=", 100.0),
        ),
        Row(
            "`pos journal` wall",
            "ms",
            journal_ours,
            journal_base,
            "python -c 'import httpx'",
            Target("ratio", "<=", 1.2),
        ),
    ]
    return Result("startup", rows, {"runs_per_round": 1 if quick else 3})
