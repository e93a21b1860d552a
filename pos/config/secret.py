"""The Netgíró secret key: from an environment variable or a private file, never from the config.

The secret is never in a message; ``describe_secret`` gives a fingerprint to show instead.
"""

from __future__ import annotations

import os
import stat
from hashlib import sha256
from pathlib import Path

from pos.config.reader import Reader
from pos.core.public_test_data import TEST_APPLICATIONS

SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO
_FILE_KEY = "secret_key_file"


def describe_secret(secret: str) -> str:
    """A short fingerprint to show instead of the secret: ``sha256:`` and 8 hex digits."""
    return "sha256:" + sha256(secret.encode("utf-8")).hexdigest()[:8]


def public_secret(app_key: str) -> str | None:
    """The published secret of a public test application, or None."""
    for app in TEST_APPLICATIONS:
        if app.app_key.lower() == app_key.lower():
            return app.secret_key
    return None


def resolve_secret(
    reader: Reader, env_name: str | None, file_path: Path | None, app_key: str
) -> str:
    """The secret, or "" with a problem recorded (also "" when the reader must not look it up)."""
    if env_name is not None and file_path is not None:
        reader.error(
            "secret_key_env",
            f"{reader.section} has both secret_key_env and secret_key_file.",
            "Keep one of them.",
        )
        return ""
    if env_name is not None:
        return _from_env(reader, env_name)
    if file_path is not None:
        return _from_file(reader, file_path)
    public = public_secret(app_key)
    if public is not None:
        return public  # Netgíró publishes the test applications' secrets
    if reader.need_secret:
        reader.error(
            "secret_key_env",
            f"{reader.section} needs the secret key:",
            "set secret_key_env (an environment variable) or secret_key_file "
            "(a file only you can read).",
        )
    return ""


def _from_env(reader: Reader, name: str) -> str:
    if not name or "=" in name or "\0" in name:
        reader.error(
            "secret_key_env",
            f"{reader.name('secret_key_env')} must be the name of an environment variable,",
            "like NETGIRO_SECRET_KEY.",
        )
        return ""
    if not reader.need_secret:
        return ""
    value = os.environ.get(name, "").strip()
    if not value:
        reader.error(
            "secret_key_env",
            f"{reader.name('secret_key_env')} names {name}, but that environment variable "
            "is not set (or is empty).",
            "Set it before starting the till.",
        )
    return value


def _from_file(reader: Reader, secret_file: Path) -> str:
    key = reader.name(_FILE_KEY)
    if not reader.need_secret:
        return ""
    try:
        info = secret_file.stat()
    except OSError as exc:
        reader.error(
            _FILE_KEY, f"{key} {secret_file} cannot be read ({exc.strerror}).", "Check the path."
        )
        return ""
    if not stat.S_ISREG(info.st_mode):
        reader.error(_FILE_KEY, f"{key} {secret_file} is not a file.", "Name the secret's file.")
        return ""
    if info.st_mode & SHARED_BITS:
        reader.error(
            _FILE_KEY,
            f"the secret key file {secret_file} ({key}) can be read or changed by group or others.",
            f"Run: chmod 600 {secret_file}",
        )
        return ""
    return _read(reader, key, secret_file)


def _read(reader: Reader, key: str, secret_file: Path) -> str:
    try:
        secret = secret_file.read_bytes().decode("utf-8").strip()
    except OSError as exc:
        reader.error(
            _FILE_KEY,
            f"{key} {secret_file} cannot be read ({exc.strerror}).",
            "Check that the till's user owns it.",
        )
        return ""
    except UnicodeDecodeError:
        reader.error(
            _FILE_KEY, f"{key} {secret_file} is not UTF-8 text.", "Save the secret as plain text."
        )
        return ""
    if not secret:
        reader.error(
            _FILE_KEY,
            f"the secret key file {secret_file} ({key}) is empty.",
            "Put the secret key from Netgíró in it.",
        )
    return secret
