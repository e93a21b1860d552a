"""A refund whose answer was lost (REFUND_UNKNOWN) is listed by `pos journal` and `pos recover`
with what to do, as unsettled payments are (found by a hostile pass: `pos recover` said "No
open payment attempts." and exited 0 while a refund waited for a manager)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import load_settings
from pos.journal import Journal
from pos.journal.refunds import finish_refund, request_refund
from tests.services.refund_support import journal_paid_sale

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n", encoding="utf-8")
    with Journal(load_settings(path, need_secret=False).journal_file) as journal:
        sale = journal_paid_sale(journal, "0f4c2a8e-1111-4a4a-9b9b-123456789abc")
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
    return path


def test_pos_journal_lists_an_unknown_refund_with_what_to_do(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "--config", str(config)]) == 0
    said = capsys.readouterr().out
    assert "REFUND UNKNOWN  refund 1  sale 1" in said
    assert "`pos refund settle 1 done|failed --portal … --manager NAME`" in said


def test_pos_recover_lists_an_unknown_refund_in_words_and_json(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recover", "--config", str(config)]) == 0
    assert "REFUND UNKNOWN  refund 1  sale 1" in capsys.readouterr().out
    assert main(["recover", "--json", "--config", str(config)]) == 0
    listed = json.loads(capsys.readouterr().out)["refunds_unknown"]
    assert listed == [{"refund": 1, "sale_id": 1, "amount": 500}]
