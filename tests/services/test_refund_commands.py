"""`pos refund send|settle|list` and `pos manager unlock` from the shell, with the embedded sandbox:
a manager's name and PIN, the register lock, exit codes that say what happened."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import load_settings
from pos.journal import Journal, sales
from pos.journal.audit import entries, verify
from pos.journal.refunds import finish_refund, request_refund
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.people import PeopleFile, Person, hash_pin
from pos.services.wiring import register_lock
from tests.services.refund_support import found_reservation, journal_paid_sale, paid_cart

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n", encoding="utf-8")
    return path


@pytest.fixture
def sale(config: Path) -> int:
    """A sale paid through the embedded sandbox's state file, and two managers."""
    settings = load_settings(config, need_secret=False)
    with RunningSandbox(SandboxSettings(state_file=settings.sandbox_state_file, port=0)) as box:
        transaction_id = asyncio.run(paid_cart(box))
    people = PeopleFile(settings.people_file)
    people.add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    people.add(Person("Bjarni", "manager", hash_pin("739154", log2_n=10)))
    with Journal(settings.journal_file) as journal:
        return journal_paid_sale(journal, transaction_id)


def pos(config: Path, stdin: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*argv, "--config", str(config)])


def journal_of(config: Path) -> Journal:
    return Journal(load_settings(config, need_secret=False).journal_file, read_only=True)


def test_a_manager_refunds_from_the_shell_and_lists_it(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    send = ("refund", "send", str(sale), "990", "--reason", "Returned", "--manager", "Anna")
    assert pos(config, "480263\n", monkeypatch, *send, "--json") == 0
    (done,) = json.loads(capsys.readouterr().out)
    assert (done["status"], done["amount"], done["manager"]) == ("DONE", 990, "manager:Anna")
    assert pos(config, "", monkeypatch, "refund", "list") == 0
    assert "DONE" in capsys.readouterr().out
    with journal_of(config) as journal:
        assert [row.action for row in entries(journal)] == [
            "auth.entered",
            "refund.requested",
            "refund.done",
            "auth.left",
        ]
        assert verify(journal).ok


def test_a_wrong_pin_refunds_nothing_and_is_audited(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    send = ("refund", "send", str(sale), "990", "--reason", "Returned", "--manager", "Anna")
    assert pos(config, "000001\n", monkeypatch, *send) == 2
    assert "Wrong PIN. 9 tries left" in capsys.readouterr().err
    with journal_of(config) as journal:
        assert [row.action for row in entries(journal)] == ["auth.pin_failed"]


def test_refused_while_the_till_is_open(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    send = ("refund", "send", str(sale), "990", "--reason", "Returned", "--manager", "Anna")
    with register_lock(load_settings(config, need_secret=False).data_dir):
        assert pos(config, "480263\n", monkeypatch, *send) == 2
        assert pos(config, "", monkeypatch, "refund", "list") == 0  # read-only: works
    err = capsys.readouterr().err
    assert "The till is open (pid" in err and "manager mode (F9)" in err


def test_an_unknown_refund_is_settled_from_the_shell(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Journal(load_settings(config, need_secret=False).journal_file) as journal:
        asked = request_refund(
            journal,
            sale_id=sale,
            amount=500,
            reason="Returned",
            manager="manager:Anna",
            idempotency_key="k-1",
            at=T0,
        )
        finish_refund(journal, asked.id, "REFUND_UNKNOWN", "answer lost", at=T0)
    settle = ("refund", "settle", str(asked.id), "failed", "--portal", "Portal: no refund")
    assert pos(config, "739154\n", monkeypatch, *settle, "--manager", "Bjarni", "--json") == 0
    (settled,) = json.loads(capsys.readouterr().out)
    assert (settled["status"], settled["settled_by"]) == ("FAILED", "manager:Bjarni")


def test_a_locked_manager_is_unlocked_by_another_from_the_shell(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    send = ("refund", "send", str(sale), "990", "--reason", "Returned", "--manager", "Anna")
    for _ in range(10):
        assert pos(config, "000001\n", monkeypatch, *send) == 2
    assert pos(config, "480263\n", monkeypatch, *send) == 2
    assert "Anna is locked" in capsys.readouterr().err
    unlock = ("manager", "unlock", "Anna", "--manager", "Bjarni")
    assert pos(config, "739154\n", monkeypatch, *unlock) == 0
    assert pos(config, "480263\n", monkeypatch, *send) == 0


def test_a_found_reservation_is_confirmed_from_the_shell(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(config, need_secret=False)
    with (
        RunningSandbox(SandboxSettings(state_file=settings.sandbox_state_file, port=0)) as box,
        Journal(settings.journal_file) as journal,
    ):
        reference = asyncio.run(found_reservation(box, journal))
    confirm = ("reservation", "confirm", reference, "--manager", "Anna")
    assert pos(config, "480263\n", monkeypatch, *confirm) == 0
    assert f"{reference}: PAID" in capsys.readouterr().out
    with journal_of(config) as journal:
        attempt = journal.attempt_by_reference(reference)
        assert attempt is not None and journal.sale(attempt.sale_id).status == "paid"
        assert "reservation.confirm" in [row.action for row in entries(journal)]


def test_a_manager_refunds_a_line_by_the_scanned_receipt_code_and_the_slip_prints(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with journal_of(config) as journal:
        code = f"S1-R1-R{sales.load_sale(journal, sale).receipt_no}"
    send = ("refund", "send", "--receipt", code, "--line", "1:0,5", "--reason", "Skilað")
    assert pos(config, "480263\n", monkeypatch, *send, "--manager", "Anna", "--json") == 0
    out, err = capsys.readouterr()
    slip = json.loads(out)
    assert [(r["tender"], r["amount"], r["status"]) for r in slip["refunds"]] == [
        ("netgiro", 995, "DONE")
    ]
    assert "printed" in err
    with journal_of(config) as journal:
        actions = [row.action for row in entries(journal)]
        assert actions == ["auth.entered", "refund.requested", "refund.done", "auth.left"]
        assert verify(journal).ok
    # half of the line is left: asking for the whole line is refused before anything is sent
    again = ("refund", "send", "--receipt", code, "--line", "1:1", "--reason", "Skilað")
    assert pos(config, "480263\n", monkeypatch, *again, "--manager", "Anna") == 2
    assert "more than is left" in capsys.readouterr().err
    rest = ("refund", "send", "--receipt", code, "--line", "1", "--reason", "Skilað")
    assert pos(config, "480263\n", monkeypatch, *rest, "--manager", "Anna") == 0
    assert "netgiro 995 kr.  DONE" in capsys.readouterr().out


def test_a_refund_names_either_lines_or_an_amount(
    config: Path, sale: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    both = ("refund", "send", str(sale), "990", "--receipt", "1", "--line", "1", "--reason", "x")
    assert pos(config, "", monkeypatch, *both, "--manager", "Anna") == 2
    assert "not both" in capsys.readouterr().err
    neither = ("refund", "send", "--reason", "x", "--manager", "Anna")
    assert pos(config, "", monkeypatch, *neither) == 2
    assert "Name what to refund" in capsys.readouterr().err
