"""The message catalogs: same keys and placeholders in both; Icelandic really translated; no
literal words in the screen's code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pos.ui.text import load_messages, placeholders

UI = Path(__file__).parents[2] / "pos" / "ui"
# Equal in both languages on purpose: names, symbols and international words.
SAME_ALLOWED = {
    "keys.sale.netgiro",
    "status.where",
    "payment.understood",
    "error.other",
    "startup.recovered",
    "payment.kind.ssn",  # "Kennitala" is the word in English too
}


def test_both_catalogs_have_the_same_keys() -> None:
    icelandic, english = load_messages("is"), load_messages("en")
    assert icelandic.keys() == english.keys()


@pytest.mark.parametrize("key", sorted(load_messages("is").keys()))
def test_each_entry_has_the_same_placeholders_in_both(key: str) -> None:
    icelandic, english = load_messages("is"), load_messages("en")
    assert placeholders(icelandic.raw(key)) == placeholders(english.raw(key))


def test_icelandic_is_not_english_outside_a_short_allowlist() -> None:
    icelandic, english = load_messages("is"), load_messages("en")
    same = {key for key in sorted(icelandic.keys()) if icelandic.raw(key) == english.raw(key)}
    assert same <= SAME_ALLOWED, sorted(same - SAME_ALLOWED)


def test_the_five_outcome_words_are_the_screens_words() -> None:
    say = load_messages("is")
    assert [say(f"result.{k}") for k in ("paid", "declined", "cancelled", "manager")] == [
        "GREITT",
        "HAFNAÐ",
        "HÆTT VIÐ",
        "ÞARF STJÓRNANDA",
    ]
    assert say("result.unknown").startswith("ÓVÍST")


def test_a_missing_key_shows_the_key_rather_than_crashing() -> None:
    assert load_messages("en")("no.such.key", amount=1) == "no.such.key"


def _string_literals_shown(path: Path) -> list[str]:
    """String literals passed to update/notify/Static/Binding descriptions that hold letters."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name not in {"update", "notify", "Static", "Label", "say_notice", "_notice"}:
            continue
        for arg in node.args:
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if literal and any(ch.isalpha() for ch in arg.value):
                found.append(f"{path.name}:{node.lineno}: {arg.value!r}")
    return found


def test_no_widget_or_notify_gets_a_literal_word() -> None:
    offenders = [hit for path in UI.rglob("*.py") for hit in _string_literals_shown(path)]
    assert offenders == []


def test_every_binding_description_is_a_catalog_key() -> None:
    from pos.ui.screens.cash import CashScreen
    from pos.ui.screens.confirm import ConfirmScreen
    from pos.ui.screens.manager import ManagerScreen
    from pos.ui.screens.payment import PaymentScreen
    from pos.ui.screens.sale import SaleScreen
    from pos.ui.screens.signin import PinScreen

    say = load_messages("is")
    for screen in (SaleScreen, PaymentScreen, CashScreen, ConfirmScreen, ManagerScreen, PinScreen):
        for binding in screen.BINDINGS:
            description = getattr(binding, "description", "")
            if description:
                assert description in say, (screen.__name__, description)
