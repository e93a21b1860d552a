"""``pos config init``: the few questions that matter, then a working config and a 0600 secret file.

Answers come one a line (a technician types them, or a script pipes them); an empty line
takes the default shown in brackets. Each answer is checked by its section's own parser, so
init accepts exactly what the loader accepts; a wrong answer is asked again. The secret key
is read without echo on a terminal, written only to a file only its owner can read, and
shown afterwards as a fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import tomlkit

from pos.config import ConfigProblems, Reader, default_data_dir, describe_secret, schema
from pos.config.editing import typed_value, write_atomically
from pos.config.registry import section_named
from pos.config.secret import public_secret
from pos.core.errors import ConfigError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.services.config_commands import CheckReport, check, register_closed

TEST_URL = "https://api.test.netgiro.is/v1/"
PRODUCTION_URL = "https://api.netgiro.is/v1/"
SECRET_FILE_NAME = "netgiro.secret"
MAX_TRIES = 3
NETGIRO_MODES = ("sandbox", "test", "production")
DEVICE_QUESTIONS = (
    ("printer.kind", "Printer kind"),
    ("scanner.port", "Scanner serial port (empty: none)"),
)
"""Asked only once their sections are registered (the devices work adds them)."""


@dataclass(frozen=True)
class InitResult:
    file: Path
    secret_file: Path | None
    report: CheckReport


class Interview:
    """Questions on ``answers``, prompts and complaints through ``say``."""

    def __init__(
        self,
        answers: TextIO,
        say: Callable[[str], None],
        read_secret: Callable[[str], str] | None = None,
        prompt: Callable[[str], None] | None = None,
    ) -> None:
        self._answers = answers
        self._say = say
        self._read_secret = read_secret
        self._prompt = prompt or say
        """Shows a question; on a terminal without a line break, so the answer follows it."""

    def line(self, prompt: str, default: str, *, secret: bool = False) -> str | None:
        """One answer (the default for an empty line); None at the end of the input."""
        shown = f" [{default}]" if default else ""
        if secret and self._read_secret is not None:
            text = self._read_secret(f"{prompt}: ")
        else:
            self._prompt(f"{prompt}{shown}: ")
            text = self._answers.readline()
            if not text:
                return None
        return text.strip() or default

    def ask(
        self,
        prompt: str,
        default: str,
        check: Callable[[str], str | None],
        *,
        required: bool = False,
        secret: bool = False,
    ) -> str:
        """An answer ``check`` accepts (it returns why not, or None)."""
        for _try in range(MAX_TRIES):
            text = self.line(prompt, default, secret=secret)
            if text is None:
                if required:
                    raise ConfigError(f"No answer for “{prompt}”; nothing was written.")
                return default
            if required and not text:
                self._say("  An answer is needed here.")
                continue
            problem = check(text) if text else None
            if problem is None:
                return text
            self._say(f"  {problem}")
        raise ConfigError(
            f"No usable answer for “{prompt}” after {MAX_TRIES} tries; nothing was written."
        )


def key_check(dotted: str) -> Callable[[str], str | None]:
    """Whether an answer is a good value for ``dotted``: typed by the schema, checked by its section."""
    spec = schema()[dotted]

    def check_answer(text: str) -> str | None:
        try:
            value = typed_value(spec, text)
        except ConfigProblems as exc:
            return exc.problems[0].text
        section = section_named(spec.section or spec.key)
        if section is None:
            return None
        reader = Reader(None, spec.section, {spec.key: value}, need_secret=False)
        section.parse(reader)
        errors = [p for p in reader.problems if p.key == dotted and p.severity == "error"]
        return errors[0].text if errors else None

    return check_answer


def choice_check(options: tuple[str, ...]) -> Callable[[str], str | None]:
    def check_answer(text: str) -> str | None:
        return None if text in options else f"Answer one of: {', '.join(options)}."

    return check_answer


def run_init(
    file: Path,
    interview: Interview,
    say: Callable[[str], None],
    *,
    force: bool = False,
) -> InitResult:
    """Ask, then write ``file`` (and the secret file beside it); then check what was written."""
    secret_file = file.parent / SECRET_FILE_NAME
    for existing in (file, secret_file):
        if existing.exists() and not force:
            raise ConfigError(
                f"{existing} already exists. Change one key with `pos config set`, or give "
                "--force to write new files."
            )
    values: dict[str, Any] = {}
    _ask_keys(interview, values, _IDENTITY_QUESTIONS)
    secret = _ask_netgiro(interview, values)
    _ask_keys(interview, values, [q for q in DEVICE_QUESTIONS if q[0] in schema()])
    _ask_keys(interview, values, [("paths.data_dir", "Data folder (empty: the default)")])
    data_dir = _data_dir(file, values)
    with register_closed(data_dir):
        if secret is not None:
            write_atomically(secret_file, (secret + "\n").encode("utf-8"), mode=0o600)
            values["netgiro.secret_key_file"] = SECRET_FILE_NAME
            say(f"Wrote the secret key ({describe_secret(secret)}) to {secret_file}, mode 0600.")
        write_atomically(file, _document(values).encode("utf-8"))
    say(f"Wrote {file}.")
    return InitResult(file, secret_file if secret is not None else None, check(file))


_IDENTITY_QUESTIONS = [
    ("register.store_id", "Store id (letters and digits, at most 6)"),
    ("register.register_id", "Register id (letters and digits, at most 6)"),
    ("register.name", "Register name, on the screen"),
    ("register.location_id", "Location id sent to Netgíró (empty: none)"),
    ("store.name", "Store name, as on receipts"),
    ("store.address", "Store address"),
    ("store.kennitala", "Store kennitala"),
    ("store.vsk_number", "Store VSK number (5 or 6 digits)"),
]


def _ask_keys(
    interview: Interview, values: dict[str, Any], questions: Sequence[tuple[str, str]]
) -> None:
    keys = schema()
    for dotted, prompt in questions:
        answer = interview.ask(prompt, _default_text(dotted), key_check(dotted))
        if answer:
            values[dotted] = typed_value(keys[dotted], answer)


def _default_text(dotted: str) -> str:
    section_name, _, key = dotted.rpartition(".")
    section = section_named(section_name or key)
    if section is None:
        return ""
    value = getattr(section.default(), key, "")
    return value if isinstance(value, str) else ""


def _ask_netgiro(interview: Interview, values: dict[str, Any]) -> str | None:
    """Where Netgíró is; returns the secret key when one must be stored."""
    mode = interview.ask(
        "Netgíró: sandbox (built in, no keys), test (Netgíró's test server) or production",
        "sandbox",
        choice_check(NETGIRO_MODES),
    )
    secret = None
    if mode != "sandbox":
        values["netgiro.base_url"] = TEST_URL if mode == "test" else PRODUCTION_URL
        default_key = FIRST_TEST_APPLICATION.app_key if mode == "test" else ""
        app_key = interview.ask(
            "Netgíró app key", default_key, key_check("netgiro.app_key"), required=True
        )
        values["netgiro.app_key"] = app_key
        if public_secret(app_key) is None:  # a public test application's secret is published
            secret = interview.ask(
                "Netgíró secret key", "", lambda _text: None, required=True, secret=True
            )
    values["netgiro.confirmation"] = "manual"  # the safe default (payment-safety.md)
    return secret


def _data_dir(file: Path, values: dict[str, Any]) -> Path:
    given = values.get("paths.data_dir")
    if not given:
        return default_data_dir()
    path = Path(str(given)).expanduser()
    return path if path.is_absolute() else file.parent / path


def _document(values: dict[str, Any]) -> str:
    document = tomlkit.document()
    document.add(tomlkit.comment("Written by `pos config init`. Every key is explained in"))
    document.add(
        tomlkit.comment("config/register.example.toml; check with `pos config check FILE`.")
    )
    for dotted, value in values.items():
        section, _, key = dotted.rpartition(".")
        if section not in document:
            document[section] = tomlkit.table()
        document[section][key] = value
    return tomlkit.dumps(document)
