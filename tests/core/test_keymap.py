"""The [keymap] check: unknown ids, one key on two actions of one screen, input-line keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pos.core.keymap import ACTION_KEYS, Keymap, key_clashes, known_ids, parse_keymap_section
from pos.core.ui_settings import UiSettings, parse_ui_sections


def test_the_defaults_have_no_clash() -> None:
    assert key_clashes({}) == []


def test_netgiro_on_f12_is_accepted() -> None:
    keymap, problems = parse_keymap_section({"sale.netgiro": "F12"})
    assert problems == []
    assert keymap == Keymap({"sale.netgiro": "f12"})


def test_an_unknown_id_is_refused_with_a_did_you_mean() -> None:
    keymap, problems = parse_keymap_section({"sale.netgyro": "f12"})
    assert keymap.keys == {}
    assert problems == ["keymap.sale.netgyro: no such action; did you mean sale.netgiro?"]


def test_one_key_on_two_actions_of_one_screen_is_refused() -> None:
    keymap, problems = parse_keymap_section({"sale.netgiro": "f3"})
    assert keymap.keys == {}
    assert any("f3 would do both sale.netgiro and sale.cash" in p for p in problems)


def test_an_app_wide_key_clashes_on_every_screen() -> None:
    _keymap, problems = parse_keymap_section({"payment.switch_kind": "f1"})
    assert any("app.help" in p and "payment" in p for p in problems)


def test_one_key_may_do_different_things_on_different_screens() -> None:
    # F2 is Netgíró on the sale screen and "switch kind" on the payment screen by default.
    assert parse_keymap_section({"cash.exact": "f2"})[1] == []


def test_a_typed_character_or_an_input_key_is_no_action_key() -> None:
    for keys in ("3", "*", "delete", "home", "ctrl+d", "enter"):
        _keymap, problems = parse_keymap_section({"sale.void": keys})
        assert problems, keys


def test_a_value_that_is_not_text_is_refused() -> None:
    _keymap, problems = parse_keymap_section({"sale.void": 4})
    assert problems == ['keymap.sale.void must be keys in quotes, like "f12" or "ctrl+g,f12"']


def test_every_id_names_its_screen() -> None:
    for screen, actions in ACTION_KEYS.items():
        assert all(binding_id.startswith(f"{screen}.") for binding_id, _ in actions)


@given(st.dictionaries(st.sampled_from(known_ids()), st.sampled_from(["f2", "f12", "ctrl+g"])))
def test_an_accepted_keymap_never_clashes(table: dict[str, str]) -> None:
    keymap, problems = parse_keymap_section(table)
    if not problems:
        assert key_clashes(keymap.keys) == []


def test_ui_sections_default_to_icelandic() -> None:
    assert parse_ui_sections({}) == (UiSettings(), [])


def test_ui_sections_read_language_and_keymap() -> None:
    ui, problems = parse_ui_sections({"ui": {"language": "en"}, "keymap": {"sale.netgiro": "f12"}})
    assert problems == []
    assert ui == UiSettings("en", Keymap({"sale.netgiro": "f12"}))


def test_an_unknown_language_falls_back_with_a_problem() -> None:
    ui, problems = parse_ui_sections({"ui": {"language": "de"}})
    assert ui.language == "is"
    assert problems == ["ui.language must be one of is, en, not 'de'"]
