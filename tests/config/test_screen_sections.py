"""`language` and [keymap] through the real loader: defaults, values, and degraded problems."""

from __future__ import annotations

from pathlib import Path

from pos.config import keymap, language, load_settings
from pos.core.keymap import Keymap


def loaded(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_without_them_the_till_speaks_icelandic_on_its_default_keys(tmp_path: Path) -> None:
    settings = loaded(tmp_path, "")
    assert settings.get(language.SECTION) == "is"
    assert settings.get(keymap.SECTION) == Keymap()


def test_english_and_netgiro_on_f12(tmp_path: Path) -> None:
    settings = loaded(tmp_path, 'language = "en"\n[keymap]\nsale_netgiro = "f12"\n')
    assert settings.get(language.SECTION) == "en"
    assert settings.get(keymap.SECTION) == Keymap({"sale_netgiro": "f12"})
    assert settings.degraded == ()


def test_a_clash_degrades_to_the_default_keys_and_names_the_key(tmp_path: Path) -> None:
    settings = loaded(tmp_path, '[keymap]\nsale_netgiro = "f3"\n')
    assert settings.get(keymap.SECTION) == Keymap()
    assert [p.key for p in settings.degraded] == ["keymap.sale_netgiro"]
    assert "default keys" in str(settings.degraded[0])


def test_an_unknown_action_gets_a_did_you_mean(tmp_path: Path) -> None:
    settings = loaded(tmp_path, '[keymap]\nsale_netgyro = "f12"\n')
    assert "sale_netgiro" in str(settings.degraded[0])


def test_an_unknown_language_degrades_to_icelandic(tmp_path: Path) -> None:
    settings = loaded(tmp_path, 'language = "de"\n')
    assert settings.get(language.SECTION) == "is"
    assert [p.key for p in settings.degraded] == ["language"]
