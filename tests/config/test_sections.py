"""[register] ids and names (issue 15 item 10), [store] identity, and callbacks that can never work (item 4)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import ConfigProblems, NetgiroSettings, check_config, load_settings
from pos.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> str:
    problems = [p for p in check_config(path) if p.severity == "error"]
    assert len(problems) == 1, problems
    return str(problems[0])


# --- [register] (issue 15 item 10) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('register_id = "R1\\nX"', "register.register_id may hold only the letters"),
        ('register_id = "R-1"', "register.register_id may hold only the letters"),
        ('register_id = "Ř1"', "register.register_id may hold only the letters"),
        ('register_id = "R234567"', "register.register_id is 7 characters long; at most 6"),
        ('store_id = "S\\u0000"', "register.store_id may hold only the letters"),
        ('store_id = "STORE12"', "register.store_id is 7 characters long; at most 6"),
        ('location_id = "L1\\r"', "register.location_id is sent to Netgíró"),
        ('location_id = "Kringlan ø"', "register.location_id is sent to Netgíró"),
        ('location_id = " L1"', "no space at either end"),
        (f'location_id = "{"L" * 33}"', "register.location_id is 33 characters long; at most 32"),
        ('name = "Till\\n2"', "register.name holds control or invisible characters (U+000A)"),
        ('name = "Till \\u202e1"', "(U+202E)"),
        ('name = "Till\\u001b[2J"', "(U+001B)"),
        ('name = "   "', "register.name must not be empty"),
        (f'name = "{"x" * 41}"', "register.name is 41 characters long; at most 40"),
    ],
)
def test_register_ids_and_names_are_checked(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, f"[register]\n{line}\n")
    assert message in only_problem(path)
    with pytest.raises(ConfigError):
        load_settings(path)


def test_good_register_values_pass(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[register]\nstore_id = "KRING1"\nregister_id = "K12"\nlocation_id = "Kringlan-2/B"\n'
        'name = "Afgreiðsla við útganginn"\n',
    )
    register = load_settings(path).register
    assert (register.store_id, register.register_id) == ("KRING1", "K12")
    assert register.name == "Afgreiðsla við útganginn"


def test_pos_journal_runs_without_the_secret_and_pay_still_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        '[netgiro]\nbase_url = "https://api.netgiro.is/v1/"\napp_key = "mine"\n'
        'secret_key_env = "POS_TEST_SECRET_NOT_SET"\n'
        f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n",
    )
    monkeypatch.delenv("POS_TEST_SECRET_NOT_SET", raising=False)
    assert main(["journal", "--json", "--config", str(path)]) == 0
    capsys.readouterr()
    assert main(["recover", "--config", str(path)]) == 2
    assert "POS_TEST_SECRET_NOT_SET" in capsys.readouterr().err
    assert main(["pay", "1990", "8223281", "--config", str(path)]) == 2
    assert "POS_TEST_SECRET_NOT_SET" in capsys.readouterr().err


def test_pos_journal_still_needs_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[paths]\ndata_dir = 7\n")
    assert main(["journal", "--config", str(path)]) == 2
    assert "paths.data_dir must be text in quotes" in capsys.readouterr().err


# --- [store] ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'kennitala = "320199-1239"',
            "store.kennitala ******-1239 is not a kennitala: 32 is not a day",
        ),
        ('kennitala = "011399-1239"', "13 is not a month"),
        ('kennitala = "010199-1235"', "the last digit must be 9, 0 or 8"),
        ('kennitala = "12345"', "store.kennitala must be 10 digits"),
        ('kennitala = "55O303-1240"', "store.kennitala must be 10 digits"),
        ('vsk_number = "1234"', "store.vsk_number must be the 5- or 6-digit VSK number"),
        ('vsk_number = "1234567"', "5- or 6-digit"),
        ('vsk_number = "IS12345"', "5- or 6-digit"),
        ('vsk_number = "１２３４５"', "5- or 6-digit"),  # full-width digits are not 0-9
        ('name = "Búðin\\u200f"', "store.name holds control or invisible characters (U+200F)"),
        ('address = "Laugavegi 1\\n101"', "store.address holds control"),
    ],
)
def test_store_identity_is_checked(tmp_path: Path, line: str, message: str) -> None:
    base = {"name": '"B"', "kennitala": '"550303-1240"'}
    key, _, value = line.partition(" = ")
    lines = {**base, key: value}
    path = write(tmp_path, "[store]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))
    assert message in only_problem(path)
    assert "320199-1239" not in only_problem(path)


def test_a_store_kennitala_failing_the_old_check_digit_only_warns(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nname = "B"\nkennitala = "550303-1230"\nvsk_number = "12345"\n')
    problems = check_config(path)
    assert [(p.key, p.severity) for p in problems] == [("store.kennitala", "warning")]
    settings = load_settings(path)
    assert settings.store.kennitala == "5503031230"
    assert settings.warnings == tuple(problems)


def test_a_company_and_a_person_both_pass(tmp_path: Path) -> None:
    for kennitala in ("550303-1240", "010130-2989", "7101692839"):
        path = write(tmp_path, f'[store]\nname = "B"\nkennitala = "{kennitala}"\n')
        assert [p for p in check_config(path) if p.severity == "error"] == []


def test_a_store_error_never_blocks_recover(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nkennitala = "99"\n')
    settings = load_settings(path)  # the pay/recover mode: store only degrades
    assert [p.key for p in settings.degraded] == ["store.kennitala"]


# --- [netgiro] callbacks that can never work (issue 15 item 4) ----------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('callback_listen = "0.0.0.0:0"', "listens on every address, but no netgiro.callback_url"),
        ('callback_listen = "0.0.0.0:8123"', "Set netgiro.callback_url"),
        ('callback_listen = "10.1.2.3:8123"', "listens on 10.1.2.3, but no netgiro.callback_url"),
        (
            'callback_listen = "[::1]:0"',
            "is an IPv6 address; the callback receiver listens on IPv4",
        ),
        ('callback_listen = "[::]:8123"', "IPv6"),
        ('callback_listen = "::1:8123"', "IPv6"),
        ('callback_listen = "till.example.is:8123"', "must name this machine's IPv4 address"),
        (
            'base_url = "https://api.netgiro.is/v1/"\nconfirmation = "callback"',
            "netgiro.callback_url is not set: Netgíró cannot reach a receiver on loopback",
        ),
        (
            'base_url = "https://api.netgiro.is/v1/"\nconfirmation = "callback"\n'
            'callback_url = "http://127.0.0.1:8123/cb"',
            "is on this machine; Netgíró at api.netgiro.is cannot reach it",
        ),
        (
            'base_url = "https://api.netgiro.is/v1/"\nconfirmation = "callback"\n'
            'callback_url = "https://localhost/cb"',
            "is on this machine",
        ),
    ],
)
def test_callbacks_that_can_never_work_are_refused_at_config_time(
    tmp_path: Path, lines: str, message: str
) -> None:
    path = write(tmp_path, f"[netgiro]\n{lines}\n")
    assert message in only_problem(path)
    with pytest.raises(ConfigProblems):
        load_settings(path)


@pytest.mark.parametrize(
    "lines",
    [
        'callback_listen = "0.0.0.0:8123"\ncallback_url = "https://till.example.is/cb"',
        'callback_listen = "127.0.0.1:0"',
        'callback_listen = "localhost:0"',
        'confirmation = "callback"',  # the embedded sandbox reaches a loopback receiver
        'base_url = "http://127.0.0.1:8765/v1/"\nconfirmation = "callback"',
        'base_url = "https://api.netgiro.is/v1/"\nconfirmation = "callback"\n'
        'callback_url = "https://till.example.is/netgiro/callback"\n'
        'callback_listen = "0.0.0.0:8123"',
        'base_url = "https://api.netgiro.is/v1/"\nconfirmation = "manual"',
    ],
)
def test_callbacks_that_can_work_pass(tmp_path: Path, lines: str) -> None:
    path = write(tmp_path, f"[netgiro]\n{lines}\n")
    assert [p for p in check_config(path) if p.severity == "error"] == []


def test_a_callback_override_on_the_command_line_is_checked_too() -> None:
    real = NetgiroSettings(base_url="https://api.netgiro.is/v1/")
    assert real.callback_problem("manual") is None
    assert "callback_url is not set" in (real.callback_problem("callback") or "")
    assert NetgiroSettings().callback_problem("callback") is None  # the embedded sandbox


def test_pay_with_a_callback_override_that_cannot_work_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        '[netgiro]\nbase_url = "https://api.test.netgiro.is/v1/"\n'
        f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n",
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(["pay", "1990", "8223281", "--confirmation", "callback", "--config", str(path)])
    assert code == 2
    assert "callback_url is not set" in capsys.readouterr().err
    assert not (tmp_path / "data" / "journal.sqlite3").exists()
