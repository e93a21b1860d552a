"""``[netgiro]``: where and how the till talks to Netgíró, and the secret key's source.

Checked here, at config time, is everything that could only fail at pay time: TLS always
(``https://``, plain ``http://`` only to this machine); a callback receiver Netgíró can reach.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pos.config.reader import Reader, shown
from pos.config.secret import resolve_secret
from pos.config.section import Section
from pos.core.addresses import is_loopback
from pos.core.public_test_data import FIRST_TEST_APPLICATION

Confirmation = Literal["manual", "automatic", "callback"]
CONFIRMATIONS: tuple[Confirmation, ...] = ("manual", "automatic", "callback")
DEFAULT_LISTEN = "127.0.0.1:0"
_MAX_PORT = 65535
_WILDCARDS = frozenset({"0.0.0.0"})


@dataclass(frozen=True)
class NetgiroSettings:
    """Where and how the till talks to Netgíró."""

    base_url: str | None = None
    """None: start the embedded sandbox."""
    app_key: str = FIRST_TEST_APPLICATION.app_key
    secret_key: str = field(default=FIRST_TEST_APPLICATION.secret_key, repr=False)
    """"" when loaded for a read-only command (the secret is then never looked up)."""
    confirmation: Confirmation = "manual"
    """Manual by default: a lost InsertCart answer can then never become an unrecorded payment."""
    callback_url: str | None = None
    """The callback receiver's public address; None opens one on loopback."""
    callback_listen: str = DEFAULT_LISTEN
    """``host:port`` the callback receiver listens on (IPv4); port 0 takes any free port."""
    partner_base_url: str | None = None
    """Netgíró's Partner API (refunds), e.g. https://partner-api.test.netgiro.is/; None: the
    embedded or loopback sandbox's, and refunds are refused against a real Netgíró."""

    def callback_problem(self, confirmation: str) -> str | None:
        """Why callbacks cannot work with these settings in ``confirmation`` mode, or None.

        For a command that overrides the configured confirmation (``pos pay --confirmation``).
        """
        if confirmation != "callback":
            return None
        problem = _unreachable_callback(self.base_url, self.callback_url)
        return None if problem is None else " ".join(problem)


def parse_netgiro(reader: Reader) -> NetgiroSettings:
    reader.forbidden(
        "secret_key",
        f"{reader.name('secret_key')} must not be written in the config.",
        "Put it in a file only you can read (secret_key_file, chmod 600) or an environment "
        "variable (secret_key_env).",
    )
    default = NetgiroSettings()
    base_url = _url(reader, "base_url", reader.optional_text("base_url"))
    app_key = reader.text("app_key", default.app_key)
    env_name = reader.optional_text("secret_key_env")
    file_path = reader.path("secret_key_file")
    confirmation = reader.choice("confirmation", CONFIRMATIONS, default.confirmation)
    callback_url = _url(reader, "callback_url", reader.optional_text("callback_url"))
    listen = _listen(reader, reader.text("callback_listen", default.callback_listen))
    partner_base_url = _url(reader, "partner_base_url", reader.optional_text("partner_base_url"))
    if not app_key.strip():
        reader.error(
            "app_key", f"{reader.name('app_key')} must not be empty.", "Copy it from Netgíró."
        )
        app_key = default.app_key
    if confirmation == "callback" and not reader.has_errors("base_url", "callback_url"):
        problem = _unreachable_callback(base_url, callback_url)
        if problem:
            reader.error("callback_url", *problem)
    return NetgiroSettings(
        base_url=base_url,
        app_key=app_key,
        secret_key=resolve_secret(reader, env_name, file_path, app_key),
        confirmation=_as_confirmation(confirmation),
        callback_url=callback_url,
        callback_listen=listen,
        partner_base_url=partner_base_url,
    )


def _as_confirmation(value: str) -> Confirmation:
    for option in CONFIRMATIONS:
        if value == option:
            return option
    return "manual"


def _url(reader: Reader, key: str, url: str | None) -> str | None:
    """``https://host…``, or ``http://`` to loopback; no user or password in it."""
    if url is None:
        return None
    name = reader.name(key)
    try:
        parts = urlsplit(url)
        host, _port, user = parts.hostname or "", parts.port, parts.username
    except ValueError as exc:  # a broken [IPv6] host or a port that is not a number
        reader.error(key, f"{name} is not an address ({exc}).", "Correct it.")
        return None
    if user is not None:
        reader.error(key, f"{name} must not hold a user name or password.", "Remove them.")
        return None
    if (parts.scheme == "https" and host) or (parts.scheme == "http" and is_loopback(host)):
        return url
    reader.error(
        key,
        f"{name} must be an https:// address (plain http:// only to this machine), "
        f"not {shown(url)}.",
        "Correct it.",
    )
    return None


def _listen(reader: Reader, listen: str) -> str:
    """IPv4 ``host:port``; a host other than loopback needs the public ``callback_url``."""
    name = reader.name("callback_listen")
    host, colon, port = listen.rpartition(":")
    if ":" in host or host.startswith("["):
        reader.error(
            "callback_listen",
            f"{name} is an IPv6 address; the callback receiver listens on IPv4 only.",
            f"Use an IPv4 address, like {DEFAULT_LISTEN}.",
        )
        return DEFAULT_LISTEN
    if not (
        colon and port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= _MAX_PORT
    ):
        reader.error(
            "callback_listen",
            f"{name} must be host:port, like {DEFAULT_LISTEN} (port 0: any free port), "
            f"not {shown(listen)}.",
            "Correct it.",
        )
        return DEFAULT_LISTEN
    if host and host != "localhost" and not _is_ipv4(host):
        reader.error(
            "callback_listen",
            f"{name} must name this machine's IPv4 address (like 127.0.0.1 or 0.0.0.0), "
            f"not {shown(host)}.",
            "Write an IPv4 address.",
        )
        return DEFAULT_LISTEN
    if host and not is_loopback(host) and not reader.present("callback_url"):
        what = "every address" if host in _WILDCARDS else host
        reader.error(
            "callback_listen",
            f"{name} listens on {what}, but no netgiro.callback_url says where Netgíró "
            f"reaches it (the till would send http://{host}:…, which Netgíró cannot call).",
            "Set netgiro.callback_url to the receiver's public https:// address, "
            "or listen on 127.0.0.1.",
        )
    return listen


def _is_ipv4(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv4Address)
    except ValueError:
        return False


def _unreachable_callback(base_url: str | None, callback_url: str | None) -> tuple[str, str] | None:
    """A real Netgíró (not loopback) can only call a public https address: (problem, fix) or None."""
    if base_url is None or is_loopback(urlsplit(base_url).hostname or ""):
        return None  # the sandbox runs on this machine and reaches a loopback receiver
    fix = (
        "Set netgiro.callback_url to the receiver's public https:// address, or use manual "
        "confirmation."
    )
    if callback_url is None:
        return (
            "netgiro.confirmation is callback with Netgíró off this machine, but "
            "netgiro.callback_url is not set: Netgíró cannot reach a receiver on loopback.",
            fix,
        )
    parts = urlsplit(callback_url)
    if parts.scheme != "https" or is_loopback(parts.hostname or ""):
        return (
            f"netgiro.callback_url {shown(callback_url)} is on this machine; Netgíró at "
            f"{urlsplit(base_url).hostname} cannot reach it.",
            fix,
        )
    return None


SECTION = Section("netgiro", parse_netgiro, role="core")
