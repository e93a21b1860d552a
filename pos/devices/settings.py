"""Pure parsers for the ``[printer]``, ``[scanner]`` and ``[receipt]`` config sections.

Each takes the section's TOML table and returns its settings (defaults for what is missing)
together with every problem found, as ``"section.key: what is wrong; what to do"`` lines. A
section with problems still returns usable defaults for the rest: device errors start the till
degraded with a banner, they never block a payment or recovery (TILL-CONTRACTS, Config).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from escpos.capabilities import CAPABILITIES

PrinterKind = Literal["file", "network", "usb", "serial"]
ScannerKind = Literal["keyboard", "serial"]
Suffix = Literal["CR", "LF", "CRLF"]
SUFFIX_BYTES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}
_PRINTER_KINDS = ("file", "network", "usb", "serial")
_MAX_PORT = 65535


@dataclass(frozen=True)
class PrinterSettings:
    """Which receipt printer, and how to reach it."""

    kind: PrinterKind = "file"
    folder: str = ""
    """file: where jobs are written; empty means the data dir's ``receipts/``."""
    host: str = ""
    port: int = 9100
    timeout_s: float = 5.0
    """Every device call gives up after this (python-escpos' own default is 60 s)."""
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    baud: int = 9600
    codepage: str = "CP850"
    profile: str = "default"
    qr: Literal["native", "image"] = "native"
    drawer_pin: int = 2
    drawer_on_ms: int = 100
    drawer_off_ms: int = 100
    drawer_realtime: bool = False
    """Kick with DLE DC4 (works while the printer is offline) instead of ESC p."""


@dataclass(frozen=True)
class ScannerSettings:
    """The barcode scanner: a keyboard wedge, or a serial port (name it by /dev/serial/by-id/…)."""

    kind: ScannerKind = "keyboard"
    port: str = ""
    baud: int = 9600
    suffix: Suffix = "CR"


@dataclass(frozen=True)
class ReceiptSettings:
    """The receipt's paper width in columns, and the folder of its header and footer templates."""

    width: int = 48
    templates: str = "receipts"


def parse_printer_section(table: Mapping[str, Any]) -> tuple[PrinterSettings, list[str]]:
    problems = _unknown_keys("printer", table, PrinterSettings)
    values = _typed_values("printer", table, PrinterSettings, problems)
    _check_printer(values, problems)
    return PrinterSettings(**values), problems


def parse_scanner_section(table: Mapping[str, Any]) -> tuple[ScannerSettings, list[str]]:
    problems = _unknown_keys("scanner", table, ScannerSettings)
    values = _typed_values("scanner", table, ScannerSettings, problems)
    _choice("scanner", "kind", values, ("keyboard", "serial"), problems)
    _choice("scanner", "suffix", values, tuple(SUFFIX_BYTES), problems)
    if values.get("kind") == "serial" and not values.get("port"):
        problems.append(
            "scanner.port: a serial scanner needs its port, e.g. /dev/serial/by-id/usb-…"
        )
    _positive("scanner", "baud", values, problems)
    return ScannerSettings(**values), problems


def parse_receipt_section(table: Mapping[str, Any]) -> tuple[ReceiptSettings, list[str]]:
    problems = _unknown_keys("receipt", table, ReceiptSettings)
    values = _typed_values("receipt", table, ReceiptSettings, problems)
    if "width" in values and values["width"] not in (32, 42, 48):
        problems.append(
            f"receipt.width: {values.pop('width')} columns; use 32 or 42 (58 mm) or 48 (80 mm)"
        )
    return ReceiptSettings(**values), problems


def templates_folder(settings: ReceiptSettings, config_dir: Path) -> Path:
    """The templates folder, read relative to the config file's folder."""
    folder = Path(settings.templates).expanduser()
    return folder if folder.is_absolute() else config_dir / folder


def profile_problems(profile: str, codepage: str) -> list[str]:
    """A profile python-escpos does not know, or one without the code page, is a config error."""
    profiles = CAPABILITIES["profiles"]
    if profile not in profiles:
        close = difflib.get_close_matches(profile, list(profiles), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return [f"printer.profile: {profile!r} is not a known printer profile{hint}"]
    pages = {name.upper() for name in profiles[profile].get("codePages", {}).values()}
    if codepage.upper() not in pages:
        return [
            f"printer.codepage: profile {profile!r} has no {codepage}; Icelandic letters would "
            "print as '?'. Choose a profile that lists it, or another code page it has"
        ]
    return []


# --- helpers ----------------------------------------------------------------------------------


def _check_printer(values: dict[str, Any], problems: list[str]) -> None:
    _choice("printer", "kind", values, _PRINTER_KINDS, problems)
    _choice("printer", "qr", values, ("native", "image"), problems)
    kind = values.get("kind", "file")
    required = {"network": ("host",), "usb": ("vendor_id", "product_id"), "serial": ("device",)}
    for key in required.get(kind, ()):
        if not values.get(key):
            problems.append(f"printer.{key}: a {kind} printer needs it")
    if not 0 < values.get("port", 9100) <= _MAX_PORT:
        problems.append(f"printer.port: {values.pop('port')} is not a TCP port (1 to 65535)")
    if not 0 < values.get("timeout_s", 5.0) <= 60:
        problems.append(f"printer.timeout_s: {values.pop('timeout_s')}; use 0.5 to 60 seconds")
    if values.get("drawer_pin", 2) not in (2, 5):
        problems.append(
            f"printer.drawer_pin: {values.pop('drawer_pin')}; the drawer is on pin 2 or 5"
        )
    for key in ("drawer_on_ms", "drawer_off_ms"):
        if not 2 <= values.get(key, 100) <= 510:
            problems.append(f"printer.{key}: {values.pop(key)}; use 2 to 510 ms")
    _positive("printer", "baud", values, problems)
    problems += profile_problems(values.get("profile", "default"), values.get("codepage", "CP850"))


def _unknown_keys(section: str, table: Mapping[str, Any], kind: type[Any]) -> list[str]:
    known = [f.name for f in fields(kind)]
    problems = []
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; known keys: {', '.join(known)}"
            problems.append(f"{section}.{key}: not a {section} setting{hint}")
    return problems


def _typed_values(
    section: str, table: Mapping[str, Any], kind: type[Any], problems: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in fields(kind):
        if spec.name not in table:
            continue
        value = _coerce(table[spec.name], spec.default)
        if value is None:
            wanted = type(spec.default).__name__.replace("str", "text").replace("float", "number")
            problems.append(f"{section}.{spec.name}: {table[spec.name]!r} is not {wanted}")
        else:
            values[spec.name] = value
    return values


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else None
    if isinstance(default, int):
        if isinstance(value, str) and value.lower().startswith("0x"):
            try:
                return int(value, 16)  # USB ids are written in hex
            except ValueError:
                return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok and math.isfinite(value) else None
    return value if isinstance(value, str) else None


def _choice(
    section: str, key: str, values: dict[str, Any], allowed: tuple[str, ...], problems: list[str]
) -> None:
    if key in values and values[key] not in allowed:
        problems.append(f"{section}.{key}: {values.pop(key)!r}; use one of {', '.join(allowed)}")


def _positive(section: str, key: str, values: dict[str, Any], problems: list[str]) -> None:
    if key in values and values[key] <= 0:
        problems.append(f"{section}.{key}: {values.pop(key)} must be above 0")
