"""[catalog], [vat], [discount] and [till]: typed, checked, and only ever degrading the till."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.config import check_config, load_settings
from pos.config.till import till_settings
from pos.core.sale import DiscountLimit
from pos.core.till_settings import CatalogSettings, TillSettings, VatSettings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_sections_give_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[register]\n"), need_secret=False)
    assert till_settings(settings) == TillSettings()


def test_every_key_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[catalog]\npath = "items.csv"\n'
        "[vat]\ndefault = 11\nrates = [11, 24]\n"
        "[discount]\nlimit_percent = 10\nlimit_amount = 2000\n"
        "[till]\nrecovery_period_s = 60\n",
    )
    settings = till_settings(load_settings(path, need_secret=False))
    assert settings == TillSettings(
        CatalogSettings(tmp_path / "items.csv"),
        VatSettings(11, (11, 24)),
        DiscountLimit(10, 2000),
        60.0,
    )


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("[vat]\ndefault = 7\n", "vat.default"),
        ("[vat]\nrates = [24, 25]\n", "vat.rates"),
        ("[vat]\nrates = [24, 24]\n", "vat.rates"),
        ("[vat]\nrate = 24\n", "vat.rate"),
        ("[discount]\nlimit_percent = 120\n", "discount.limit_percent"),
        ("[discount]\nlimit_amount = -1\n", "discount.limit_amount"),
        ("[catalog]\npath = 5\n", "catalog.path"),
        ("[till]\nrecovery_period_s = 1\n", "till.recovery_period_s"),
    ],
)
def test_a_mistake_degrades_the_till_and_blocks_nothing(
    tmp_path: Path, text: str, word: str
) -> None:
    path = write(tmp_path, text)
    problems = [p for p in check_config(path) if p.severity == "error"]
    assert len(problems) == 1 and word in str(problems[0]), problems
    settings = load_settings(path, need_secret=False)  # loads: the till opens degraded
    assert [word in str(p) for p in settings.degraded] == [True]
    assert till_settings(settings).vat.default_rate in till_settings(settings).vat.rates
