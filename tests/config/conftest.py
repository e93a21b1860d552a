from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.delenv("NETGIRO_SECRET_KEY", raising=False)
