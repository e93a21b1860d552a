"""``[register]``: who this till is. Its ids go into every payment Reference and to Netgíró."""

from __future__ import annotations

from dataclasses import dataclass

from pos.config.reader import Reader
from pos.config.section import Section
from pos.config.text_rules import ID_SHAPE, is_printable_ascii, unsafe_characters

STORE_ID_MAX_LENGTH = 6
REGISTER_ID_MAX_LENGTH = 6
"""The journal refuses a Reference over 32 characters: `{store}-{register}-{8 hex}-{sale}-{attempt}`."""
LOCATION_ID_MAX_LENGTH = 32
NAME_MAX_LENGTH = 40


@dataclass(frozen=True)
class RegisterSettings:
    """Who this till is."""

    store_id: str = "S1"
    register_id: str = "R1"
    """This till; part of every payment Reference, and sent as RegisterId."""
    location_id: str = ""
    """Sent to Netgíró as LocationId when not empty."""
    name: str = "Till 1"


def parse_register(reader: Reader) -> RegisterSettings:
    default = RegisterSettings()
    values = RegisterSettings(
        store_id=reader.text("store_id", default.store_id),
        register_id=reader.text("register_id", default.register_id),
        location_id=reader.text("location_id", default.location_id),
        name=reader.text("name", default.name),
    )
    _check_id(reader, "store_id", values.store_id, STORE_ID_MAX_LENGTH)
    _check_id(reader, "register_id", values.register_id, REGISTER_ID_MAX_LENGTH)
    _check_location(reader, values.location_id)
    _check_name(reader, values.name)
    return values


def _check_id(reader: Reader, key: str, value: str, limit: int) -> None:
    name = reader.name(key)
    if not value.strip():
        reader.error(key, f"{name} must not be empty.", "Give this till its id.")
    elif not ID_SHAPE.fullmatch(value):
        reader.error(
            key,
            f"{name} may hold only the letters A–Z, a–z and the digits 0–9 "
            "(it is part of every payment Reference).",
            "Remove spaces, hyphens and other characters.",
        )
    elif len(value) > limit:
        reader.error(
            key, f"{name} is {len(value)} characters long; at most {limit}.", "Shorten it."
        )


def _check_location(reader: Reader, value: str) -> None:
    name = reader.name("location_id")
    if not is_printable_ascii(value) or value != value.strip():
        reader.error(
            "location_id",
            f"{name} is sent to Netgíró and may hold only printable ASCII characters, "
            "with no space at either end.",
            "Use letters, digits and simple punctuation.",
        )
    elif len(value) > LOCATION_ID_MAX_LENGTH:
        reader.error(
            "location_id",
            f"{name} is {len(value)} characters long; at most {LOCATION_ID_MAX_LENGTH}.",
            "Shorten it.",
        )


def _check_name(reader: Reader, value: str) -> None:
    name = reader.name("name")
    unsafe = unsafe_characters(value)
    if unsafe:
        reader.error(
            "name",
            f"{name} holds control or invisible characters ({', '.join(unsafe[:3])}).",
            "Write it on one line with visible characters only.",
        )
    elif not value.strip():
        reader.error("name", f"{name} must not be empty.", 'Name the till, like "Till 1".')
    elif len(value) > NAME_MAX_LENGTH:
        reader.error(
            "name",
            f"{name} is {len(value)} characters long; at most {NAME_MAX_LENGTH}.",
            "Shorten it.",
        )


SECTION = Section("register", parse_register, role="core")
