"""Builds the TillApp from the register's settings: the one factory the CLI and tests share.

``language``, ``[keymap]``, ``[catalog]``, ``[vat]``, ``[discount]`` and ``[till]`` all come from
the loader; problems in any of them start the till with a banner, never block it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from pos.config import Settings, keymap, language
from pos.config.scanner import SECTION as SCANNER
from pos.config.till import till_settings
from pos.core.till_settings import CatalogSettings, TillSettings
from pos.core.ui_settings import UiSettings
from pos.journal import Journal
from pos.services.devices import scanner_from_settings
from pos.services.printing import PrintQueue
from pos.services.receipts import configured_printer, receipt_format
from pos.services.till_catalog import load_catalog
from pos.services.till_session import TillSession, open_till_session
from pos.ui.app import TillApp
from pos.ui.context import ScreenSettings
from pos.ui.widgets.status_bar import StatusFacts

EXAMPLE_CATALOG = Path(__file__).parents[2] / "config" / "catalog.example.csv"


def demo_catalog(till_settings: TillSettings) -> TillSettings:
    """With no config at all (demo mode), the example catalog, so scans work out of the box."""
    if till_settings.catalog.path is not None or not EXAMPLE_CATALOG.is_file():
        return till_settings
    return replace(till_settings, catalog=CatalogSettings(EXAMPLE_CATALOG))


def receipt_printing(settings: Settings) -> Callable[[Journal], PrintQueue]:
    """The print queue ``pos pay`` uses: the [printer] of the config, the [receipt] format."""
    printer = configured_printer(settings)
    fmt = receipt_format(settings)
    return lambda journal: PrintQueue(journal, printer, fmt)


def build_app(settings: Settings, **overrides: Any) -> TillApp:
    """A TillApp on the register's settings; ``overrides`` replace ScreenSettings fields."""
    till = till_settings(settings)
    problems = [str(problem) for problem in (*settings.degraded, *settings.warnings)]
    ui = UiSettings(settings.get(language.SECTION), settings.get(keymap.SECTION))
    if settings.source is None:
        till = demo_catalog(till)
    catalog, catalog_problems = load_catalog(till)
    problems.extend(catalog_problems)
    register = settings.register
    screen = ScreenSettings(
        ui=ui,
        deadline_s=settings.timing.deadline_s,
        sandbox_mode=settings.sandbox_mode,
        demo_from_sandbox=settings.is_embedded_sandbox,
        problems=tuple(problems),
        facts=StatusFacts(
            register.store_id,
            register.register_id,
            settings.sandbox_mode,
            scanner="unknown" if settings.get(SCANNER).kind == "serial" else "keyboard",
        ),
        vat_rates=till.vat.rates,
        people_file=settings.people_file,
        config_file=settings.source,
    )
    scanner = settings.get(SCANNER)
    defaults = {
        "print_queue": receipt_printing(settings),
        "serial_scanner": lambda: scanner_from_settings(scanner),
    }
    screen = replace(screen, **{**defaults, **overrides})

    @asynccontextmanager
    async def open_session() -> AsyncIterator[TillSession]:
        async with open_till_session(settings, till, catalog) as session:
            yield session

    return TillApp(open_session, screen)
