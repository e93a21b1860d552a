"""Register configuration: a TOML file to typed, validated settings, or safe defaults without one.

Rules kept:

- The secret key never sits in the config file: it comes from an environment variable
  (``secret_key_env``) or from a file only its owner can read or write (``secret_key_file``).
  A public Netgíró test application may leave it out: its secret is published. The secret is
  never in a ``repr`` or a message; ``describe_secret`` gives a fingerprint to show instead.
- TLS always: ``https://``, or plain ``http://`` only to this machine (the sandbox).
- Every error is a ConfigError naming the file, the key and what to do; unknown keys get a
  "did you mean". Nothing else escapes ``load_settings``.
- No config at all means the embedded sandbox with the first public test application and
  manual confirmation.
- Relative paths in the file (``secret_key_file``, ``data_dir``) are read from the config
  file's folder, so the till finds the same files whatever folder it is started from.
"""

from __future__ import annotations

import difflib
import math
import os
import stat
import tomllib
from collections.abc import Collection
from dataclasses import MISSING, dataclass, field, fields, replace
from hashlib import sha256
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from platformdirs import user_data_dir

from pos.core.addresses import is_loopback
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_APPLICATIONS, is_test_app_key

Confirmation = Literal["manual", "automatic", "callback"]
CONFIRMATIONS: tuple[Confirmation, ...] = ("manual", "automatic", "callback")
DEFAULT_LISTEN = "127.0.0.1:0"
DATA_DIR_ENV = "POS_DATA_DIR"
SECTIONS = ("register", "netgiro", "timing", "paths")
NETGIRO_KEYS = (
    "base_url",
    "app_key",
    "secret_key_env",
    "secret_key_file",
    "confirmation",
    "callback_url",
    "callback_listen",
)
PATHS_KEYS = ("data_dir",)
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO
_MAX_PORT = 65535


@dataclass(frozen=True)
class RegisterSettings:
    """Who this till is."""

    store_id: str = "S1"
    register_id: str = "R1"
    """This till; part of every payment Reference, and sent as RegisterId."""
    location_id: str = ""
    """Sent to Netgíró as LocationId when not empty."""
    name: str = "Till 1"


@dataclass(frozen=True)
class NetgiroSettings:
    """Where and how the till talks to Netgíró."""

    base_url: str | None = None
    """None: start the embedded sandbox."""
    app_key: str = FIRST_TEST_APPLICATION.app_key
    secret_key: str = field(default=FIRST_TEST_APPLICATION.secret_key, repr=False)
    confirmation: Confirmation = "manual"
    """Manual by default: a lost InsertCart answer can then never become an unrecorded payment."""
    callback_url: str | None = None
    """The callback receiver's public address; None opens one on loopback."""
    callback_listen: str = DEFAULT_LISTEN
    """``host:port`` the callback receiver listens on; port 0 takes any free port."""


@dataclass(frozen=True)
class TimingSettings:
    """Timeouts and retry pacing; every value is a positive, finite number."""

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    poll_fallback_ms: int = 3000
    """CheckCart interval when Netgíró names none."""
    backoff_cap_s: float = 30.0
    """The longest wait between CheckCart retries."""
    deadline_s: float = 180.0
    """Cancel a cart the customer has not approved by then."""
    give_up_after_s: float = 60.0
    """Then leave an unresolved attempt to recovery."""
    code_tries: int = 3
    """Wrong SMS codes before the cart is cancelled."""
    call_total_s: float = 20.0
    """One Netgíró call, start to last byte (read_timeout_s ≤ it ≤ give_up_after_s / 3);
    unset: the most that fits."""


@dataclass(frozen=True)
class Settings:
    """One register's settings; ``source`` is the file they came from (None: defaults)."""

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
        """A sandbox (embedded or on loopback) or a public test application.

        Only then are Netgíró's test kennitölur accepted.
        """
        base_url = self.netgiro.base_url
        if base_url is None or is_loopback(urlsplit(base_url).hostname or ""):
            return True
        return is_test_app_key(self.netgiro.app_key)


def default_data_dir() -> Path:
    """``$POS_DATA_DIR``, else the user data dir for ``pos-till``."""
    return Path(os.environ.get(DATA_DIR_ENV) or user_data_dir("pos-till", appauthor=False))


def describe_secret(secret: str) -> str:
    """A short fingerprint to show instead of the secret: ``sha256:`` and 8 hex digits."""
    return "sha256:" + sha256(secret.encode("utf-8")).hexdigest()[:8]


def load_settings(path: Path | None) -> Settings:
    """Settings from a TOML file, or the embedded-sandbox defaults when ``path`` is None."""
    if path is None:
        return Settings(RegisterSettings(), NetgiroSettings(), TimingSettings(), default_data_dir())
    data = _read_toml(path)
    _refuse_unknown(path, "", data, SECTIONS)
    return Settings(
        register=_register(path, _table(path, "register", data)),
        netgiro=_netgiro(path, _table(path, "netgiro", data)),
        timing=_timing(path, _table(path, "timing", data)),
        data_dir=_data_dir(path, _table(path, "paths", data)),
        source=path,
    )


# --- the file and its tables --------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError as exc:
        raise ConfigError(f"Config file {path} does not exist. Check the path.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Config file {path} is not UTF-8 text (byte {exc.start}). Save it as UTF-8."
        ) from exc
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise ConfigError(f"Config file {path} cannot be read: {reason}.") from exc


def _table(path: Path, name: str, data: dict[str, Any]) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: {name} must be a table: write [{name}] on a line of its own, "
            "then its keys below it."
        )
    return table


def _refuse_unknown(
    path: Path, section: str, table: dict[str, Any], known: Collection[str]
) -> None:
    prefix = f"{section}." if section else ""
    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f"Did you mean {prefix}{close[0]}?" if close else f"Known here: {', '.join(known)}."
        raise ConfigError(f"{path}: unknown key {prefix}{key}. {hint}")


SectionT = TypeVar("SectionT", RegisterSettings, TimingSettings)


def _typed_table(path: Path, section: str, table: dict[str, Any], kind: type[SectionT]) -> SectionT:
    """``kind`` from a table whose keys are its fields, each of its default's type."""
    defaults = {item.name: item.default for item in fields(kind) if item.default is not MISSING}
    _refuse_unknown(path, section, table, defaults)
    values = {
        key: _typed(path, f"{section}.{key}", value, defaults[key]) for key, value in table.items()
    }
    return kind(**values)


def _typed(path: Path, key: str, value: Any, default: Any) -> Any:
    """``value`` if it has the type of ``default`` (an int is a fine float); else a ConfigError."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str) and isinstance(value, str):
        return value
    if isinstance(default, float) and is_number:
        return float(value)
    if isinstance(default, int) and is_number and isinstance(value, int):
        return value
    wanted = {str: "text in quotes", float: "number (like 15 or 2.5)", int: "whole number (like 3)"}
    raise ConfigError(
        f"{path}: {key} must be {wanted[type(default)]}, not {_shown(value)}. Correct it."
    )


def _shown(value: Any) -> str:
    """A TOML value as a person would recognise it, shortened."""
    text = "true" if value is True else "false" if value is False else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _relative_to_config(path: Path, key: str, value: str) -> Path:
    """A path from the file: ``~`` expanded, relative paths from the config file's folder."""
    if not value.strip() or "\0" in value:
        raise ConfigError(f"{path}: {key} must be a path to a file or folder.")
    try:
        given = Path(value).expanduser()
    except RuntimeError as exc:  # ~user that does not exist
        raise ConfigError(f"{path}: {key}: {exc}. Write the full path.") from exc
    return given if given.is_absolute() else path.parent / given


# --- the sections --------------------------------------------------------------------------------


def _register(path: Path, table: dict[str, Any]) -> RegisterSettings:
    register = _typed_table(path, "register", table, RegisterSettings)
    for key in ("store_id", "register_id"):
        if not getattr(register, key).strip():
            raise ConfigError(f"{path}: register.{key} must not be empty. Give this till its id.")
    return register


def _timing(path: Path, table: dict[str, Any]) -> TimingSettings:
    timing = _typed_table(path, "timing", table, TimingSettings)
    for item in fields(timing):
        value = getattr(timing, item.name)
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"{path}: timing.{item.name} must be above 0 (and finite).")
    return _call_total(path, table, timing)


def _call_total(path: Path, table: dict[str, Any], timing: TimingSettings) -> TimingSettings:
    """A slow-drip answer must not outlive the give-up: read ≤ call_total ≤ give_up / 3."""
    most = timing.give_up_after_s / 3
    if "call_total_s" not in table:
        timing = replace(timing, call_total_s=max(timing.read_timeout_s, min(20.0, most)))
    if not timing.read_timeout_s <= timing.call_total_s <= most:
        raise ConfigError(
            f"{path}: timing.call_total_s ({timing.call_total_s:g}) must be at least "
            f"timing.read_timeout_s ({timing.read_timeout_s:g}) and at most a third of "
            f"timing.give_up_after_s ({timing.give_up_after_s:g}). Correct one of them."
        )
    return timing


def _data_dir(path: Path, table: dict[str, Any]) -> Path:
    _refuse_unknown(path, "paths", table, PATHS_KEYS)
    if "data_dir" not in table:
        return default_data_dir()
    value = _typed(path, "paths.data_dir", table["data_dir"], "")
    return _relative_to_config(path, "paths.data_dir", value)


def _netgiro(path: Path, table: dict[str, Any]) -> NetgiroSettings:
    if "secret_key" in table:
        raise ConfigError(
            f"{path}: netgiro.secret_key must not be written in the config. Put it in a file "
            "only you can read (secret_key_file, chmod 600) or an environment variable "
            "(secret_key_env)."
        )
    _refuse_unknown(path, "netgiro", table, NETGIRO_KEYS)
    text: dict[str, str] = {
        key: _typed(path, f"netgiro.{key}", value, "") for key, value in table.items()
    }
    app_key = _app_key(path, text.get("app_key", FIRST_TEST_APPLICATION.app_key))
    return NetgiroSettings(
        base_url=_url(path, "netgiro.base_url", text.get("base_url")),
        app_key=app_key,
        secret_key=_secret(path, text, app_key),
        confirmation=_confirmation(path, text.get("confirmation", "manual")),
        callback_url=_url(path, "netgiro.callback_url", text.get("callback_url")),
        callback_listen=_listen(path, text.get("callback_listen", DEFAULT_LISTEN)),
    )


def _app_key(path: Path, app_key: str) -> str:
    if not app_key.strip():
        raise ConfigError(f"{path}: netgiro.app_key must not be empty. Copy it from Netgíró.")
    return app_key


def _confirmation(path: Path, value: str) -> Confirmation:
    for option in CONFIRMATIONS:
        if value == option:
            return option
    raise ConfigError(
        f"{path}: netgiro.confirmation must be manual, automatic or callback, not {_shown(value)}."
    )


def _url(path: Path, key: str, url: str | None) -> str | None:
    """``https://host…``, or ``http://`` to loopback; no user or password in it."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host, _port, user = parts.hostname or "", parts.port, parts.username
    except ValueError as exc:  # a broken [IPv6] host or a port that is not a number
        raise ConfigError(f"{path}: {key} is not an address ({exc}). Correct it.") from exc
    if user is not None:
        raise ConfigError(f"{path}: {key} must not hold a user name or password. Remove them.")
    if (parts.scheme == "https" and host) or (parts.scheme == "http" and is_loopback(host)):
        return url
    raise ConfigError(
        f"{path}: {key} must be an https:// address (plain http:// only to this machine), "
        f"not {_shown(url)}."
    )


def _listen(path: Path, listen: str) -> str:
    _host, colon, port = listen.rpartition(":")
    if colon and port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= _MAX_PORT:
        return listen
    raise ConfigError(
        f"{path}: netgiro.callback_listen must be host:port, like {DEFAULT_LISTEN} "
        f"(port 0: any free port), not {_shown(listen)}."
    )


# --- the secret ------------------------------------------------------------------------------------


def _secret(path: Path, text: dict[str, str], app_key: str) -> str:
    if "secret_key_env" in text and "secret_key_file" in text:
        raise ConfigError(
            f"{path}: netgiro has both secret_key_env and secret_key_file. Keep one of them."
        )
    if "secret_key_env" in text:
        return _secret_from_env(path, text["secret_key_env"])
    if "secret_key_file" in text:
        secret_file = _relative_to_config(path, "netgiro.secret_key_file", text["secret_key_file"])
        return _secret_from_file(path, secret_file)
    public = _public_secret(app_key)
    if public is not None:
        return public  # Netgíró publishes the test applications' secrets
    raise ConfigError(
        f"{path}: netgiro needs the secret key: set secret_key_env (an environment variable) "
        "or secret_key_file (a file only you can read)."
    )


def _public_secret(app_key: str) -> str | None:
    """The published secret of a public test application, or None."""
    for app in TEST_APPLICATIONS:
        if app.app_key.lower() == app_key.lower():
            return app.secret_key
    return None


def _secret_from_env(path: Path, name: str) -> str:
    if not name or "=" in name or "\0" in name:
        raise ConfigError(
            f"{path}: netgiro.secret_key_env must be the name of an environment variable, "
            "like NETGIRO_SECRET_KEY."
        )
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{path}: netgiro.secret_key_env names {name}, but that environment variable "
            "is not set (or is empty). Set it before starting the till."
        )
    return value


def _secret_from_file(path: Path, secret_file: Path) -> str:
    key = "netgiro.secret_key_file"
    try:
        info = secret_file.stat()
    except OSError as exc:
        raise ConfigError(
            f"{path}: {key} {secret_file} cannot be read ({exc.strerror}). Check the path."
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: {key} {secret_file} is not a file. Name the secret's file.")
    if info.st_mode & _SHARED_BITS:
        raise ConfigError(
            f"{path}: the secret key file {secret_file} ({key}) can be read or changed by "
            f"group or others. Run: chmod 600 {secret_file}"
        )
    return _read_secret(path, key, secret_file)


def _read_secret(path: Path, key: str, secret_file: Path) -> str:
    try:
        secret = secret_file.read_bytes().decode("utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{path}: {key} {secret_file} cannot be read ({exc.strerror}). "
            "Check that the till's user owns it."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: {key} {secret_file} is not UTF-8 text. Save the secret as plain text."
        ) from exc
    if not secret:
        raise ConfigError(f"{path}: the secret key file {secret_file} ({key}) is empty.")
    return secret
