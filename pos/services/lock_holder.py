"""Who holds the register lock, in words: the till, or which `pos` command (found by a hostile
pass: a second `pos report z` was told "the till is open" while only another shell command ran).

The lock file holds the holder's pid; its command line (Linux ``/proc``) says what it runs.
Anything that is not recognisably a headless `pos` command is spoken of as the till, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TILL_COMMANDS = frozenset({"", "till"})


@dataclass(frozen=True)
class LockHolder:
    pid: str
    command: str
    """The holder's `pos` command words (``report z``); "" for the till or when unknown."""

    @property
    def is_till(self) -> bool:
        return self.command in TILL_COMMANDS

    def refusal(self) -> str:
        """What a command refused by the lock tells the person, "Nothing was changed." after."""
        if self.is_till:
            return f"The till is open (pid {self.pid}): do it in manager mode (F9), or close the till first."
        return f"`pos {self.command}` (pid {self.pid}) is using this register: wait for it to finish, then try again."


def lock_holder(lock_file: Path) -> LockHolder:
    try:
        pid = lock_file.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return LockHolder("unknown", "")
    return LockHolder(pid, command_of(pid))


def command_of(pid: str) -> str:
    """``report z`` for a process running ``pos report z --config …``; "" if not a pos command."""
    if not pid.isdigit():
        return ""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return pos_command(raw.decode("utf-8", "replace").split("\0"))


def pos_command(argv: list[str]) -> str:
    """The command words of a `pos` command line (``python -m pos`` too); "" otherwise."""
    words = [word for word in argv if word]
    for at, word in enumerate(words):
        if word.rsplit("/", 1)[-1] == "pos" or (word == "pos" and at and words[at - 1] == "-m"):
            rest = words[at + 1 :]
            break
    else:
        return ""
    command: list[str] = []
    for word in rest:
        if not word.isalpha() or len(command) == 2:
            break  # an option, an amount, a number: the command words are done
        command.append(word)
    return " ".join(command)
