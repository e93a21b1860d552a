"""``pos report x|z [N] [--json]`` and ``pos cash``: through ``pos.cli.main`` on a real config,
journal and people file; the X and a Z's reprint beside the open till, the Z and cash refused."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import load_settings
from pos.core.sale import Sale
from pos.journal import Journal, sales
from pos.journal.audit import entries
from pos.people import PeopleFile, Person, hash_pin
from pos.services.wiring import register_lock


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(
        f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n[reports]\nbackup_dir = 'backups'\n"
        "[store]\nname = 'Dæmibúðin ehf.'\naddress = 'Laugavegi 1'\nkennitala = '550303-1240'\n"
        "vsk_number = '123456'\n",
        encoding="utf-8",
    )
    settings = load_settings(path, need_secret=False)
    PeopleFile(settings.people_file).add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    with Journal(settings.journal_file) as journal:
        sale = Sale().add_open_price(2480, 24)
        sale_id = sales.save_sale(journal, "R1", sale)
        sales.take_cash(journal, sale_id, 2480, 3000)
    return path


def pos(config: Path, stdin: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*argv, "--config", str(config)])


def test_float_x_z_and_the_reprint_from_the_shell(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pos(config, "480263\n", monkeypatch, "cash", "float", "15000", "--manager", "Anna") == 0
    assert "float 15000 kr. by manager:Anna" in capsys.readouterr().out
    assert pos(config, "", monkeypatch, "report", "x", "--json") == 0
    x = json.loads(capsys.readouterr().out)
    assert (x["kind"], x["total"], x["cash"]["expected"], x["cash"]["counted"]) == (
        "X",
        2480,
        17_480,
        None,
    )
    assert pos(config, "480263\n17 000\n", monkeypatch, "report", "z", "--manager", "Anna") == 0
    said = capsys.readouterr()
    # the count is asked before the expected amount is said
    assert said.err.index("Cash counted") < said.err.index("expected 17480 kr.")
    assert "counted 17000 kr., 480 kr. short" in said.err
    assert "Z-SKÝRSLA nr. 1" in said.out and "Vantar" in said.out
    assert "Z 1 printed (" in said.err
    assert pos(config, "", monkeypatch, "report", "z", "1", "--json") == 0
    z = json.loads(capsys.readouterr().out)
    assert (z["number"], z["cash"]["over_short"]) == (1, -480)
    assert (config.parent / "backups").is_dir()
    assert sorted(p.suffix for p in (config.parent / "backups").iterdir()) == [".csv", ".sqlite3"]


def test_the_till_open_refuses_z_and_cash_and_still_shows_x_and_z_n(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pos(config, "480263\n2480\n", monkeypatch, "report", "z", "--manager", "Anna") == 0
    capsys.readouterr()
    settings = load_settings(config, need_secret=False)
    with register_lock(settings.data_dir):
        assert pos(config, "480263\n0\n", monkeypatch, "report", "z", "--manager", "Anna") == 2
        assert "The till is open (pid" in capsys.readouterr().err
        assert (
            pos(
                config,
                "480263\n",
                monkeypatch,
                "cash",
                "in",
                "500",
                "--reason",
                "Banki",
                "--manager",
                "Anna",
            )
            == 2
        )
        assert "manager mode (F9)" in capsys.readouterr().err
        assert pos(config, "", monkeypatch, "report", "x") == 0
        shown = capsys.readouterr().out
        assert "X-SKÝRSLA (staða fyrir Z nr. 2)" in shown
        assert shown.splitlines()[0].strip() == "Dæmibúðin ehf."
        assert pos(config, "", monkeypatch, "report", "z", "1", "--width", "32") == 0
        assert all(len(line) <= 32 for line in capsys.readouterr().out.splitlines())
    with Journal(settings.journal_file, read_only=True) as journal:
        assert [e.action for e in entries(journal)].count("z.closed") == 1


def test_a_z_without_a_manager_or_with_a_parked_sale_says_what_to_do(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pos(config, "", monkeypatch, "report", "z") == 2
    assert "--manager NAME" in capsys.readouterr().err
    with Journal(load_settings(config, need_secret=False).journal_file) as journal:
        sales.park_sale(journal, "R1", Sale().add_open_price(100, 24))
    assert pos(config, "480263\n2480\n", monkeypatch, "report", "z", "--manager", "Anna") == 2
    assert "--void-open" in capsys.readouterr().err
    assert (
        pos(
            config,
            "480263\n2480\n",
            monkeypatch,
            "report",
            "z",
            "--manager",
            "Anna",
            "--void-open",
            "--json",
        )
        == 0
    )
    closed = json.loads(capsys.readouterr().out)
    assert (closed["voided_at_close"], closed["cash"]["over_short"]) == (1, 0)
    assert pos(config, "", monkeypatch, "report", "z", "7") == 2
    assert "no Z report 7: the last is Z 1" in capsys.readouterr().err


def test_the_head_read_off_the_printed_z_finds_deleted_tail_rows(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pos(config, "480263\n2480\n", monkeypatch, "report", "z", "--manager", "Anna") == 0
    assert pos(config, "480263\n", monkeypatch, "cash", "float", "5000", "--manager", "Anna") == 0
    settings = load_settings(config, need_secret=False)
    paper = (settings.data_dir / "receipts" / "report-000001.txt").read_text(encoding="utf-8")
    lines = paper.splitlines()
    at = lines.index("Keðjuhaus endurskoðunarskrár:")
    head_on_paper = " ".join(line.strip() for line in lines[at + 1 : at + 5])
    assert pos(config, "", monkeypatch, "audit", "verify", "--head", head_on_paper) == 0
    capsys.readouterr()
    # someone drops the trigger and deletes the Z's audit row and everything after it
    db = sqlite3.connect(settings.journal_file)
    db.execute("DROP TRIGGER audit_is_append_only_delete")
    db.execute("DELETE FROM audit WHERE seq >= (SELECT seq FROM audit WHERE action = 'z.closed')")
    db.execute(
        "CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows are never deleted'); END"
    )
    db.commit()
    db.close()
    assert pos(config, "", monkeypatch, "audit", "verify") == 0  # the shorter chain still links
    assert pos(config, "", monkeypatch, "audit", "verify", "--head", head_on_paper) == 2
    assert "BROKEN: The head from the Z" in capsys.readouterr().out
