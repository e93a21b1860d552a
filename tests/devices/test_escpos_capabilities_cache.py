"""python-escpos 3.1 caches its printer database in a fresh temp dir on every import: it parsed
70 KB of YAML each time (~0.3 s of every start) and left one dir behind per process. The till
points it at one private cache, filled atomically from the JSON (benchmarks/startup.py). (It
still makes an empty temp dir per import: ``environ.get(name, mkdtemp())`` runs its default.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

PROBE = "import pos.devices.escpos_render, escpos.capabilities as c; print(len(c.CAPABILITIES))"


def import_escpos(home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(home / "cache"), "TMPDIR": str(home / "tmp")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_escpos_writes_no_temp_cache_and_reuses_one_private_cache(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    first = import_escpos(tmp_path)
    second = import_escpos(tmp_path)
    assert first == second != "0"
    assert [list(left.iterdir()) for left in (tmp_path / "tmp").iterdir()] == [[], []]
    cache = tmp_path / "cache" / "pos-till" / "escpos"
    assert [p.name for p in cache.iterdir()] == [f"{sys.version.split()[0]}.capabilities.pickle"]
    assert cache.stat().st_mode & 0o777 == 0o700


def test_the_database_read_as_json_is_the_one_escpos_reads_as_yaml() -> None:
    from pos.devices.escpos_cache import capabilities_file

    path = capabilities_file()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == yaml.safe_load(text)
