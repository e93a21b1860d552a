"""The loader collects every problem before it reports; sections block or only degrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.config import ConfigProblems, Section, load_settings, schema
from pos.config.reader import Reader
from pos.config.registry import SECTIONS
from pos.config.store import DEMO_STORE
from pos.config.store import SECTION as STORE
from pos.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_three_mistakes_in_three_sections_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[register]\nregistr_id = "R2"\n[timing]\ncode_tries = 0\n[netgiro]\nconfirmation = "x"\n',
    )
    with pytest.raises(ConfigProblems) as caught:
        load_settings(path)
    keys = [problem.key for problem in caught.value.problems]
    assert keys == ["register.registr_id", "netgiro.confirmation", "timing.code_tries"]
    message = caught.value.message
    assert message.startswith(f"{path}: 3 problems:")
    assert "Did you mean register.register_id?" in message
    assert isinstance(caught.value, ConfigError)


def test_a_store_mistake_degrades_but_does_not_block(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nname = "Búðin"\nkennitala = "123"\n')
    settings = load_settings(path)
    assert [problem.key for problem in settings.degraded] == ["store.kennitala"]
    assert settings.store.kennitala == ""
    assert settings.store.name == "Búðin"


def test_read_only_commands_never_look_up_the_secret(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[netgiro]\nbase_url = "https://api.netgiro.is/v1/"\napp_key = "mine"\n'
        'secret_key_env = "POS_TEST_NOT_SET_ANYWHERE"\n'
        f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n",
    )
    with pytest.raises(ConfigError, match="POS_TEST_NOT_SET_ANYWHERE"):
        load_settings(path)
    settings = load_settings(path, need_secret=False)
    assert settings.netgiro.secret_key == ""
    assert settings.data_dir == tmp_path / "data"


def test_read_only_commands_still_need_paths(tmp_path: Path) -> None:
    path = write(tmp_path, "[paths]\ndata_dir = 5\n[register]\nregister_id = 7\n")
    with pytest.raises(ConfigProblems) as caught:
        load_settings(path, need_secret=False)
    assert [problem.key for problem in caught.value.problems] == ["paths.data_dir"]


def test_check_refuses_a_literal_secret_without_echoing_it(tmp_path: Path) -> None:
    from pos.config import check_config

    path = write(tmp_path, '[netgiro]\nsecret_key = "hunter2"\n')
    problems = [p for p in check_config(path) if p.severity == "error"]
    assert [problem.key for problem in problems] == ["netgiro.secret_key"]
    assert "hunter2" not in str(problems[0])


def test_the_schema_knows_every_key_with_its_kind() -> None:
    keys = schema()
    assert keys["register.name"].kind == "text"
    assert keys["timing.code_tries"].kind == "whole"
    assert keys["timing.deadline_s"].kind == "number"
    assert keys["netgiro.confirmation"].choices == ("manual", "automatic", "callback")
    assert keys["netgiro.secret_key"].kind == "forbidden"
    assert keys["paths.data_dir"].kind == "path"
    assert keys["store.vsk_number"].kind == "text"


def test_settings_get_gives_a_section_or_its_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[store]\nname = "Búðin"\n'))
    assert settings.get(STORE).name == "Búðin"
    assert load_settings(None).get(STORE) == DEMO_STORE  # no file: the demo store (receipts)


def test_a_section_is_one_module_away() -> None:
    # What a feature's module does: a dataclass, a parser reading every key, a Section.
    def parse(reader: Reader) -> tuple[str, int]:
        return reader.text("kind", "file"), reader.whole("width", 42)

    section = Section("demo", parse)
    assert section.default() == ("file", 42)
    reader = Reader(Path("x.toml"), "demo", {"width": "wide", "colour": 1})
    assert parse(reader) == ("file", 42)
    reader.refuse_unknown()
    assert [problem.key for problem in reader.problems] == ["demo.width", "demo.colour"]
    assert all(section.name != "demo" for section in SECTIONS)
