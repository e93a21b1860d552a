"""`pos` with no command opens the till, and so do `pos --config FILE` and `pos -v`: the
options a till takes work without naming the `till` command (found trying it as a manager)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.cli import main


def test_pos_with_only_a_config_opens_the_till_on_that_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "register.toml"
    broken.write_text("[register\n", encoding="utf-8")  # a broken file: the till refuses it
    code = main(["--config", str(broken)])
    said = capsys.readouterr().err
    assert code == 2
    assert "invalid choice" not in said
    assert str(broken) in said  # the till's own config error names the file


def test_pos_help_is_still_the_commands_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "COMMAND" in capsys.readouterr().out
