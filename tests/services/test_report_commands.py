"""``pos report`` and ``pos cash`` below the CLI: the lock, the manager's PIN, the blind count, the
Z printed by the lock holder, the X beside the open till."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.config import NetgiroSettings, RegisterSettings, Settings, TimingSettings
from pos.core.errors import InputError, PosError
from pos.core.sale import Sale
from pos.journal import Journal, sales
from pos.journal.audit import entries
from pos.people import PeopleFile, Person, hash_pin
from pos.services import report_commands
from pos.services.manager_auth import PinRejected
from pos.services.reports import ZRefused
from pos.services.wiring import register_lock


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    built = Settings(RegisterSettings(), NetgiroSettings(), TimingSettings(), data_dir=tmp_path)
    PeopleFile(built.people_file).add(Person("Anna", "manager", hash_pin("480263", log2_n=10)))
    return built


class Answers:
    """What the person types at each prompt, in order; the prompts are kept to check the order."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def a_cash_sale(settings: Settings, amount: int) -> None:
    with Journal(settings.journal_file) as journal:
        sale = Sale().add_open_price(amount, 24)
        sale_id = sales.save_sale(journal, "R1", sale)
        sales.take_cash(journal, sale_id, amount, amount)


def test_the_z_at_the_shell_asks_pin_then_the_count_and_prints_on_the_lock_holders_printer(
    settings: Settings,
) -> None:
    a_cash_sale(settings, 1990)
    said: list[str] = []
    float_answers = Answers("480263")
    moved = report_commands.move_cash_at_shell(settings, "Anna", float_answers, "float", 10_000, "")
    assert "with the key" in moved.drawer_problem  # the file printer has no drawer
    answers = Answers("480263", "11 900")
    closed = report_commands.close_z_at_shell(
        settings, "Anna", answers, void_open=False, say=said.append
    )
    assert answers.prompts == ["Anna's PIN: ", report_commands.COUNT_PROMPT]
    assert (closed.expected, closed.counted, closed.over_short) == (11_990, 11_900, -90)
    assert closed.backup is not None and closed.backup.parent == settings.data_dir / "z-backups"
    paper = (settings.data_dir / "receipts" / "report-000001.txt").read_text(encoding="utf-8")
    assert "Z-SKÝRSLA nr. 1" in paper
    assert report_commands.read_z(settings, 1)["cash"]["over_short"] == -90
    with Journal(settings.journal_file, read_only=True) as journal:
        actions = [row.action for row in entries(journal)]
    assert actions[-3:] == ["auth.entered", "z.closed", "auth.left"]


def test_the_z_is_refused_while_the_till_is_open_and_the_x_still_reads(
    settings: Settings,
) -> None:
    a_cash_sale(settings, 500)
    with register_lock(settings.data_dir):
        with pytest.raises(PosError, match="do it in manager mode"):
            report_commands.close_z_at_shell(
                settings, "Anna", Answers("480263", "500"), void_open=False, say=print
            )
        x = report_commands.read_x(settings)
    assert (x["kind"], x["total"], x["register"]) == ("X", 500, "R1")


def test_a_parked_sale_refuses_the_z_before_the_count_is_asked(settings: Settings) -> None:
    with Journal(settings.journal_file) as journal:
        sales.park_sale(journal, "R1", Sale().add_open_price(459, 11))
    answers = Answers("480263", "0")
    with pytest.raises(ZRefused, match="--void-open"):
        report_commands.close_z_at_shell(settings, "Anna", answers, void_open=False, say=print)
    assert answers.prompts == ["Anna's PIN: "]
    closed = report_commands.close_z_at_shell(
        settings, "Anna", Answers("480263", "0"), void_open=True, say=print
    )
    assert closed.voided and closed.counted == 0


def test_a_wrong_pin_or_count_closes_nothing(settings: Settings) -> None:
    with pytest.raises(PinRejected):
        report_commands.close_z_at_shell(
            settings, "Anna", Answers("000000", "0"), void_open=False, say=print
        )
    with pytest.raises(InputError, match="Nothing was closed"):
        report_commands.close_z_at_shell(
            settings, "Anna", Answers("480263", "12,50"), void_open=False, say=print
        )
    with pytest.raises(PosError, match="no Z report 1"):
        report_commands.read_z(settings, 1)


@pytest.mark.parametrize("typed", ["0", "00", "0.000", " 0 kr.", "0 kr"])
def test_an_empty_drawer_is_a_count(typed: str) -> None:
    assert report_commands.parse_count(typed) == 0


@pytest.mark.parametrize("typed", ["", "kr.", "0,5", "-0", "12,50"])
def test_a_count_that_is_not_whole_kronur_is_refused(typed: str) -> None:
    with pytest.raises(InputError):
        report_commands.parse_count(typed)
