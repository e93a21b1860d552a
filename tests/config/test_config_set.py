"""`pos config set`: one line changes, comments and mode kept, typed by the schema, refused while open."""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import load_settings
from pos.services.wiring import register_lock

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "register.example.toml"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The commented example, with its own data dir."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '# data_dir = "/var/lib/pos"', f"data_dir = '{tmp_path / 'data'}'"
    )
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o640)
    return path


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_set_changes_exactly_one_line_and_keeps_the_mode(config: Path) -> None:
    before = config.read_text(encoding="utf-8")
    assert main(["config", "set", "register.name", "007", "--config", str(config)]) == 0
    after = config.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        '-name = "Till 1"            # shown on the till\'s screen (one line, at most 40 characters)',
        '+name = "007"            # shown on the till\'s screen (one line, at most 40 characters)',
    ]
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert load_settings(config, need_secret=False).register.name == "007"  # text, not 7


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("timing.code_tries", "5", "code_tries = 5 "),
        ("timing.deadline_s", "90.5", "deadline_s = 90.5 "),
        ("netgiro.confirmation", "automatic", 'confirmation = "automatic" '),
        ("register.register_id", "007", 'register_id = "007" '),
    ],
)
def test_values_are_typed_by_the_schema(config: Path, key: str, value: str, expected: str) -> None:
    before = config.read_text(encoding="utf-8")
    assert main(["config", "set", key, value, "--config", str(config)]) == 0
    changed = changed_lines(before, config.read_text(encoding="utf-8"))
    assert len(changed) == 2
    assert changed[1].startswith("+" + expected)


def test_a_key_the_file_lacks_is_added_to_its_table(config: Path) -> None:
    assert (
        main(
            [
                "config",
                "set",
                "netgiro.callback_url",
                "https://t.example.is/cb",
                "--config",
                str(config),
            ]
        )
        == 0
    )
    settings = load_settings(config, need_secret=False)
    assert settings.netgiro.callback_url == "https://t.example.is/cb"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("register.nam", "x", "Did you mean register.name?"),
        ("timing.code_tries", "three", "must be a whole number"),
        ("timing.code_tries", "0", "must be above 0"),
        ("netgiro.confirmation", "sometimes", "must be one of manual, automatic, callback"),
        ("netgiro.secret_key", "hunter2", "never written in the config"),
        ("register.register_id", "R1\nX", "only the letters"),
        ("store.kennitala", "320199-1239", "is not a kennitala"),
    ],
)
def test_a_refused_value_leaves_the_file_as_it_was(
    config: Path, key: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(config.read_bytes()).hexdigest()
    assert main(["config", "set", key, value, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "hunter2" not in err
    assert hashlib.sha256(config.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["register.toml"]


def test_a_symlink_is_followed_and_stays_a_link(config: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(config)
    assert main(["config", "set", "register.name", "Kassi 2", "--config", str(link)]) == 0
    assert link.is_symlink()
    assert load_settings(config, need_secret=False).register.name == "Kassi 2"
    assert stat.S_IMODE(config.stat().st_mode) == 0o640


def test_set_is_refused_while_the_till_holds_the_register_lock(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    with register_lock(tmp_path / "data"):
        assert main(["config", "set", "register.name", "x", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"The till is open (pid {os.getpid()}): do it in manager mode (F9)" in err
    assert config.read_bytes() == before
    assert main(["config", "set", "register.name", "x", "--config", str(config)]) == 0


def test_set_can_mend_a_broken_data_dir(tmp_path: Path) -> None:
    path = tmp_path / "register.toml"
    path.write_text("[paths]\ndata_dir = 5  # oops\n", encoding="utf-8")
    assert (
        main(["config", "set", "paths.data_dir", str(tmp_path / "d"), "--config", str(path)]) == 0
    )
    assert load_settings(path).data_dir == tmp_path / "d"
    assert "# oops" in path.read_text(encoding="utf-8")


def test_a_secret_file_others_can_read_is_not_set(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "netgiro.secret"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    os.chmod(secret, 0o644)
    config.write_text(
        config.read_text(encoding="utf-8").replace('secret_key_env = "NETGIRO_SECRET_KEY"\n', ""),
        encoding="utf-8",
    )
    command = ["config", "set", "netgiro.secret_key_file", str(secret), "--config", str(config)]
    assert main(command) == 2
    assert f"chmod 600 {secret}" in capsys.readouterr().err
    os.chmod(secret, 0o600)
    assert main(command) == 0
    assert load_settings(config).netgiro.secret_key == "s3cret-value"


def test_set_holds_the_register_lock_only_while_it_writes(config: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    assert main(["config", "set", "register.name", "x", "--config", str(config)]) == 0
    assert (tmp_path / "data" / "register.lock").read_text(encoding="utf-8") == str(os.getpid())
    with register_lock(tmp_path / "data"):  # released: the till opens at once
        pass


def test_a_full_disk_leaves_the_old_file_and_no_temporary(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # fsync failing with ENOSPC stands in for a full disk (a real one cannot be made here).
    import errno

    before = config.read_bytes()

    def full(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main(["config", "set", "register.name", "x", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "cannot be written (No space left on device)" in err
    assert "the old file is unchanged" in err
    assert config.read_bytes() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["register.toml"]


def test_crlf_lines_stay_crlf(tmp_path: Path) -> None:
    path = tmp_path / "register.toml"
    path.write_bytes(b'[register]\r\nname = "x"  # kept\r\nregister_id = "R1"\r\n')
    assert main(["config", "set", "register.name", "y", "--config", str(path)]) == 0
    assert path.read_bytes() == b'[register]\r\nname = "y"  # kept\r\nregister_id = "R1"\r\n'


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ('register.name = "x"\n', 'register.name = "y"\n'),
        ('register = {name = "x"}\n', 'register = {name = "y"}\n'),
    ],
)
def test_dotted_and_inline_tables_are_edited_in_place(
    tmp_path: Path, text: str, after: str
) -> None:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["config", "set", "register.name", "y", "--config", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == after


@pytest.mark.parametrize("text", ['[[register]]\nname = "x"\n', "register = 5\n"])
def test_a_section_that_is_not_a_table_is_named_not_a_traceback(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["config", "set", "register.name", "y", "--config", str(path)]) == 2
    assert "register is not a table in this file" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


def test_a_change_to_a_section_the_till_reads_at_start_says_restart_needed(config: Path) -> None:
    from pos.config.editing import set_key

    change = set_key(config, "register.name", "Kassi 3")
    assert change.restart_needed is True
    assert (change.old, change.new) == ("Till 1", "Kassi 3")
