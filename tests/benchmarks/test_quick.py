"""Every benchmark's ``--quick`` mode still runs: one table, one JSON of samples, no process left.

No figure is asserted (a loaded machine makes any time a lie): only that each benchmark runs
end to end against the real parts, prints its rows and keeps sane samples.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]
HEADER = "| what"
pytestmark = pytest.mark.benchmark


def helper_processes() -> int:
    done = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    return sum("benchmarks.servers" in line for line in done.stdout.splitlines())


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_quick_mode_prints_its_rows_and_keeps_every_sample(name: str, tmp_path: Path) -> None:
    helpers_before = helper_processes()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", name, "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert table[0].startswith(HEADER) and "95% CI bound" in table[0]
    written = list(tmp_path.glob(f"*-quick-{name}.json"))
    assert len(written) == 1
    document = json.loads(written[0].read_text(encoding="utf-8"))
    assert document["quick"] is True and document["git_sha"]
    assert document["machine"]["cores"] >= 1 and len(document["machine"]["load_average"]) == 3
    rows = document["benchmarks"][name]["rows"]
    assert len(table) == 2 + len(rows)  # header, rule, one line per row
    for row, line in zip(rows, table[2:], strict=True):
        assert f"{name}: {row['what']}" in line
        samples = row["ours"] + (row["baseline"] or [])
        assert samples and all(math.isfinite(x) for x in samples)
        assert row["met"] in (True, False, None)
        assert (row["met"] is None) == (row["target"] is None)
    assert helper_processes() == helpers_before
