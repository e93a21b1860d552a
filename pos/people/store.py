"""The people file: JSON, mode 0600, replaced whole and atomically, never part of the register config.

Format (version 1)::

    {"version": 1, "people": [{"name": "Anna", "role": "manager", "pin": "scrypt$14$8$1$…"}]}

A write goes to a temporary file in the same folder, is fsynced, then ``os.replace``s the old
file, and the folder is fsynced: a crash leaves the old file or the new one, never half of one.
A file that group or others can read is refused, as the secret key file is: it holds PIN hashes.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos.core.errors import PosError
from pos.core.people import ROLES, Role, check_name, same_name
from pos.people.pins import parse_hash

FORMAT_VERSION = 1


class PeopleFileError(PosError):
    """The people file cannot be read or written safely."""

    title = "People file"


@dataclass(frozen=True)
class Person:
    """A manager or cashier; ``pin_hash`` is a salted scrypt hash, never the PIN."""

    name: str
    role: Role
    pin_hash: str

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"Person({self.name!r}, {self.role!r})"

    @property
    def actor(self) -> str:
        """How the audit log names this person: ``manager:Anna``."""
        return f"{self.role}:{self.name}"


class PeopleFile:
    """One people file; read on every call, so a change made from the shell is seen at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def people(self) -> list[Person]:
        """Everyone in the file; an absent file is nobody."""
        try:
            if not self.path.exists():
                return []
            self._refuse_if_shared()
            raw = self.path.read_bytes()
        except OSError as exc:
            raise PeopleFileError(
                f"Cannot read the people file {self.path} ({exc.strerror}): check its owner."
            ) from exc
        return _parse(self.path, raw)

    def find(self, name: str) -> Person | None:
        for person in self.people():
            if same_name(person.name, name):
                return person
        return None

    def add(self, person: Person) -> None:
        """Add a person; a name already there (in any case) is refused."""
        everyone = self.people()
        if any(same_name(p.name, person.name) for p in everyone):
            raise PeopleFileError(
                f"{person.name} is already in the people file; pick another name."
            )
        self._write([*everyone, person])

    def _refuse_if_shared(self) -> None:
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise PeopleFileError(
                f"The people file {self.path} can be read by others (mode {mode:03o}); it holds "
                f"PIN hashes. Run: chmod 600 {self.path}"
            )

    def _write(self, everyone: list[Person]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "people": [{"name": p.name, "role": p.role, "pin": p.pin_hash} for p in everyone],
        }
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _replace_atomically(self.path, data)
        except OSError as exc:
            raise PeopleFileError(
                f"Cannot write the people file {self.path} ({exc.strerror}); it was not changed."
            ) from exc


def _replace_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


def _parse(path: Path, raw: bytes) -> list[Person]:
    def broken(why: str) -> PeopleFileError:
        return PeopleFileError(
            f"The people file {path} is damaged ({why}). Restore it from a backup, or move it "
            "aside and add the managers again with `pos manager add NAME`."
        )

    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise broken("not JSON") from exc
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise broken(f"not a version {FORMAT_VERSION} people file")
    entries = document.get("people")
    if not isinstance(entries, list):
        raise broken("no list of people")
    return [_person(entry, broken) for entry in entries]


def _person(entry: Any, broken: Any) -> Person:
    if not isinstance(entry, dict):
        raise broken("an entry is not an object")
    name, role, pin = entry.get("name"), entry.get("role"), entry.get("pin")
    if not isinstance(name, str) or role not in ROLES or not isinstance(pin, str):
        raise broken("an entry lacks its name, role or PIN hash")
    if parse_hash(pin) is None:
        raise broken(f"{name}'s PIN hash is not one this till can check")
    try:
        checked = check_name(name)
    except PosError as exc:
        raise broken(f"a name is not allowed: {exc.message}") from exc
    return Person(checked, role, pin)
