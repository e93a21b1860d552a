"""Numbers typed at the shell larger than SQLite's integers (found by a hostile pass): every
read-only command that takes a number answers in words a person can act on, not with the
generic "Error: OverflowError …" of an unexpected failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.cli import main
from pos.journal import Journal

HUGE = "9" * 23  # past SQLite's 64-bit INTEGER


@pytest.fixture
def config(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    with Journal(data / "journal.sqlite3"):
        pass
    path = tmp_path / "register.toml"
    path.write_text(f'[paths]\ndata_dir = "{data}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "z", HUGE],
        ["receipt", "show", HUGE],
        ["journal", "--limit", HUGE],
        ["audit", "show", "--limit", HUGE],
        ["refund", "settle", HUGE, "done", "--portal", "x", "--manager", "Anna"],
        ["receipt", "show", "²"],
        ["report", "z", "0"],
    ],
    ids=[
        "report-z-N",
        "receipt-show-N",
        "journal-limit",
        "audit-show-limit",
        "refund-settle-N",
        "superscript-digit",
        "zero",
    ],
)
def test_a_number_too_large_is_refused_in_words(
    config: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main([*argv, "--config", str(config)])
    except SystemExit as exited:  # argparse refusing the value is a fine answer too
        code = int(exited.code or 0)
    said = capsys.readouterr().err
    assert code == 2
    assert "OverflowError" not in said, said
    assert "give a whole number from 1 up" in said, said
