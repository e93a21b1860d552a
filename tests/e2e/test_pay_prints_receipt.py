"""``pos pay`` leaves its receipt in the default file printer; ``pos receipt show`` reads it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.harness import SandboxProcess, run_pos, sandbox_process, write_config
from tests.support.escpos_parser import parse


@pytest.fixture(scope="module")
def accepting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("accepting"), "--auto-accept-after", "0.3") as sb:
        yield sb


def test_a_headless_paid_sale_ends_with_its_receipt_printed_and_showable(
    accepting: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "register.toml", accepting.base_url, data_dir)
    paid = run_pos(["pay", "1990", "8223281", "--json", "--config", str(config)], data_dir)
    assert paid.returncode == 0, paid.stderr
    sale_id = paid.json()["sale_id"]
    assert f"Receipt of sale {sale_id} printed (file)" in paid.stderr
    # The first paid sale of this journal takes receipt number 1 in its paid commit, and the
    # printer's file is named by it (TILL-CONTRACTS: receipt numbers).
    printed = parse((data_dir / "receipts" / "receipt-000001.bin").read_bytes())
    assert any(line.startswith("SAMTALS") and "1.990 kr." in line for line in printed.lines)

    shown = run_pos(["receipt", "show", str(sale_id), "--config", str(config)], data_dir)
    assert shown.returncode == 0, shown.stderr
    shown_text = [ln for ln in shown.stdout.splitlines() if not ln.startswith(("[", "- - -"))]
    assert shown_text == printed.lines

    picture = tmp_path / "copy.png"
    copy = run_pos(
        ["receipt", "show", str(sale_id), "--copy", "--png", str(picture), "--config", str(config)],
        data_dir,
    )
    assert copy.returncode == 0, copy.stderr
    codes = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(picture))}
    code = "S1-R1-R1"  # {store}-{register}-R{receipt}, the per-sale code of TILL-CONTRACTS
    assert codes == {("QRCode", code), ("Code128", code)}


def test_showing_a_receipt_that_is_not_there_says_so(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    done = run_pos(["receipt", "show", "1"], data_dir)
    assert done.returncode == 2 and "no journal" in done.stderr.lower()
