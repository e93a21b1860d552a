"""`pos manager add` / `pos cashier add`: PIN asked twice, people file 0600, refused while the till is open."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from pos.cli import main
from pos.journal import Journal
from pos.journal.audit import entries
from pos.people import PeopleFile, pin_matches
from pos.services.wiring import register_lock


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n", encoding="utf-8")
    return path


def run(config: Path, stdin: str, *argv: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*argv, "--config", str(config)])


def test_a_manager_and_a_cashier_are_added(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(config, "480263\n480263\n", "manager", "add", "Anna", monkeypatch=monkeypatch) == 0
    assert run(config, "4826\n4826\n", "cashier", "add", "Jón", monkeypatch=monkeypatch) == 0
    people_file = tmp_path / "data" / "people.json"
    assert stat.S_IMODE(people_file.stat().st_mode) == 0o600
    anna, jon = PeopleFile(people_file).people()
    assert (anna.name, anna.role, jon.name, jon.role) == ("Anna", "manager", "Jón", "cashier")
    assert pin_matches("480263", anna.pin_hash)
    assert pin_matches("4826", jon.pin_hash)
    captured = capsys.readouterr()
    assert "480263" not in captured.out + captured.err
    assert "Added manager Anna" in captured.out
    with Journal(tmp_path / "data" / "journal.sqlite3", read_only=True) as journal:
        added = [(row.action, row.details) for row in entries(journal)]
        assert all(row.actor.startswith("shell:") for row in entries(journal))
    assert added == [
        ("person.added", {"name": "Anna", "role": "manager"}),
        ("person.added", {"name": "Jón", "role": "cashier"}),
    ]


def test_the_people_file_named_by_the_config_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "register.toml"
    config.write_text(
        f"[paths]\ndata_dir = '{tmp_path / 'data'}'\npeople_file = 'staff/people.json'\n",
        encoding="utf-8",
    )
    assert run(config, "480263\n480263\n", "manager", "add", "Anna", monkeypatch=monkeypatch) == 0
    assert PeopleFile(tmp_path / "staff" / "people.json").find("Anna") is not None
    assert not (tmp_path / "data" / "people.json").exists()


@pytest.mark.parametrize(
    ("role", "stdin", "said"),
    [
        ("manager", "48026\n48026\n", "at least 6 digits"),
        ("cashier", "482\n482\n", "at least 4 digits"),
        ("manager", "480263\n480264\n", "differ"),
        ("manager", "123456\n123456\n", "too easy"),
    ],
)
def test_a_pin_that_breaks_the_rules_saves_nothing(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    role: str,
    stdin: str,
    said: str,
) -> None:
    assert run(config, stdin, role, "add", "Anna", monkeypatch=monkeypatch) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "data" / "people.json").exists()


def test_a_name_already_there_is_refused(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "480263\n480263\n", "manager", "add", "Anna", monkeypatch=monkeypatch) == 0
    assert run(config, "4826\n4826\n", "cashier", "add", "anna", monkeypatch=monkeypatch) == 2
    assert "already" in capsys.readouterr().err


def test_refused_while_the_till_is_open(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with register_lock(tmp_path / "data"):
        code = run(config, "480263\n480263\n", "manager", "add", "Anna", monkeypatch=monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert "The till is open (pid " in err
    assert "do it in manager mode (F9)" in err
    assert not (tmp_path / "data" / "people.json").exists()


def test_the_people_are_listed_by_role_without_their_hashes(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "", "manager", "list", monkeypatch=monkeypatch) == 0
    assert "No managers yet" in capsys.readouterr().err
    assert run(config, "480263\n480263\n", "manager", "add", "Anna", monkeypatch=monkeypatch) == 0
    assert run(config, "4826\n4826\n", "cashier", "add", "Jón", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(config, "", "manager", "list", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "Anna\n"
    assert run(config, "", "cashier", "list", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert out == "Jón\n" and "scrypt" not in out
