"""`pos config init`: answers piped on stdin give a working file and, for private keys, a 0600 secret."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import check_config, load_settings
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.services.config_init import Interview, run_init
from pos.services.wiring import register_lock


def init(monkeypatch: pytest.MonkeyPatch, file: Path, answers: list[str], *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{a}\n" for a in answers)))
    return main(["config", "init", str(file), *extra])


PRODUCTION = [
    "K1",  # store id
    "R7",  # register id
    "Kassi 7",  # register name
    "",  # location id: none
    "Dæmibúðin ehf.",
    "Laugavegi 1, 101 Reykjavík",
    "550303-1240",
    "123456",
    "production",
    "0b7e2a34-1111-4222-8333-944455556666",  # app key
    "not-a-real-secret-0123",  # secret
]


def test_production_answers_write_a_config_and_a_private_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "register.toml"
    assert init(monkeypatch, file, [*PRODUCTION, "file", "", str(tmp_path / "data")]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{file}: ok"
    secret = tmp_path / "netgiro.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert "not-a-real-secret-0123" not in file.read_text(encoding="utf-8")
    assert "not-a-real-secret-0123" not in out + err
    settings = load_settings(file)
    assert settings.netgiro.secret_key == "not-a-real-secret-0123"
    assert settings.netgiro.base_url == "https://api.netgiro.is/v1/"
    assert settings.netgiro.confirmation == "manual"
    assert (settings.register.store_id, settings.register.register_id) == ("K1", "R7")
    assert settings.register.name == "Kassi 7"
    assert settings.store.kennitala == "5503031240"
    assert settings.data_dir == tmp_path / "data"
    assert not settings.sandbox_mode


def test_the_defaults_make_an_embedded_sandbox_register(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    file = tmp_path / "register.toml"
    assert init(monkeypatch, file, []) == 0  # every answer empty (end of input): the defaults
    settings = load_settings(file)
    assert settings.is_embedded_sandbox
    assert settings.register.register_id == "R1"
    assert not (tmp_path / "netgiro.secret").exists()
    assert [(p.key, p.severity) for p in check_config(file)] == [("store.name", "warning")]


def test_the_public_test_application_needs_no_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    file = tmp_path / "register.toml"
    assert init(monkeypatch, file, ["", "", "", "", "", "", "", "", "test", ""]) == 0
    settings = load_settings(file)
    assert settings.netgiro.app_key == FIRST_TEST_APPLICATION.app_key
    assert settings.sandbox_mode
    assert not (tmp_path / "netgiro.secret").exists()


def test_a_wrong_answer_is_asked_again(tmp_path: Path) -> None:
    said: list[str] = []
    answers = io.StringIO("R 1\nR2\n")
    interview = Interview(answers, said.append)
    from pos.services.config_init import key_check

    assert interview.ask("Register id", "R1", key_check("register.register_id")) == "R2"
    assert any("only the letters" in line for line in said)


def test_three_wrong_answers_write_nothing(tmp_path: Path) -> None:
    file = tmp_path / "register.toml"
    interview = Interview(io.StringIO("R 1\nR-1\nR\t1\n"), lambda _line: None)
    with pytest.raises(ConfigError, match="after 3 tries; nothing was written"):
        run_init(file, interview, lambda _line: None)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_secret_writes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "register.toml"
    answers = io.StringIO("\n" * 8 + "production\nsome-app-key\n")  # then the input ends
    with pytest.raises(ConfigError, match="No answer for “Netgíró secret key”"):
        run_init(file, Interview(answers, lambda _line: None), lambda _line: None)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_without_force(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "register.toml"
    file.write_text("# mine\n", encoding="utf-8")
    assert init(monkeypatch, file, []) == 2
    assert "already exists" in capsys.readouterr().err
    assert file.read_text(encoding="utf-8") == "# mine\n"
    assert init(monkeypatch, file, [], "--force") == 0
    assert "pos config init" in file.read_text(encoding="utf-8")


def test_init_is_refused_while_the_till_is_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "register.toml"
    with register_lock(tmp_path / "data"):
        assert init(monkeypatch, file, [*PRODUCTION, "file", "", str(tmp_path / "data")]) == 2
    assert "The till is open" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]
