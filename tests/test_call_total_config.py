"""``timing.call_total_s`` (issue 14 item 5): read_timeout_s ≤ call_total_s ≤ give_up_after_s / 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.config import load_settings
from pos.core.errors import ConfigError


def timing(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text("[timing]\n" + lines, encoding="utf-8")
    return path


def test_unset_it_is_the_most_that_fits(tmp_path: Path) -> None:
    settings = load_settings(timing(tmp_path, "read_timeout_s = 3\ngive_up_after_s = 30\n"))
    assert settings.timing.call_total_s == 10.0
    assert load_settings(timing(tmp_path, "")).timing.call_total_s == 20.0


def test_a_value_in_range_is_kept(tmp_path: Path) -> None:
    path = timing(tmp_path, "read_timeout_s = 3\ncall_total_s = 5\ngive_up_after_s = 30\n")
    assert load_settings(path).timing.call_total_s == 5.0


@pytest.mark.parametrize(
    "lines",
    [
        "read_timeout_s = 6\ncall_total_s = 5\n",  # below the read timeout
        "call_total_s = 25\ngive_up_after_s = 60\n",  # above a third of give-up
        "read_timeout_s = 15\ngive_up_after_s = 30\n",  # unset, and nothing fits
    ],
)
def test_a_call_limit_that_cannot_hold_is_refused_naming_the_keys(
    tmp_path: Path, lines: str
) -> None:
    with pytest.raises(ConfigError, match=r"call_total_s.*read_timeout_s.*give_up_after_s"):
        load_settings(timing(tmp_path, lines))
