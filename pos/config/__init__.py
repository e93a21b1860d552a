"""Register configuration: a TOML file to typed, validated settings, or safe defaults without one.

Rules kept:

- The secret key never sits in the config file: it comes from an environment variable
  (``secret_key_env``) or from a file only its owner can read or write (``secret_key_file``).
  A public Netgíró test application may leave it out: its secret is published. The secret is
  never in a ``repr`` or a message; ``describe_secret`` gives a fingerprint to show instead.
  Read-only commands load with ``need_secret=False`` and never look it up.
- TLS always: ``https://``, or plain ``http://`` only to this machine (the sandbox).
- Every problem is collected before any is reported; each names the file, the key and what to
  do; unknown keys get a "did you mean". Nothing but ConfigError escapes ``load_settings``.
- Errors in ``[register]``, ``[netgiro]``, ``[timing]`` block pos/pay/recover, in ``[paths]``
  every command; other sections (``[store]``, ``[printer]``…) only degrade the till.
- No config at all means the embedded sandbox with the first public test application and
  manual confirmation.
- Relative paths in the file (``secret_key_file``, ``data_dir``) are read from the config
  file's folder, so the till finds the same files whatever folder it is started from.

Each section is one module of this package, listed in ``pos.config.registry``.
"""

from __future__ import annotations

from pos.config.loader import check_config, load_settings, parse_sections, read_toml, schema
from pos.config.netgiro import CONFIRMATIONS, DEFAULT_LISTEN, Confirmation, NetgiroSettings
from pos.config.paths import DATA_DIR_ENV, PathsSettings, default_data_dir
from pos.config.problems import ConfigProblems, Problem, Severity
from pos.config.reader import KeySpec, Reader
from pos.config.register import RegisterSettings
from pos.config.registry import SECTIONS
from pos.config.secret import describe_secret
from pos.config.section import Mode, Role, Section
from pos.config.settings import Settings
from pos.config.store import StoreSettings
from pos.config.timing import TimingSettings

__all__ = [
    "CONFIRMATIONS",
    "DATA_DIR_ENV",
    "DEFAULT_LISTEN",
    "SECTIONS",
    "ConfigProblems",
    "Confirmation",
    "KeySpec",
    "Mode",
    "NetgiroSettings",
    "PathsSettings",
    "Problem",
    "Reader",
    "RegisterSettings",
    "Role",
    "Section",
    "Settings",
    "Severity",
    "StoreSettings",
    "TimingSettings",
    "check_config",
    "default_data_dir",
    "describe_secret",
    "load_settings",
    "parse_sections",
    "read_toml",
    "schema",
]
