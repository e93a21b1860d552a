"""Register config: safe defaults, clear errors naming file and key, and secrets kept out of files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pos.config import load_settings
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION, SECOND_TEST_APPLICATION

EXAMPLE = Path(__file__).parent.parent / "config" / "register.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_means_the_embedded_sandbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path))
    settings = load_settings(None)
    assert settings.netgiro.base_url is None and settings.is_embedded_sandbox
    assert settings.netgiro.confirmation == "manual"
    assert settings.sandbox_mode
    assert settings.journal_file == tmp_path / "journal.sqlite3"


def test_the_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGIRO_SECRET_KEY", "from-the-environment")
    settings = load_settings(EXAMPLE)
    assert settings.netgiro.base_url == "https://api.test.netgiro.is/v1/"
    assert settings.netgiro.secret_key == "from-the-environment"
    assert settings.register.register_id == "R1"
    assert "from-the-environment" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[netgiro\nbase_url = 1", "not valid TOML.*line 1"),
        ("[netgiro]\nbase_ulr = 'https://x.is/v1/'", "Did you mean netgiro.base_url"),
        ("[timing]\ndeadline_s = 0", "timing.deadline_s must be above 0"),
        ("[timing]\ndeadline_s = 'soon'", "timing.deadline_s must be number"),
        ("[netgiro]\nconfirmation = 'sometimes'", "manual, automatic or callback"),
        ("[netgiro]\nbase_url = 'http://api.netgiro.is/v1/'", "https://"),
        ("[netgiro]\nsecret_key = 'hunter2'", "must not be written in the config"),
        (
            "[netgiro]\napp_key = 'mine'\nsecret_key_env = 'POS_TEST_NO_SUCH_VAR'",
            "POS_TEST_NO_SUCH_VAR",
        ),
        ("[netgiro]\napp_key = 'mine'", "needs the secret key"),
        ("[timming]\nx = 1", "Did you mean timing"),
    ],
)
def test_a_broken_config_names_the_file_the_key_and_the_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(path)
    assert str(path) in raised.value.message
    assert "hunter2" not in raised.value.message


def test_a_secret_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    secret = tmp_path / "netgiro.secret"
    secret.write_text("s3cret")
    os.chmod(secret, 0o644)
    path = write(tmp_path, f"[netgiro]\napp_key = 'mine'\nsecret_key_file = '{secret}'")
    with pytest.raises(ConfigError, match=f"chmod 600 {secret}"):
        load_settings(path)
    os.chmod(secret, 0o600)
    assert load_settings(path).netgiro.secret_key == "s3cret"


def test_a_public_test_application_needs_no_secret(tmp_path: Path) -> None:
    path = write(tmp_path, f"[netgiro]\napp_key = '{SECOND_TEST_APPLICATION.app_key.upper()}'")
    assert load_settings(path).netgiro.secret_key == SECOND_TEST_APPLICATION.secret_key


def test_sandbox_mode_is_loopback_or_a_public_test_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K", "real-secret")
    loopback = write(
        tmp_path,
        "[netgiro]\nbase_url = 'http://127.0.0.1:8765/v1/'\napp_key = 'x'\nsecret_key_env = 'K'",
    )
    assert load_settings(loopback).sandbox_mode
    real = write(
        tmp_path,
        "[netgiro]\nbase_url = 'https://api.netgiro.is/v1/'\napp_key = 'x'\nsecret_key_env = 'K'",
    )
    assert not load_settings(real).sandbox_mode
    test_key = write(
        tmp_path,
        f"[netgiro]\nbase_url = 'https://api.test.netgiro.is/v1/'\napp_key = '{FIRST_TEST_APPLICATION.app_key}'",
    )
    assert load_settings(test_key).sandbox_mode


def test_the_data_dir_comes_from_paths_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "env"))
    assert load_settings(write(tmp_path, "")).data_dir == tmp_path / "env"
    configured = write(tmp_path, f"[paths]\ndata_dir = '{tmp_path / 'cfg'}'")
    assert load_settings(configured).data_dir == tmp_path / "cfg"


def test_a_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
