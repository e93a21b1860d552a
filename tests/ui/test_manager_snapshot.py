"""An SVG snapshot of the manager screen (F9) at 80×24, with what the till could not settle.

The journal's id is fixed before any payment so the References on screen are the same every
run; the clocks are frozen as in test_snapshots.py. Update on purpose only (``--snapshot-update``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from pos.core.checkout import Phase
from pos.journal import Journal
from tests.services.refund_support import found_reservation

from .conftest import Counter, screen_text, until
from .test_manager_mode import (
    add_people,
    enter_manager_mode,
    journal_attempt_ended_in,
    people_app,
    until_sale_screen,
)

SnapCompare = Callable[..., bool]


def fixed_journal_id(counter: Counter) -> None:
    counter.data_dir.mkdir(parents=True, exist_ok=True)
    with Journal(counter.settings.journal_file):
        pass
    db = sqlite3.connect(counter.settings.journal_file)
    with db:
        db.execute("UPDATE meta SET value = '0badcafe' WHERE key = 'journal_id'")
    db.close()


def test_the_manager_screen(snap_compare: SnapCompare, counter: Counter) -> None:
    fixed_journal_id(counter)
    journal_attempt_ended_in(counter, Phase.NEEDS_REVIEW)
    journal_attempt_ended_in(counter, Phase.UNKNOWN_ABANDONED)
    with Journal(counter.settings.journal_file) as journal:
        asyncio.run(found_reservation(counter.sandbox, journal))
    add_people(counter, cashier=False)
    app = people_app(counter, monotonic=lambda: 1000.0)
    seen: list[str] = []

    async def run_before(pilot: Pilot[Any]) -> None:
        await until_sale_screen(pilot, app)
        await enter_manager_mode(pilot, app)
        await until(pilot, lambda: "frátekið" in screen_text(app))
        await pilot.pause(0.2)
        seen.append(screen_text(app))

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    text = seen[0]
    for words in (
        "Stjórnandi: Anna",
        "svör Netgíró stangast á",
        "óvíst, spyrja viðskiptavin",
        "frátekið, ekki greitt",
        "F2 Greitt",
        "F4 Staðfesta",
        "F6 Skúffa",
        "Esc Hætta",
    ):
        assert words in text, words
