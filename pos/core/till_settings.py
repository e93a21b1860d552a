"""The till screen's config sections, parsed from TOML tables into typed settings. Pure.

Sections (all optional; the lead wires them into the config loader):

    [catalog]
    path = "catalog.csv"          # relative to the config file's folder; no path: no catalog

    [vat]
    default = 24                  # the rate of an open-price line unless another is chosen
    rates = [24, 11, 0]           # the rates this till offers, in key order

    [discount]
    limit_percent = 20            # a cashier's discount may not pass either limit;
    limit_amount = 5000           # above them it needs manager mode

    [till]
    recovery_period_s = 180       # periodic recovery while the till is open

Errors here start the till degraded (TILL-CONTRACTS: Config sections), so the parser never
raises: it returns the defaults for what it cannot read, and a list of problems to show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos.core.sale import DiscountLimit
from pos.core.vat import VAT_RATES

KNOWN_RATES = frozenset(VAT_RATES)
MIN_RECOVERY_PERIOD_S = 10.0


@dataclass(frozen=True)
class CatalogSettings:
    path: Path | None = None


@dataclass(frozen=True)
class VatSettings:
    default_rate: int = 24
    rates: tuple[int, ...] = VAT_RATES


@dataclass(frozen=True)
class TillSettings:
    catalog: CatalogSettings = field(default_factory=CatalogSettings)
    vat: VatSettings = field(default_factory=VatSettings)
    discount: DiscountLimit = field(default_factory=DiscountLimit)
    recovery_period_s: float = 180.0


def parse_till_sections(
    data: dict[str, Any], config_dir: Path | None = None
) -> tuple[TillSettings, list[str]]:
    """``[catalog]``, ``[vat]``, ``[discount]`` and ``[till]`` of a parsed TOML document."""
    problems: list[str] = []
    settings = TillSettings(
        catalog=parse_catalog_section(_table(data, "catalog", problems), config_dir, problems),
        vat=parse_vat_section(_table(data, "vat", problems), problems),
        discount=parse_discount_section(_table(data, "discount", problems), problems),
        recovery_period_s=_recovery_period(_table(data, "till", problems), problems),
    )
    return settings, problems


def parse_catalog_section(
    table: dict[str, Any], config_dir: Path | None, problems: list[str]
) -> CatalogSettings:
    _refuse_unknown("catalog", table, {"path"}, problems)
    raw = table.get("path")
    if raw is None:
        return CatalogSettings()
    if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
        problems.append(
            '[catalog] path: give the catalog file\'s path as text, e.g. "catalog.csv".'
        )
        return CatalogSettings()
    path = Path(raw).expanduser()
    if not path.is_absolute() and config_dir is not None:
        path = config_dir / path
    return CatalogSettings(path)


RATES_PROBLEM = "a list of different rates from 24, 11 and 0, e.g. [24, 11, 0]; using [24, 11, 0]."


def valid_rates(value: Any) -> tuple[int, ...] | None:
    """``[vat] rates`` as a tuple, or None when it is not a list of different known rates."""
    if (
        isinstance(value, list)
        and value
        and all(_is_int(r) and r in KNOWN_RATES for r in value)
        and len(set(value)) == len(value)
    ):
        return tuple(value)
    return None


def parse_vat_section(table: dict[str, Any], problems: list[str]) -> VatSettings:
    _refuse_unknown("vat", table, {"default", "rates"}, problems)
    rates = valid_rates(table.get("rates", list(VAT_RATES)))
    if rates is None:
        problems.append(f"[vat] rates: {RATES_PROBLEM}")
        rates = VAT_RATES
    default = table.get("default", rates[0])
    if not (_is_int(default) and default in rates):
        problems.append(f"[vat] default: one of the rates {list(rates)}; using {rates[0]}.")
        default = rates[0]
    return VatSettings(default, rates)


def parse_discount_section(table: dict[str, Any], problems: list[str]) -> DiscountLimit:
    _refuse_unknown("discount", table, {"limit_percent", "limit_amount"}, problems)
    defaults = DiscountLimit()
    percent = _int_in(table, "discount", "limit_percent", 0, 100, defaults.percent, problems)
    amount = _int_in(table, "discount", "limit_amount", 0, 10_000_000, defaults.amount, problems)
    return DiscountLimit(percent, amount)


def _recovery_period(table: dict[str, Any], problems: list[str]) -> float:
    _refuse_unknown("till", table, {"recovery_period_s"}, problems)
    default = TillSettings.recovery_period_s
    value = table.get("recovery_period_s", default)
    ok: Callable[[Any], bool] = lambda v: (  # noqa: E731
        isinstance(v, int | float)
        and not isinstance(v, bool)
        and math.isfinite(v)
        and v >= MIN_RECOVERY_PERIOD_S
    )
    if not ok(value):
        problems.append(
            f"[till] recovery_period_s: seconds, at least {MIN_RECOVERY_PERIOD_S:g}; using {default:g}."
        )
        return default
    return float(value)


def _table(data: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        problems.append(f"[{name}] must be a table; using its defaults.")
        return {}
    return table


def _refuse_unknown(
    section: str, table: dict[str, Any], known: set[str], problems: list[str]
) -> None:
    for key in sorted(set(table) - known):
        problems.append(f"[{section}] {key}: unknown key (known: {', '.join(sorted(known))}).")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in(
    table: dict[str, Any],
    section: str,
    key: str,
    low: int,
    high: int,
    default: int,
    problems: list[str],
) -> int:
    value = table.get(key, default)
    if _is_int(value) and low <= value <= high:
        return int(value)
    problems.append(f"[{section}] {key}: a whole number from {low} to {high}; using {default}.")
    return default
