"""The till screen's sections: ``[catalog]``, ``[vat]``, ``[discount]`` and ``[till]``.

All four only degrade the till (role "feature"): a mistake here shows a banner, keyed amounts
still work, and ``pos recover`` never minds them. The settings are the till model's own
dataclasses (``pos.core.till_settings``); ``till_settings(settings)`` gathers them.
"""

from __future__ import annotations

import math

from pos.config.reader import Reader
from pos.config.section import Section
from pos.config.settings import Settings
from pos.core.sale import DiscountLimit
from pos.core.till_settings import (
    MIN_RECOVERY_PERIOD_S,
    RATES_PROBLEM,
    CatalogSettings,
    TillSettings,
    VatSettings,
    valid_rates,
)
from pos.core.vat import VAT_RATES

MAX_DISCOUNT_AMOUNT = 10_000_000


def parse_catalog(reader: Reader) -> CatalogSettings:
    return CatalogSettings(reader.path("path"))


def parse_vat(reader: Reader) -> VatSettings:
    raw_rates = reader.raw("rates", "list")
    default = reader.whole("default", VAT_RATES[0])
    rates = VAT_RATES if raw_rates is None else valid_rates(raw_rates)
    if rates is None:
        reader.error("rates", f"{reader.name('rates')}: {RATES_PROBLEM}", "Write e.g. [24, 11, 0].")
        rates = VAT_RATES
    if default not in rates:
        reader.error(
            "default",
            f"{reader.name('default')} must be one of the rates {list(rates)}.",
            f"Use {rates[0]} (the general rate).",
        )
        default = rates[0]
    return VatSettings(default, rates)


def parse_discount(reader: Reader) -> DiscountLimit:
    defaults = DiscountLimit()
    percent = reader.whole("limit_percent", defaults.percent)
    amount = reader.whole("limit_amount", defaults.amount)
    if not 0 <= percent <= 100:
        reader.error("limit_percent", f"{reader.name('limit_percent')} is a percent, 0 to 100.", "")
        percent = defaults.percent
    if not 0 <= amount <= MAX_DISCOUNT_AMOUNT:
        reader.error(
            "limit_amount", f"{reader.name('limit_amount')} is krónur, 0 to 10.000.000.", ""
        )
        amount = defaults.amount
    return DiscountLimit(percent, amount)


def parse_till(reader: Reader) -> float:
    default = TillSettings.recovery_period_s
    period = reader.number("recovery_period_s", default)
    if not (math.isfinite(period) and period >= MIN_RECOVERY_PERIOD_S):
        reader.error(
            "recovery_period_s",
            f"{reader.name('recovery_period_s')} is seconds, at least {MIN_RECOVERY_PERIOD_S:g}.",
            f"Use the default {default:g}.",
        )
        period = default
    return period


CATALOG_SECTION = Section("catalog", parse_catalog, role="feature")
VAT_SECTION = Section("vat", parse_vat, role="feature")
DISCOUNT_SECTION = Section("discount", parse_discount, role="feature")
TILL_SECTION = Section("till", parse_till, role="feature")
SECTIONS = (CATALOG_SECTION, VAT_SECTION, DISCOUNT_SECTION, TILL_SECTION)


def till_settings(settings: Settings) -> TillSettings:
    """The till screen's settings as loaded (defaults for what the file leaves out)."""
    return TillSettings(
        catalog=settings.get(CATALOG_SECTION),
        vat=settings.get(VAT_SECTION),
        discount=settings.get(DISCOUNT_SECTION),
        recovery_period_s=settings.get(TILL_SECTION),
    )
