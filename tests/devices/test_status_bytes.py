"""Real-time status bytes to ok / fault(kind) / unknown: an empty or malformed reply is unknown."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.devices.status import OK, UNKNOWN, fault
from pos.devices.status_bytes import status_byte, status_from_replies


def test_empty_replies_are_unknown_not_paper_out() -> None:
    assert status_from_replies(b"", b"", b"") == UNKNOWN
    assert status_from_replies(b"\x16", b"", b"") == OK  # online, paper not reported


def test_a_byte_without_the_fixed_bits_is_not_a_status() -> None:
    assert (
        status_byte(b"\x00") is None
        and status_byte(b"\xff") is None
        and status_byte(b"\x12\x12") is None
    )
    assert status_from_replies(b"\x00", b"\x12", b"\x72") == UNKNOWN


def test_paper_end_cover_and_offline_are_named() -> None:
    assert status_from_replies(b"\x12", b"\x12", b"\x72") == fault("paper_out")
    assert status_from_replies(b"\x1a", b"\x16", b"\x12") == fault("cover_open")
    assert status_from_replies(b"\x1a", b"\x32", b"") == fault("paper_out")
    assert status_from_replies(b"\x1a", b"", b"") == fault("offline")


@settings(deadline=None)
@given(st.binary(max_size=3), st.binary(max_size=3), st.binary(max_size=3))
def test_any_reply_maps_to_one_of_the_three_states(a: bytes, b: bytes, c: bytes) -> None:
    assert status_from_replies(a, b, c).state in ("ok", "fault", "unknown")
