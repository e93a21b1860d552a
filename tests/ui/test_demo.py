"""Demo mode: a QR code only for an address a phone can reach; loopback stays text."""

from __future__ import annotations

from pos.ui.demo import DemoInfo, qr_lines


def test_loopback_and_localhost_are_text_only() -> None:
    for url in ("http://127.0.0.1:8765/customer/", "http://localhost:8765/customer/"):
        assert not DemoInfo(url).phone_can_reach


def test_a_lan_address_gets_a_qr_code() -> None:
    assert DemoInfo("http://192.168.1.20:8765/customer/").phone_can_reach


def test_the_qr_code_is_square_half_blocks() -> None:
    lines = qr_lines("http://192.168.1.20:8765/customer/")
    assert len({len(line) for line in lines}) == 1
    assert len(lines[0]) >= 2 * len(lines) - 1  # two modules per character row
    assert set("".join(lines)) <= set("█▀▄ ")
