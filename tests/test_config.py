"""Register configuration: sandbox defaults, the example file, refusals that say what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pos.config import describe_secret, load_settings
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION, SECOND_TEST_APPLICATION

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "register.example.toml"
SECRET = "not-a-real-secret-0123456789abcdef+/="
PRIVATE_APP_KEY = "0b7e2a34-1111-4222-8333-944455556666"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POS_DATA_DIR", raising=False)
    monkeypatch.delenv("NETGIRO_SECRET_KEY", raising=False)


def write(tmp_path: Path, text: str, name: str = "register.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def secret_file(tmp_path: Path, mode: int, content: str = SECRET + "\n") -> Path:
    path = tmp_path / "netgiro.secret"
    path.write_text(content, encoding="utf-8")
    os.chmod(path, mode)
    return path


def private_config(tmp_path: Path, secret_line: str) -> Path:
    return write(
        tmp_path,
        "[netgiro]\n"
        'base_url = "https://api.netgiro.is/v1/"\n'
        f'app_key = "{PRIVATE_APP_KEY}"\n'
        f"{secret_line}\n",
    )


# --- defaults and the example ------------------------------------------------------------------


def test_no_config_is_the_embedded_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(None)
    assert settings.netgiro.base_url is None
    assert settings.is_embedded_sandbox
    assert settings.sandbox_mode is True
    assert settings.netgiro.confirmation == "manual"
    assert settings.netgiro.app_key == FIRST_TEST_APPLICATION.app_key
    assert settings.netgiro.secret_key == FIRST_TEST_APPLICATION.secret_key
    assert settings.register.register_id == "R1"
    assert settings.source is None


def test_example_file_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGIRO_SECRET_KEY", SECRET)
    settings = load_settings(EXAMPLE)
    assert settings.source == EXAMPLE
    assert settings.netgiro.base_url == "https://api.test.netgiro.is/v1/"
    assert settings.netgiro.app_key == FIRST_TEST_APPLICATION.app_key
    assert settings.netgiro.secret_key == SECRET
    assert settings.netgiro.confirmation == "manual"
    assert settings.register.store_id == "S1"
    assert settings.register.location_id == "L1"
    assert settings.timing.deadline_s == 180.0
    assert settings.timing.code_tries == 3
    assert not settings.is_embedded_sandbox
    assert settings.sandbox_mode is True  # a public test application
    assert SECRET not in repr(settings)


def test_example_file_without_its_env_var_names_it() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(EXAMPLE)
    assert "NETGIRO_SECRET_KEY" in str(caught.value)
    assert str(EXAMPLE) in str(caught.value)


def test_empty_file_is_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""))
    assert settings.netgiro.base_url is None
    assert settings.sandbox_mode is True
    assert settings.netgiro.secret_key == FIRST_TEST_APPLICATION.secret_key


# --- broken files ------------------------------------------------------------------------------


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[register]\nstore_id = "S1"\nregister_id = R1\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert "line 3" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(path)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('[register]\nregistr_id = "R2"\n', "Did you mean register.register_id?"),
        ('[netgiro]\nconfirmaton = "manual"\n', "Did you mean netgiro.confirmation?"),
        ("[timing]\ndeadline = 10\n", "Did you mean timing.deadline_s?"),
        ('[netgro]\napp_key = "x"\n', "Did you mean netgiro?"),
        ('[paths]\ndatadir = "/tmp/x"\n', "Did you mean paths.data_dir?"),
    ],
)
def test_unknown_key_suggests(tmp_path: Path, text: str, hint: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert hint in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        '[timing]\ndeadline_s = "soon"\n',
        "[timing]\ncode_tries = 0\n",
        "[timing]\nread_timeout_s = -1\n",
        "[timing]\ncode_tries = true\n",
        "[register]\nregister_id = 7\n",
        '[netgiro]\nconfirmation = "sometimes"\n',
        "register = 5\n",
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(write(tmp_path, text))


# --- secrets -----------------------------------------------------------------------------------


def test_literal_secret_refused(tmp_path: Path) -> None:
    path = private_config(tmp_path, f'secret_key = "{SECRET}"')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "netgiro.secret_key must not be written" in message
    assert SECRET not in message


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o601])
def test_readable_secret_file_refused(tmp_path: Path, mode: int) -> None:
    secret = secret_file(tmp_path, mode)
    path = private_config(tmp_path, f"secret_key_file = '{secret}'")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "chmod 600" in message
    assert str(secret) in message
    assert SECRET not in message


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_private_secret_file_used(tmp_path: Path, mode: int) -> None:
    secret = secret_file(tmp_path, mode, content=f"  {SECRET}\n\n")
    settings = load_settings(private_config(tmp_path, f"secret_key_file = '{secret}'"))
    assert settings.netgiro.secret_key == SECRET
    assert settings.netgiro.app_key == PRIVATE_APP_KEY
    assert settings.sandbox_mode is False
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)


def test_missing_secret_file(tmp_path: Path) -> None:
    path = private_config(tmp_path, f"secret_key_file = '{tmp_path / 'absent'}'")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(path)


def test_empty_secret_file(tmp_path: Path) -> None:
    secret = secret_file(tmp_path, 0o600, content="\n")
    with pytest.raises(ConfigError, match="empty"):
        load_settings(private_config(tmp_path, f"secret_key_file = '{secret}'"))


def test_secret_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_TEST_SECRET", SECRET)
    settings = load_settings(private_config(tmp_path, 'secret_key_env = "POS_TEST_SECRET"'))
    assert settings.netgiro.secret_key == SECRET
    assert SECRET not in repr(settings)
    assert describe_secret(SECRET).startswith("sha256:")
    assert SECRET not in describe_secret(SECRET)


@pytest.mark.parametrize("value", [None, ""])
def test_missing_env_var_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("POS_TEST_NO_SUCH_SECRET", raising=False)
    else:
        monkeypatch.setenv("POS_TEST_NO_SUCH_SECRET", value)
    path = private_config(tmp_path, 'secret_key_env = "POS_TEST_NO_SUCH_SECRET"')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "POS_TEST_NO_SUCH_SECRET" in str(caught.value)
    assert "not set" in str(caught.value)


def test_private_app_key_without_secret_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs the secret key"):
        load_settings(private_config(tmp_path, ""))


@pytest.mark.parametrize(
    ("app_key", "secret"),
    [
        (FIRST_TEST_APPLICATION.app_key, FIRST_TEST_APPLICATION.secret_key),
        (FIRST_TEST_APPLICATION.app_key.lower(), FIRST_TEST_APPLICATION.secret_key),
        (SECOND_TEST_APPLICATION.app_key, SECOND_TEST_APPLICATION.secret_key),
        (SECOND_TEST_APPLICATION.app_key.upper(), SECOND_TEST_APPLICATION.secret_key),
    ],
)
def test_public_test_app_uses_public_secret(tmp_path: Path, app_key: str, secret: str) -> None:
    path = write(
        tmp_path,
        f'[netgiro]\nbase_url = "https://api.test.netgiro.is/v1/"\napp_key = "{app_key}"\n',
    )
    settings = load_settings(path)
    assert settings.netgiro.secret_key == secret
    assert settings.sandbox_mode is True
    assert secret not in repr(settings)


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://api.test.netgiro.is/v1/",
        "http://10.0.0.5:8080/",
        "http://128.0.0.1/",
        "http://localhost.example.is/",
        "ftp://127.0.0.1/",
        "api.netgiro.is/v1/",
        "https:///v1/",
        "",
    ],
)
def test_plain_http_off_this_machine_refused(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f'[netgiro]\nbase_url = "{url}"\n')
    with pytest.raises(ConfigError, match="https://"):
        load_settings(path)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8765/v1/",
        "http://127.1.2.3:80/",
        "http://localhost:8000/",
        "http://[::1]:8000/",
        "https://api.netgiro.is/v1/",
    ],
)
def test_https_and_loopback_http_accepted(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f'[netgiro]\nbase_url = "{url}"\n')
    settings = load_settings(path)
    assert settings.netgiro.base_url == url
    assert settings.sandbox_mode is True  # loopback, or the default public test application


def test_loopback_is_sandbox_mode_even_with_a_private_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_TEST_SECRET", SECRET)
    path = write(
        tmp_path,
        '[netgiro]\nbase_url = "http://127.0.0.1:9000/"\n'
        f'app_key = "{PRIVATE_APP_KEY}"\nsecret_key_env = "POS_TEST_SECRET"\n',
    )
    assert load_settings(path).sandbox_mode is True


# --- repr --------------------------------------------------------------------------------------


def test_repr_never_holds_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = load_settings(None)
    for shown in (repr(defaults), str(defaults), repr(defaults.netgiro)):
        assert FIRST_TEST_APPLICATION.secret_key not in shown
        assert FIRST_TEST_APPLICATION.secret_key[:16] not in shown


# --- data_dir ----------------------------------------------------------------------------------


def test_data_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "from-env"))
    settings = load_settings(None)
    assert settings.data_dir == tmp_path / "from-env"
    assert settings.journal_file == tmp_path / "from-env" / "journal.sqlite3"
    assert settings.sandbox_state_file == tmp_path / "from-env" / "sandbox.sqlite3"
    assert load_settings(write(tmp_path, "")).data_dir == tmp_path / "from-env"


def test_data_dir_from_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, f"[paths]\ndata_dir = '{tmp_path / 'from-file'}'\n")
    assert load_settings(path).data_dir == tmp_path / "from-file"
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "from-env"))
    assert load_settings(path).data_dir == tmp_path / "from-file"  # the file wins


def test_data_dir_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = write(tmp_path, "[paths]\ndata_dir = '~/pos-data'\n")
    assert load_settings(path).data_dir == tmp_path / "pos-data"


# --- known gaps in pos/config.py (strict xfail: they flip to failures once fixed) ------------


@pytest.mark.xfail(strict=True, raises=TypeError, reason="Path(5) raises TypeError")
def test_data_dir_of_the_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings(write(tmp_path, "[paths]\ndata_dir = 5\n"))


@pytest.mark.xfail(strict=True, raises=IsADirectoryError, reason="read_text() is not guarded")
def test_secret_file_that_is_a_directory_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "secret-dir"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)
    with pytest.raises(ConfigError):
        load_settings(private_config(tmp_path, f"secret_key_file = '{folder}'"))


@pytest.mark.xfail(strict=True, raises=UnicodeDecodeError, reason="read_text() is not guarded")
def test_secret_file_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    secret = tmp_path / "netgiro.secret"
    secret.write_bytes(b"\xff\xfe secret")
    os.chmod(secret, 0o600)
    with pytest.raises(ConfigError):
        load_settings(private_config(tmp_path, f"secret_key_file = '{secret}'"))


@pytest.mark.xfail(strict=True, raises=UnicodeDecodeError, reason="only TOMLDecodeError caught")
def test_config_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "register.toml"
    path.write_bytes(b'[register]\nname = "\xff"\n')
    with pytest.raises(ConfigError):
        load_settings(path)
