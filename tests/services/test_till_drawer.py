"""The till's cash drawer is the one on the configured printer: a cash sale's kick reaches it."""

from __future__ import annotations

import time
from pathlib import Path

from pos.config import load_settings
from pos.services.till_session import _configured_drawer
from tests.devices.loopback_printer import loopback_printer


def config(tmp_path: Path, printer: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n\n{printer}", encoding="utf-8")
    return path


def test_the_file_printer_has_no_drawer(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "[printer]\nkind = 'file'\n"), need_secret=False)
    assert _configured_drawer(settings) is None


def test_a_network_printers_drawer_gets_the_kick(tmp_path: Path) -> None:
    with loopback_printer() as listener:
        printer = f"[printer]\nkind = 'network'\nhost = '127.0.0.1'\nport = {listener.port}\n"
        settings = load_settings(config(tmp_path, printer), need_secret=False)
        drawer = _configured_drawer(settings)
        assert drawer is not None
        opened, why = drawer.kick()
        deadline = time.monotonic() + 5
        while not listener.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert opened, why
        assert b"\x1bp" in b"".join(listener.received)  # ESC p: pulse the drawer pin
