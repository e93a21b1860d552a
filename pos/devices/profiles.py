"""python-escpos printer profiles: which exist, and whether one has the code page the till prints in."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from escpos.capabilities import CAPABILITIES


@dataclass(frozen=True)
class ProfileProblem:
    key: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message} {self.fix}"


def profile_problems(profile: str, codepage: str) -> list[ProfileProblem]:
    """A profile python-escpos does not know, or one without the code page: a config error."""
    profiles = CAPABILITIES["profiles"]
    if profile not in profiles:
        close = difflib.get_close_matches(profile, list(profiles), n=1)
        hint = f"Did you mean {close[0]}?" if close else "Use one python-escpos lists, or default."
        return [
            ProfileProblem(
                "profile", f"printer.profile {profile!r} is not a known printer profile.", hint
            )
        ]
    pages = {name.upper() for name in profiles[profile].get("codePages", {}).values()}
    if codepage.upper() not in pages:
        return [
            ProfileProblem(
                "codepage",
                f"printer.codepage: profile {profile!r} has no {codepage}, so Icelandic letters "
                "would print as '?'.",
                "Choose a profile that lists it, or a code page the profile has.",
            )
        ]
    return []
