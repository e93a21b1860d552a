"""Every benchmark's ``--quick`` mode still runs: one table, one JSON of samples, no process left.

No figure is asserted (a loaded machine makes any time a lie): only that each benchmark runs
end to end against the real parts, prints its rows and keeps sane samples.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]
HEADER = "| what"
pytestmark = pytest.mark.benchmark


def processes_marked(marker: str) -> list[str]:
    """Processes whose environment holds ``marker`` (this run's children, and theirs)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:  # not a process, gone meanwhile, or not ours to read
            continue
    return found


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_quick_mode_prints_its_rows_and_keeps_every_sample(name: str, tmp_path: Path) -> None:
    token = uuid.uuid4().hex
    env = {**os.environ, "POS_BENCH_TEST_RUN": token}
    marker = f"POS_BENCH_TEST_RUN={token}"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", name, "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
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
    assert processes_marked(marker) == []  # every server and load generator was stopped
