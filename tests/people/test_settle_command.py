"""`pos recover --settle`: the audit chain gets the settlement, and once managers exist only a
manager (name and PIN) settles."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from pos.cli import main
from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.journal.audit import entries

LINE = SaleLine("", "Vara", 1990, 1000, 1990)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n", encoding="utf-8")
    return path


def unknown_sale(data: Path) -> str:
    with Journal(data / "journal.sqlite3") as journal:
        sale_id = journal.create_sale("R1", [LINE])
        state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
        attempt = journal.begin_attempt(sale_id, "***-**81", state)
        lost = replace(attempt.state, phase=Phase.UNKNOWN_ABANDONED, live=False)
        journal.record(attempt.id, lost, event="InsertOutcomeUnknown", point="test.lost")
        return attempt.reference


def settle(config: Path, stdin: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["recover", "--config", str(config), *extra])


def settlements(data: Path) -> list[tuple[str, str]]:
    with Journal(data / "journal.sqlite3", read_only=True) as journal:
        return [(r.actor, r.action) for r in entries(journal) if "settle" in r.action]


def test_before_any_manager_exists_the_shell_user_settles_and_is_audited(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = unknown_sale(tmp_path / "data")
    args = ("--settle", reference, "unpaid", "--reason", "app shows nothing")
    assert settle(config, "", monkeypatch, *args) == 0
    [(actor, _action)] = settlements(tmp_path / "data")
    assert actor.startswith("shell:")


def test_once_managers_exist_only_a_manager_with_the_right_pin_settles(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = unknown_sale(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO("480263\n480263\n"))
    assert main(["manager", "add", "Anna", "--config", str(config)]) == 0
    args = ("--settle", reference, "paid", "--reason", "portal shows it paid")
    assert settle(config, "", monkeypatch, *args) == 2  # no --manager
    assert settle(config, "111111\n", monkeypatch, *args, "--manager", "Anna") == 2  # wrong PIN
    with Journal(tmp_path / "data" / "journal.sqlite3", read_only=True) as journal:
        assert journal.sale(1).status == "unknown"
    assert settle(config, "480263\n", monkeypatch, *args, "--manager", "Anna") == 0
    with Journal(tmp_path / "data" / "journal.sqlite3", read_only=True) as journal:
        assert journal.sale(1).status == "paid"
    [(actor, _action)] = settlements(tmp_path / "data")
    assert actor == "manager:Anna"


def test_a_reservation_netgiro_would_not_cancel_points_to_confirm_or_release() -> None:
    from pos.services.status import Unsettled, describe_unsettled

    def line(phase: Phase) -> str:
        return describe_unsettled(Unsettled(1, "manager", "S1-R1-ab-1-1", None, phase, 990, ""))

    assert "pos reservation confirm|release S1-R1-ab-1-1" in line(Phase.RESERVED_UNCHARGED)
    assert "pos recover --settle S1-R1-ab-1-1" in line(Phase.NEEDS_REVIEW)
