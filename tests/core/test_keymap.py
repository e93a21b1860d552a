"""The [keymap] check: unknown ids, one key on two actions of one screen, input-line keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pos.core.keymap import ACTION_KEYS, Keymap, key_clashes, known_ids, parse_keymap_section


def messages(table: dict[str, object]) -> list[str]:
    return [problem.message for problem in parse_keymap_section(table)[1]]


def test_the_defaults_have_no_clash() -> None:
    assert key_clashes({}) == []


def test_netgiro_on_f12_is_accepted() -> None:
    keymap, problems = parse_keymap_section({"sale_netgiro": "F12"})
    assert problems == []
    assert keymap == Keymap({"sale_netgiro": "f12"})


def test_an_unknown_id_is_refused_with_a_did_you_mean() -> None:
    keymap, problems = parse_keymap_section({"sale_netgyro": "f12"})
    assert keymap.keys == {}
    assert [p.message for p in problems] == [
        "keymap.sale_netgyro: no such action; did you mean sale_netgiro?"
    ]


def test_one_key_on_two_actions_of_one_screen_is_refused_and_nothing_moves() -> None:
    keymap, problems = parse_keymap_section({"sale_netgiro": "f3", "sale_void": "f12"})
    assert keymap.keys == {}
    assert [p.binding_id for p in problems] == ["sale_netgiro"]
    assert "f3 would do both" in problems[0].message and "sale_cash" in problems[0].message


def test_an_app_wide_key_clashes_on_every_screen() -> None:
    assert any("app_help" in m and "payment" in m for m in messages({"payment_switch_kind": "f1"}))


def test_one_key_may_do_different_things_on_different_screens() -> None:
    # F2 is Netgíró on the sale screen and "switch kind" on the payment screen by default.
    assert messages({"cash_exact": "f2"}) == []


def test_a_typed_character_or_an_input_key_is_no_action_key() -> None:
    for keys in ("3", "*", "delete", "home", "ctrl+d", "enter"):
        assert messages({"sale_void": keys}), keys


def test_a_value_that_is_not_text_is_refused() -> None:
    assert messages({"sale_void": 4}) == [
        'keymap.sale_void must be keys in quotes, like "f12" or "ctrl+g,f12"'
    ]


def test_every_id_names_its_screen_and_is_a_bare_toml_key() -> None:
    for screen, actions in ACTION_KEYS.items():
        for binding_id, _ in actions:
            assert binding_id.startswith(f"{screen}_") and "." not in binding_id


@given(st.dictionaries(st.sampled_from(known_ids()), st.sampled_from(["f2", "f12", "ctrl+g"])))
def test_an_accepted_keymap_never_clashes(table: dict[str, str]) -> None:
    keymap, problems = parse_keymap_section(table)
    if not problems:
        assert key_clashes(keymap.keys) == []
        assert keymap.keys == {k: v.lower() for k, v in table.items()}
