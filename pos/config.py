"""Register configuration: ``config/*.toml`` to typed, validated settings, or safe defaults.

Rules kept: the secret key never sits in the config file (an environment variable, or a file
only its owner can read); TLS always, plain HTTP only to this machine; every error names the
file, the key, and what to do. No config at all means the embedded sandbox.
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from dataclasses import dataclass, field, fields
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_data_dir

from pos.core.addresses import is_loopback
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_APPLICATIONS, is_test_app_key

CONFIRMATIONS = ("manual", "automatic", "callback")


@dataclass(frozen=True)
class RegisterSettings:
    store_id: str = "S1"
    register_id: str = "R1"
    location_id: str = ""
    name: str = "Till 1"


@dataclass(frozen=True)
class NetgiroSettings:
    base_url: str | None = None
    """None: start the embedded sandbox."""
    app_key: str = FIRST_TEST_APPLICATION.app_key
    secret_key: str = field(default=FIRST_TEST_APPLICATION.secret_key, repr=False)
    confirmation: str = "manual"
    callback_url: str | None = None
    """The receiver's public address, for server callbacks; None opens one on loopback."""
    callback_listen: str = "127.0.0.1:0"


@dataclass(frozen=True)
class TimingSettings:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    poll_fallback_ms: int = 3000
    backoff_cap_s: float = 30.0
    deadline_s: float = 180.0
    give_up_after_s: float = 60.0
    code_tries: int = 3


@dataclass(frozen=True)
class Settings:
    register: RegisterSettings
    netgiro: NetgiroSettings
    timing: TimingSettings
    data_dir: Path
    source: Path | None = None

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def sandbox_state_file(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    @property
    def is_embedded_sandbox(self) -> bool:
        return self.netgiro.base_url is None

    @property
    def sandbox_mode(self) -> bool:
        """Sandbox or a public test application: only then are Netgíró's test ids accepted."""
        base_url = self.netgiro.base_url
        if base_url is None or is_loopback(urlsplit(base_url).hostname or ""):
            return True
        return is_test_app_key(self.netgiro.app_key)


def default_data_dir() -> Path:
    return Path(os.environ.get("POS_DATA_DIR") or user_data_dir("pos-till", appauthor=False))


def describe_secret(secret: str) -> str:
    """A short fingerprint to show instead of the secret."""
    return "sha256:" + sha256(secret.encode("utf-8")).hexdigest()[:8]


def load_settings(path: Path | None) -> Settings:
    """Settings from a TOML file, or the embedded-sandbox defaults when ``path`` is None."""
    if path is None:
        return Settings(RegisterSettings(), NetgiroSettings(), TimingSettings(), default_data_dir())
    data = _read_toml(path)
    _refuse_unknown(path, "", data, {"register", "netgiro", "timing", "paths"})
    register = _section(path, "register", data, RegisterSettings)
    timing = _section(path, "timing", data, TimingSettings)
    _check_timing(path, timing)
    netgiro = _netgiro(path, data.get("netgiro", {}))
    paths = data.get("paths", {})
    _refuse_unknown(path, "paths.", paths, {"data_dir"})
    data_dir = Path(paths["data_dir"]).expanduser() if "data_dir" in paths else default_data_dir()
    return Settings(register, netgiro, timing, data_dir, path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError as exc:
        raise ConfigError(f"Config file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from exc
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be read: {exc.strerror}.") from exc


def _refuse_unknown(path: Path, prefix: str, data: Any, known: set[str]) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [{prefix.rstrip('.')}] must be a table.")
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" Did you mean {prefix}{close[0]}?" if close else ""
            raise ConfigError(f"{path}: unknown key {prefix}{key}.{hint}")


def _section(path: Path, name: str, data: dict[str, Any], kind: type[Any]) -> Any:
    section = data.get(name, {})
    names = {f.name: f for f in fields(kind)}
    _refuse_unknown(path, f"{name}.", section, set(names))
    values = {}
    for key, value in section.items():
        default = getattr(kind(), key)
        values[key] = _typed(path, f"{name}.{key}", value, default)
    return kind(**values)


def _typed(path: Path, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool) or isinstance(value, bool):
        raise ConfigError(f"{path}: {key} has the wrong type.")
    if isinstance(default, int) and isinstance(value, int):
        return value
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    if isinstance(default, str) and isinstance(value, str):
        return value
    expected = type(default).__name__.replace("str", "text").replace("float", "number")
    raise ConfigError(f"{path}: {key} must be {expected}, not {value!r}.")


def _check_timing(path: Path, timing: TimingSettings) -> None:
    for item in fields(timing):
        if getattr(timing, item.name) <= 0:
            raise ConfigError(f"{path}: timing.{item.name} must be above 0.")


NETGIRO_KEYS = {
    "base_url",
    "app_key",
    "secret_key_env",
    "secret_key_file",
    "confirmation",
    "callback_url",
    "callback_listen",
}


def _netgiro(path: Path, section: dict[str, Any]) -> NetgiroSettings:
    if isinstance(section, dict) and "secret_key" in section:
        raise ConfigError(
            f"{path}: netgiro.secret_key must not be written in the config. Put it in a file "
            "only you can read (secret_key_file, chmod 600) or an environment variable "
            "(secret_key_env)."
        )
    _refuse_unknown(path, "netgiro.", section, NETGIRO_KEYS)
    text = {k: _typed(path, f"netgiro.{k}", v, "") for k, v in section.items()}
    base_url = text.get("base_url")
    if base_url is not None:
        _check_url(path, "netgiro.base_url", base_url)
    confirmation = text.get("confirmation", "manual")
    if confirmation not in CONFIRMATIONS:
        raise ConfigError(
            f"{path}: netgiro.confirmation must be manual, automatic or callback, "
            f"not {confirmation!r}."
        )
    app_key = text.get("app_key", FIRST_TEST_APPLICATION.app_key)
    return NetgiroSettings(
        base_url=base_url,
        app_key=app_key,
        secret_key=_secret(path, text, app_key),
        confirmation=confirmation,
        callback_url=text.get("callback_url"),
        callback_listen=text.get("callback_listen", "127.0.0.1:0"),
    )


def _secret(path: Path, text: dict[str, str], app_key: str) -> str:
    if "secret_key_env" in text:
        name = text["secret_key_env"]
        value = os.environ.get(name, "")
        if not value:
            raise ConfigError(
                f"{path}: netgiro.secret_key_env names {name}, but that environment variable "
                "is not set. Set it before starting the till."
            )
        return value
    if "secret_key_file" in text:
        return _secret_from_file(path, Path(text["secret_key_file"]).expanduser())
    public = [app.secret_key for app in TEST_APPLICATIONS if app.app_key.lower() == app_key.lower()]
    if public:
        return public[0]  # Netgíró publishes the test applications' secrets
    raise ConfigError(
        f"{path}: netgiro needs the secret key: set secret_key_env (an environment variable) "
        "or secret_key_file (a file only you can read)."
    )


def _secret_from_file(path: Path, secret_file: Path) -> str:
    try:
        mode = secret_file.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"{path}: netgiro.secret_key_file {secret_file} cannot be read.") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: the secret key file {secret_file} can be read by others. "
            f"Run: chmod 600 {secret_file}"
        )
    secret = secret_file.read_text(encoding="utf-8").strip()
    if not secret:
        raise ConfigError(f"{path}: the secret key file {secret_file} is empty.")
    return secret


def _check_url(path: Path, key: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    raise ConfigError(
        f"{path}: {key} must be an https:// address (plain http:// only to this machine), "
        f"not {url!r}."
    )
