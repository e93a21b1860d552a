"""A manager changes a counter setting in the till: written by the config writer, audited with old
and new values; other keys and cashiers are refused, and the file is left as it was."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.journal import Journal
from pos.journal.audit import entries, verify
from pos.people import PeopleFile, Person, hash_pin
from pos.services.manager_auth import ManagerAuth, NeedsManager
from pos.services.manager_settings import NotACounterSetting, change_setting

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CONFIG = """# the register
[netgiro]
confirmation = "manual"   # safest

[timing]
deadline_s = 180
"""


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def auth(tmp_path: Path, journal: Journal) -> ManagerAuth:
    people = PeopleFile(tmp_path / "people.json")
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Jón", "cashier", hash_pin("4826", log2_n=10)))
    return ManagerAuth(people, journal, clock=lambda: T0)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_a_manager_changes_the_confirmation_and_the_deadline(
    auth: ManagerAuth, journal: Journal, config: Path
) -> None:
    anna = auth.enter_manager_mode("Anna", "480263")
    change_setting(auth, anna, config, "netgiro.confirmation", "automatic")
    change_setting(auth, anna, config, "timing.deadline_s", "90.5")
    written = tomllib.loads(config.read_text(encoding="utf-8"))
    assert written["netgiro"]["confirmation"] == "automatic"
    assert written["timing"]["deadline_s"] == 90.5
    assert "# safest" in config.read_text(encoding="utf-8")  # comments kept
    changed = [row for row in entries(journal) if row.action == "config.changed"]
    assert [(r.actor, r.details["key"], r.details["old"], r.details["new"]) for r in changed] == [
        ("manager:Anna", "netgiro.confirmation", "manual", "automatic"),
        ("manager:Anna", "timing.deadline_s", 180, "90.5"),
    ]
    assert verify(journal).ok


def test_other_keys_and_cashiers_are_refused_and_nothing_written(
    auth: ManagerAuth, config: Path
) -> None:
    anna = auth.enter_manager_mode("Anna", "480263")
    with pytest.raises(NotACounterSetting, match="pos config set"):
        change_setting(auth, anna, config, "netgiro.base_url", "https://evil.example/v1/")
    shift = auth.sign_in_cashier("Jón", "4826")
    with pytest.raises(NeedsManager):
        change_setting(auth, shift, config, "netgiro.confirmation", "automatic")
    assert config.read_text(encoding="utf-8") == CONFIG
