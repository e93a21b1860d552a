"""The audit log on real SQLite files: append-only, hash-chained, never forked, tampering found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pos.cli import main
from pos.core.checkout import CustomerKind, Phase, start
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine, migrations, migrator
from pos.journal.audit import (
    GENESIS,
    AuditError,
    append_audit,
    canonical_json,
    chain_head,
    chain_settlements,
    entries,
    verify,
)
from pos.journal.schema import SCHEMA

LINE = SaleLine("123", "Kaffi", 450, 2000, 900)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "journal.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[Journal]:
    with Journal(path) as opened:
        yield opened


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and sqlite3 could do: drop the triggers, then change rows."""
    db = sqlite3.connect(path)
    try:
        db.execute("DROP TRIGGER audit_is_append_only_update")
        db.execute("DROP TRIGGER audit_is_append_only_delete")
        for statement in statements:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


def config_for(path: Path) -> Path:
    config = path.parent.parent / "register.toml"
    config.write_text(f"[paths]\ndata_dir = '{path.parent}'\n", encoding="utf-8")
    return config


def test_each_row_hashes_the_previous_hash_and_its_canonical_json(journal: Journal) -> None:
    first = append_audit(journal, "manager:Anna", "auth.entered", {"register": "R1"})
    second = append_audit(journal, "manager:Anna", "refund.requested", {"amount": 990, "ð": "á"})
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert second.prev_hash == first.hash
    canonical = (
        '{"action":"refund.requested","actor":"manager:Anna","at":"'
        + second.at
        + '","details":{"amount":990,"ð":"á"},"seq":2,"source":null}'
    ).encode()
    assert (
        canonical_json(
            {
                "seq": 2,
                "at": second.at,
                "actor": "manager:Anna",
                "action": "refund.requested",
                "details": {"ð": "á", "amount": 990},
                "source": None,
            }
        )
        == canonical
    )
    assert second.hash == hashlib.sha256(first.hash.encode() + canonical).hexdigest()
    head = chain_head(journal)
    assert head is not None and head.hash == second.hash


def test_the_triggers_refuse_update_and_delete(journal: Journal, path: Path) -> None:
    append_audit(journal, "manager:Anna", "auth.entered", {})
    db = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit SET actor = 'manager:Eve'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM audit")
    finally:
        db.close()
    assert verify(journal).ok


@pytest.mark.parametrize(
    ("details", "said"),
    [
        ({"pin": "480263"}, "never hold"),
        ({"nested": {"Secret_Key": "x"}}, "never hold"),
        ({"amount": 9.9}, "float"),
        ({"when": object()}, "use JSON values"),
    ],
)
def test_details_that_could_leak_or_drift_are_refused(
    journal: Journal, details: dict[str, object], said: str
) -> None:
    with pytest.raises(AuditError, match=said):
        append_audit(journal, "manager:Anna", "x", details)
    assert chain_head(journal) is None


def test_two_writers_never_fork_the_chain(path: Path) -> None:
    Journal(path).close()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with Journal(path) as own:
                for n in range(40):
                    append_audit(own, f"manager:{name}", "tick", {"n": n})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("Anna", "Bjarni")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Journal(path, read_only=True) as reader:
        report = verify(reader)
        assert report.ok and report.rows == 80
        rows = entries(reader)
    assert [row.seq for row in rows] == list(range(1, 81))
    assert len({row.prev_hash for row in rows}) == 80  # no two rows claim one parent


def test_an_edited_row_is_found_and_named(journal: Journal, path: Path) -> None:
    for n in range(5):
        append_audit(journal, "manager:Anna", "refund.requested", {"amount": 100 + n})
    tamper(path, "UPDATE audit SET details = '{\"amount\":1}' WHERE seq = 3")
    report = verify(journal)
    assert not report.ok
    assert report.broken_at == 3
    assert "Row 3 was changed" in report.problem
    assert set(report.missing_triggers) == {
        "audit_is_append_only_update",
        "audit_is_append_only_delete",
    }


def test_a_rewritten_hash_breaks_the_next_link(journal: Journal, path: Path) -> None:
    for n in range(4):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    tamper(path, "UPDATE audit SET hash = 'ab' || substr(hash, 3) WHERE seq = 2")
    report = verify(journal)
    assert report.broken_at == 2  # its own hash no longer matches its content


def test_a_deleted_middle_row_is_found(journal: Journal, path: Path) -> None:
    for n in range(4):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    tamper(path, "DELETE FROM audit WHERE seq = 2")
    report = verify(journal)
    assert report.broken_at == 3
    assert "Row 2 is missing" in report.problem


def test_deleted_tail_rows_are_found_only_with_the_head_from_a_z(
    journal: Journal, path: Path
) -> None:
    for n in range(6):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    head_at_z = chain_head(journal)
    assert head_at_z is not None
    tamper(path, "DELETE FROM audit WHERE seq > 4")
    left = verify(journal)
    assert left.broken_at is None and left.problem == ""  # the rest still links up
    report = verify(journal, head_at_z.hash[:16].upper())
    assert not report.ok
    assert "not in the chain" in report.problem


def test_a_head_from_an_older_z_is_found_in_a_longer_chain(journal: Journal) -> None:
    for n in range(3):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    head_at_z = chain_head(journal)
    assert head_at_z is not None
    append_audit(journal, "manager:Anna", "tick", {"n": 3})
    report = verify(journal, head_at_z.hash)
    assert report.ok and report.head_seq == 3 and report.rows == 4
    with pytest.raises(AuditError, match="hex digits"):
        verify(journal, "xyz")


def test_pos_audit_verify_beside_the_open_till(
    journal: Journal, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(path)
    for n in range(6):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    head = chain_head(journal)
    assert head is not None
    assert main(["audit", "verify", "--config", str(config)]) == 0  # the journal is open here
    assert "The audit chain holds: 6 rows" in capsys.readouterr().out
    tamper(path, "DELETE FROM audit WHERE seq > 5")
    assert main(["audit", "verify", "--config", str(config)]) == 2  # the dropped triggers
    assert main(["audit", "verify", "--head", head.hash, "--config", str(config)]) == 2
    out = capsys.readouterr().out
    assert "BROKEN: The head from the Z" in out
    tamper_update = "UPDATE audit SET actor = 'manager:Eve' WHERE seq = 2"
    db = sqlite3.connect(path)
    db.execute(tamper_update)
    db.commit()
    db.close()
    assert main(["audit", "verify", "--json", "--config", str(config)]) == 2
    shown = json.loads(capsys.readouterr().out)
    assert shown["broken_at"] == 2 and shown["ok"] is False


def test_verify_on_a_journal_without_an_audit_log_says_how_to_upgrade(path: Path) -> None:
    make_journal_at(path, 3)
    with Journal(path, read_only=True) as old, pytest.raises(AuditError, match="upgrade"):
        verify(old)


# --- settlements ---------------------------------------------------------------------------


def make_journal_at(path: Path, version: int) -> None:
    """A journal as an older till left it: the base schema and the steps up to ``version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        for statement in migrator._statements(SCHEMA):
            db.execute(statement)
        for step in migrations.steps():
            if step.version <= version:
                step.apply(db)
        migrator._set_version(db, version)
        db.execute("COMMIT")
    finally:
        db.close()


def unknown_attempt(journal: Journal) -> str:
    sale = journal.create_sale("R1", [LINE])
    state = start(CustomerKind.GSM, ConfirmationType.AUTOMATIC)[0]
    attempt = journal.begin_attempt(sale, "***-**81", state)
    journal.record(
        attempt.id,
        replace(state, phase=Phase.UNKNOWN_ABANDONED, live=False),
        event="lost",
        point="test.lost",
    )
    return attempt.reference


def test_the_migration_copies_settlements_written_before_it(path: Path) -> None:
    make_journal_at(path, 3)
    # An older till: settle two payments with the code of its day (no audit table yet).
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO sales (id, register_id, total, status, created_at) "
        "VALUES (1, 'R1', 900, 'paid', '2026-11-30T10:00:00.000+00:00')"
    )
    db.execute(
        "INSERT INTO attempts (id, sale_id, attempt_no, reference, amount, customer_masked, "
        "phase, live, transaction_id, state_json, created_at, updated_at) VALUES "
        "(1, 1, 1, 'S1-R1-0a0b0c0d-1-1', 900, '***-**81', 'UNKNOWN_ABANDONED', 0, NULL, '{}', "
        "'2026-11-30T10:00:00.000+00:00', '2026-11-30T10:00:00.000+00:00')"
    )
    for event_id, event, note in [
        (1, "start", ""),
        (2, "settled_paid", "settled paid by lead: the app showed it paid"),
    ]:
        db.execute(
            "INSERT INTO attempt_events (id, attempt_id, at, crash_point, event, phase, note) "
            "VALUES (?, 1, '2026-11-30T10:05:00.000+00:00', 'journal.settled', ?, "
            "'UNKNOWN_ABANDONED', ?)",
            (event_id, event, note),
        )
    db.commit()
    db.close()
    with Journal(path) as upgraded:
        rows = entries(upgraded)
        assert [(r.actor, r.action, r.source) for r in rows] == [
            ("lead", "sale.settled", "attempt_events:2")
        ]
        assert rows[0].details["reason"] == "the app showed it paid"
        assert rows[0].details["outcome"] == "paid"
        assert rows[0].at == "2026-11-30T10:05:00.000+00:00"
        assert chain_settlements(upgraded) == 0  # chained once, however often it runs
        assert verify(upgraded).ok


def test_a_settlement_made_now_is_chained_once(journal: Journal) -> None:
    reference = unknown_attempt(journal)
    journal.settle(reference, "unpaid", "the app showed nothing", "manager:Anna")
    assert chain_settlements(journal) == 1
    assert chain_settlements(journal) == 0
    (row,) = entries(journal)
    assert (row.actor, row.details["reference"], row.details["outcome"]) == (
        "manager:Anna",
        reference,
        "unpaid",
    )


def test_pos_audit_show_lists_the_newest_rows(
    journal: Journal, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(path)
    for n in range(5):
        append_audit(journal, "manager:Anna", "tick", {"n": n})
    assert main(["audit", "show", "--limit", "2", "--json", "--config", str(config)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(row["seq"], row["details"]) for row in shown] == [(4, {"n": 3}), (5, {"n": 4})]
    assert main(["audit", "show", "--config", str(config)]) == 0
    assert capsys.readouterr().out.count("manager:Anna") == 5
