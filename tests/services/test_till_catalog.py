"""The catalog file from disk: every failure is a problem to show, never an exception."""

from __future__ import annotations

from pathlib import Path

from pos.core.till_settings import CatalogSettings, TillSettings
from pos.services.till_catalog import load_catalog

EXAMPLE = Path(__file__).parents[2] / "config" / "catalog.example.csv"


def settings(path: Path | None) -> TillSettings:
    return TillSettings(catalog=CatalogSettings(path))


def test_the_example_loads() -> None:
    catalog, problems = load_catalog(settings(EXAMPLE))
    assert problems == [] and len(catalog) >= 15


def test_no_catalog_configured_is_no_problem() -> None:
    assert load_catalog(settings(None))[1] == []


def test_a_missing_file_a_folder_and_bad_bytes_are_problems(tmp_path: Path) -> None:
    missing = load_catalog(settings(tmp_path / "none.csv"))[1]
    assert "does not exist" in missing[0]
    assert "cannot be read" in load_catalog(settings(tmp_path))[1][0]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("barcode,plu,name,price,vat\n,1,Mjólk,229,11\n".encode("latin-1"))
    assert "UTF-8" in load_catalog(settings(latin1))[1][0]


def test_bad_lines_name_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("barcode,plu,name,price,vat\n,1,Mjólk,229,7\n,2,Brauð,500,11\n", "utf-8")
    catalog, problems = load_catalog(settings(path))
    assert len(catalog) == 1 and problems == [
        f"{path}: line 2: VAT '7' is not one of the rates 24, 11, 0"
    ]
