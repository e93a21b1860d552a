"""Register configuration: sandbox defaults, the example file, refusals that say what to do."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.config import RegisterSettings, TimingSettings, describe_secret, load_settings
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
    assert settings.sandbox_state_file == tmp_path / "from-env" / "sandbox" / "sandbox.sqlite3"
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


# --- regressions: errors that escaped as something other than ConfigError -----------------------


def test_data_dir_of_the_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    # Was: Path(5) raised TypeError.
    with pytest.raises(ConfigError, match=r"paths\.data_dir must be text in quotes, not 5"):
        load_settings(write(tmp_path, "[paths]\ndata_dir = 5\n"))


def test_secret_file_that_is_a_directory_is_a_config_error(tmp_path: Path) -> None:
    # Was: read_text() raised IsADirectoryError.
    folder = tmp_path / "secret-dir"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)
    with pytest.raises(ConfigError, match="is not a file"):
        load_settings(private_config(tmp_path, f"secret_key_file = '{folder}'"))


def test_secret_file_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    # Was: read_text() raised UnicodeDecodeError.
    secret = tmp_path / "netgiro.secret"
    secret.write_bytes(b"\xff\xfe secret")
    os.chmod(secret, 0o600)
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_settings(private_config(tmp_path, f"secret_key_file = '{secret}'"))


def test_config_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    # Was: only TOMLDecodeError was caught.
    path = tmp_path / "register.toml"
    path.write_bytes(b'[register]\nname = "\xff"\n')
    with pytest.raises(ConfigError, match=r"is not UTF-8 text.*Save it as UTF-8"):
        load_settings(path)


def test_secret_file_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "netgiro.secret"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(ConfigError, match="is not a file"):
        load_settings(private_config(tmp_path, f"secret_key_file = '{fifo}'"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[paths]\ndata_dir = ""\n', "paths.data_dir must be a path"),
        ('[paths]\ndata_dir = "a\\u0000b"\n', "paths.data_dir must be a path"),
        ('[paths]\ndata_dir = "~no_such_user_for_pos_tests/x"\n', "Write the full path"),
        ("netgiro = 5\n", "netgiro must be a table: write \\[netgiro\\]"),
        ("[timing]\ndeadline_s = nan\n", "timing.deadline_s must be above 0 \\(and finite\\)"),
        ("[timing]\nbackoff_cap_s = inf\n", "timing.backoff_cap_s must be above 0"),
        (
            "[timing]\ncode_tries = 2.5\n",
            "timing.code_tries must be whole number \\(like 3\\), not 2.5",
        ),
        (
            "[timing]\ncode_tries = true\n",
            "timing.code_tries must be whole number \\(like 3\\), not true",
        ),
        ('[register]\nregister_id = ""\n', "register.register_id must not be empty"),
        ('[register]\nstore_id = "  "\n', "register.store_id must not be empty"),
        ('[netgiro]\napp_key = ""\n', "netgiro.app_key must not be empty"),
        ('[register]\ncolour = "red"\n', "unknown key register.colour. Known here: store_id,"),
        ('[netgiro]\nbase_url = "https://[::1/v1/"\n', "netgiro.base_url is not an address"),
        ('[netgiro]\nbase_url = "https://api.netgiro.is:port/"\n', "is not an address"),
        (
            '[netgiro]\ncallback_url = "http://till.example.is/cb"\n',
            "netgiro.callback_url must be an https://",
        ),
        ('[netgiro]\ncallback_listen = "8080"\n', "netgiro.callback_listen must be host:port"),
        ('[netgiro]\ncallback_listen = "127.0.0.1:65536"\n', "must be host:port"),
        ('[netgiro]\ncallback_listen = "127.0.0.1:80a"\n', "must be host:port"),
        ('[netgiro]\ncallback_listen = "127.0.0.1:' + "9" * 5000 + '"\n', "must be host:port"),
        ('[netgiro]\nsecret_key_env = ""\n', "must be the name of an environment variable"),
    ],
)
def test_more_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)


def test_a_url_with_a_password_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[netgiro]\nbase_url = "https://till:hunter2@api.netgiro.is/v1/"\n')
    with pytest.raises(ConfigError, match="must not hold a user name or password") as caught:
        load_settings(path)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("callback_url", "https://till-1.example.is/netgiro/callback"),
        ("callback_url", "http://127.0.0.1:8123/netgiro/callback"),
        ("callback_listen", ":0"),
        ("callback_listen", "127.0.0.1:65535"),
        # 0.0.0.0 without callback_url and [::1] are refused now (issue 15 item 4):
        # tests/config/test_netgiro_callbacks.py
    ],
)
def test_callback_settings_accepted(tmp_path: Path, key: str, value: str) -> None:
    settings = load_settings(write(tmp_path, f'[netgiro]\n{key} = "{value}"\n'))
    assert getattr(settings.netgiro, key) == value


def test_confirmation_modes(tmp_path: Path) -> None:
    for mode in ("manual", "automatic", "callback"):
        path = write(tmp_path, f'[netgiro]\nconfirmation = "{mode}"\n')
        assert load_settings(path).netgiro.confirmation == mode


def test_both_secret_sources_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_TEST_SECRET", SECRET)
    secret = secret_file(tmp_path, 0o600)
    path = private_config(
        tmp_path, f"secret_key_env = 'POS_TEST_SECRET'\nsecret_key_file = '{secret}'"
    )
    with pytest.raises(ConfigError, match="both secret_key_env and secret_key_file") as caught:
        load_settings(path)
    assert SECRET not in str(caught.value)


def test_a_relative_secret_file_is_read_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file(tmp_path, 0o600)
    path = private_config(tmp_path, "secret_key_file = 'netgiro.secret'")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_settings(path).netgiro.secret_key == SECRET


def test_a_relative_data_dir_is_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[paths]\ndata_dir = 'state'\n")
    monkeypatch.chdir(tmp_path.parent)
    assert load_settings(path).data_dir == tmp_path / "state"


def test_an_env_secret_is_stripped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_TEST_SECRET", f"  {SECRET}\n")
    settings = load_settings(private_config(tmp_path, 'secret_key_env = "POS_TEST_SECRET"'))
    assert settings.netgiro.secret_key == SECRET


def test_describe_secret_is_eight_hex_digits_of_sha256() -> None:
    expected = "sha256:" + hashlib.sha256(SECRET.encode()).hexdigest()[:8]
    assert describe_secret(SECRET) == expected
    assert re.fullmatch(r"sha256:[0-9a-f]{8}", describe_secret(""))


def test_example_file_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGIRO_SECRET_KEY", SECRET)
    settings = load_settings(EXAMPLE)
    assert settings.register == RegisterSettings("S1", "R1", "L1", "Till 1")
    assert settings.timing == TimingSettings()
    assert settings.netgiro.callback_url is None
    assert settings.netgiro.callback_listen == "127.0.0.1:0"


@pytest.mark.parametrize(
    "text",
    [
        '[netgiro]\nsecret_key = "S"\n',
        '[netgiro]\nbase_url = "http://api.netgiro.is/"\nsecret_key_env = "POS_TEST_SECRET"\n',
        '[netgiro]\napp_key = "mine"\nsecret_key_env = "POS_TEST_SECRET"\nconfirmation = "x"\n',
        '[netgiro]\napp_key = "mine"\nsecret_key_env = "POS_TEST_SECRET"\nbogus = 1\n',
    ],
)
def test_no_error_message_holds_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("POS_TEST_SECRET", SECRET)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text.replace('"S"', f'"{SECRET}"')))
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


# --- fuzz: nothing but ConfigError ---------------------------------------------------------------

toml_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["https://api.test.netgiro.is/v1/", "http://127.0.0.1:1/", "127.0.0.1:0", "manual", "~"]
    ),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
NETGIRO_KEYS = ["base_url", "app_key", "secret_key_env", "secret_key_file", "confirmation"]
keys = st.sampled_from(
    [
        *RegisterSettings.__dataclass_fields__,
        *TimingSettings.__dataclass_fields__,
        *NETGIRO_KEYS,
        *["callback_url", "callback_listen", "data_dir", "secret_key", "x"],
    ]
)
sections = st.sampled_from(["register", "netgiro", "timing", "paths", "other"])
documents = st.dictionaries(sections, st.dictionaries(keys, toml_values, max_size=4), max_size=4)


def toml_document(document: dict[str, dict[str, object]]) -> str:
    lines = []
    for section, table in document.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {toml_literal(value)}" for key, value in table.items())
    return "\n".join(lines) + "\n"


def toml_literal(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


@settings(max_examples=300, deadline=None)
@given(document=documents)
def test_fuzz_structured_config_raises_only_config_error(
    document: dict[str, dict[str, object]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_text(toml_document(document), encoding="utf-8")
        with contextlib.suppress(ConfigError):
            loaded = load_settings(path)
            assert loaded.netgiro.confirmation in ("manual", "automatic", "callback")
            assert all(value > 0 for value in vars(loaded.timing).values())


@settings(max_examples=200, deadline=None)
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_fuzz_raw_bytes_raise_only_config_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_bytes(raw)
        with contextlib.suppress(ConfigError):
            load_settings(path)
