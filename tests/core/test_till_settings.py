"""The till's config sections: typed settings, problems listed, defaults kept, never a raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.sale import DiscountLimit
from pos.core.till_settings import TillSettings, VatSettings, parse_till_sections


def test_no_sections_give_the_defaults() -> None:
    assert parse_till_sections({}) == (TillSettings(), [])


def test_every_section_read() -> None:
    data = {
        "catalog": {"path": "items.csv"},
        "vat": {"default": 11, "rates": [11, 24]},
        "discount": {"limit_percent": 10, "limit_amount": 2000},
        "till": {"recovery_period_s": 60},
    }
    settings, problems = parse_till_sections(data, Path("/etc/pos"))
    assert problems == []
    assert settings.catalog.path == Path("/etc/pos/items.csv")
    assert settings.vat == VatSettings(11, (11, 24))
    assert settings.discount == DiscountLimit(10, 2000)
    assert settings.recovery_period_s == 60.0


@pytest.mark.parametrize(
    ("data", "word"),
    [
        ({"vat": {"default": 7}}, "default"),
        ({"vat": {"rates": [24, 25]}}, "rates"),
        ({"vat": {"rates": [24, 24]}}, "rates"),
        ({"vat": {"rate": 24}}, "unknown key"),
        ({"discount": {"limit_percent": 120}}, "limit_percent"),
        ({"discount": {"limit_amount": True}}, "limit_amount"),
        ({"catalog": {"path": 5}}, "path"),
        ({"catalog": "x"}, "table"),
        ({"till": {"recovery_period_s": 1}}, "recovery_period_s"),
        ({"till": {"recovery_period_s": float("nan")}}, "recovery_period_s"),
    ],
)
def test_problems_are_listed_and_defaults_kept(data: dict[str, Any], word: str) -> None:
    settings, problems = parse_till_sections(data)
    assert len(problems) == 1 and word in problems[0]
    assert isinstance(settings, TillSettings)


@given(
    st.dictionaries(
        st.sampled_from(["catalog", "vat", "discount", "till", "other"]),
        st.one_of(
            st.dictionaries(st.text(max_size=20), st.one_of(st.integers(), st.text(), st.none())),
            st.integers(),
        ),
    )
)
def test_any_tables_give_settings_never_an_exception(data: dict[str, Any]) -> None:
    settings, _ = parse_till_sections(data)
    assert settings.vat.default_rate in settings.vat.rates
